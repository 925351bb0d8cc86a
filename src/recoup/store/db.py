"""Engines and sessions for the application database, on SQLite (WAL) or PostgreSQL.

SQLite is the embedded default: WAL lets the API read while the worker writes, and a busy
timeout makes concurrent writers wait instead of failing. PostgreSQL is for production and for
many worker processes on one database.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from recoup.store import guard, rollup


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for bare ``postgresql://`` URLs (psycopg2 is not installed)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for PostgreSQL or an in-memory database."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _on_sqlite_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN IMMEDIATE
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(conn: Connection) -> None:
    """Take SQLite's write lock when a transaction starts, not when it first writes: a
    deferred reader that later writes fails at once (SQLITE_BUSY_SNAPSHOT) if another process
    wrote in between, where an immediate one simply waits its turn."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, pool_size: int = 5) -> Engine:
    """An engine with the pragmas and pool this project relies on."""
    url = normalise_url(url)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


class GuardedSession(Session):
    """A session whose flushes are scanned for card numbers (see :mod:`recoup.store.guard`)
    and whose commits keep the dashboard's rollup current (see :mod:`recoup.store.rollup`)."""


guard.install(GuardedSession)
rollup.install(GuardedSession)


class Database:
    """An engine and its session factory; one per process."""

    def __init__(self, url: str, pool_size: int = 5) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, pool_size)
        self._local_writer = threading.RLock() if is_sqlite(self.url) else None
        self._sessions = sessionmaker(self.engine, class_=GuardedSession, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error.

        On SQLite one session at a time per process: threads queue on a lock instead of
        polling SQLite's busy handler, which sleeps in growing steps and ruins tail latency.
        """
        with self._writer(), self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def _writer(self) -> Iterator[None]:
        if self._local_writer is None:
            yield
            return
        with self._local_writer:
            yield

    def dispose(self) -> None:
        self.engine.dispose()
