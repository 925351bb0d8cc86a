"""Harness for workflow tests: a launched app on a fast clock, and simulated customers.

DBOS is one per process, so each test launches it and destroys it afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from recoup import demo, wiring
from recoup.adapters.simulator.persona import Persona
from recoup.settings import Settings
from recoup.store import views

#: Ten simulated days per wall second: a 30-day give-up passes in three seconds.
FAST = 10 * 86_400.0


def make_settings(url: str, **extra: Any) -> Settings:
    return Settings(_env_file=None, database_url=url, clock_speed=FAST, **extra)  # type: ignore[call-arg]


@pytest.fixture
def app(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[wiring.Started]:
    """A launched app; ``@pytest.mark.playbook("yaml")`` gives the test its own rules."""
    marker = request.node.get_closest_marker("playbook")
    extra: dict[str, Any] = {}
    if marker is not None:
        path = tmp_path / "playbook.yaml"
        path.write_text(marker.args[0])
        extra["playbook"] = path
    started = wiring.start(make_settings(db_url, **extra))
    yield started
    wiring.stop(started)


RunCases = Callable[[list[Persona], str], list[dict[str, Any]]]


@pytest.fixture
def run_cases(app: wiring.Started) -> RunCases:
    """Drive personas through the workflow to the end; each case's detail, in order."""

    def run(personas: list[Persona], tag: str) -> list[dict[str, Any]]:
        world, customers = demo.seed_world(app, personas, tag)
        closed = demo.drive(app, world, customers, lambda _: None, timeout_s=60)
        assert closed == len(customers), "not every case closed in time"
        details = []
        with app.db.session() as s:
            for c in customers:
                found = views.case_detail(s, f"case:stripe:{c.invoice_ref}")
                assert found is not None
                details.append(found)
        return details

    return run
