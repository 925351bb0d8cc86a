"""Alembic, driven from code, so ``recoup db upgrade`` works from an installed package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config

from recoup.store.db import normalise_url, sqlite_path


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the migrations shipped inside the package."""
    script_location = Path(str(resources.files("recoup.store").joinpath("migrations")))
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the application schema to ``revision`` (the newest by default), then fill the
    dashboard's rollup if cases exist that it has not counted yet: a database made before
    migration 0004 has cases but no ``case_metrics``; afterwards every commit keeps them equal,
    so the check costs two counts and rebuilds nothing."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)
    if revision == "head":
        _fill_rollup(url)


def _fill_rollup(url: str) -> None:
    from recoup.store import rollup
    from recoup.store.db import Database

    db = Database(url)
    try:
        with db.session() as session:
            if rollup.missing(session):
                rollup.rebuild(session)
    finally:
        db.dispose()
