"""Shared fixtures: databases on SQLite and PostgreSQL, settings, and ../shared.

PostgreSQL runs at 127.0.0.1:5432 on this machine kind. Tests that need it skip with a
message when it is absent, except under ``CI=true``, where a missing service fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("RECOUP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True)
def _clean_recoup_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests set their own settings; a developer's RECOUP_* variables must not leak in."""
    for key in list(os.environ):
        if key.upper().startswith("RECOUP_") and key != "RECOUP_TEST_PG":
            monkeypatch.delenv(key)


def _pg_available() -> str | None:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


def require_postgres() -> None:
    """Skip (or fail under CI) when PostgreSQL is not reachable."""
    problem = _pg_available()
    if problem is None:
        return
    message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {problem}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def create_pg_database() -> str:
    """A fresh, empty PostgreSQL database; returns its URL."""
    import psycopg

    name = f"recoup_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    require_postgres()
    url = create_pg_database()
    yield url
    drop_pg_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'recoup.sqlite'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test using this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'recoup.sqlite'}"
        return
    require_postgres()
    url = create_pg_database()
    yield url
    drop_pg_database(url)


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the checkout; tests that need it skip cleanly without it."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}: third-party fixtures unavailable")
    return SHARED


@pytest.fixture(autouse=True)
def _loggers_restored() -> Iterator[None]:
    """A CLI run inside a test configures the ``recoup`` and ``dbos`` loggers (level, handler,
    no propagation); put them back so no later test depends on which ran before it."""
    import logging

    saved = {name: (lg.level, list(lg.handlers), lg.propagate)
             for name in ("recoup", "dbos") for lg in [logging.getLogger(name)]}  # fmt: skip
    yield
    for name, (level, handlers, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers = handlers
        logger.propagate = propagate
