"""The Alembic migrations build exactly the schema ``tables.py`` declares, on SQLite and
PostgreSQL, and the newest one can be undone and done again (batch mode on SQLite)."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from recoup.store.db import normalise_url
from recoup.store.migrate import alembic_config, upgrade
from recoup.store.tables import Base


def differences(url: str) -> list[Any]:
    """What autogenerate would write to bring the database to ``Base.metadata``."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def review_columns(url: str) -> set[str]:
    engine = create_engine(normalise_url(url))
    try:
        return {c["name"] for c in inspect(engine).get_columns("review_items")}
    finally:
        engine.dispose()


def test_migrations_match_the_declared_tables(db_url: str) -> None:
    upgrade(db_url)
    assert differences(db_url) == []
    assert {"assignee", "assigned_at"} <= review_columns(db_url)


def test_the_review_assignee_migration_reverses(db_url: str) -> None:
    upgrade(db_url)
    command.downgrade(alembic_config(db_url), "0002")
    assert not {"assignee", "assigned_at"} & review_columns(db_url)
    upgrade(db_url)
    assert differences(db_url) == []
