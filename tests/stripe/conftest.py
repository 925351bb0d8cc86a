"""Fixtures for the Stripe adapter tests: real third-party payloads read in place from ../shared.

The payloads are third-party data (see ../shared/SOURCES.md), so they are read by path and never
copied into this repository; without the shared directory these tests skip and say why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SHARED_DIR = Path(__file__).resolve().parents[2] / ".." / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared fixtures checkout next to the repository, or a skip naming where it looked."""
    if not (SHARED_DIR / "fixtures").is_dir():
        pytest.skip(f"shared third-party fixtures not found at {SHARED_DIR.resolve()}")
    return SHARED_DIR.resolve()


@pytest.fixture(scope="session")
def load_json(shared_dir: Path) -> Callable[[str], Any]:
    """Read ``fixtures/<relative>`` as JSON (a fresh copy on every call, so tests may edit it)."""

    def load(relative: str) -> Any:
        path = shared_dir / "fixtures" / relative
        if not path.is_file():
            pytest.fail(f"expected shared fixture {path} is missing")
        return json.loads(path.read_text(encoding="utf-8"))

    return load
