"""Alembic environment: runs migrations on the URL given by :mod:`recoup.store.migrate`."""

from __future__ import annotations

from alembic import context

from recoup.store.db import make_engine
from recoup.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Apply migrations over one connection (SQLite batch mode for ALTERs)."""
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=engine.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
