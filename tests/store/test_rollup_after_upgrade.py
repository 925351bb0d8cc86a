"""A database upgraded from before the rollup existed gets its dashboard figures on upgrade."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from recoup.store.db import Database
from recoup.store.migrate import upgrade
from recoup.store.tables_console import CaseMetricsRow, MetricRollupRow

from .conftest import Facts


def test_upgrade_fills_the_rollup_for_cases_it_never_counted(facts: Facts, db: Database) -> None:
    facts.case(1)
    facts.case(2)
    with db.engine.begin() as conn:  # as a database from before migration 0004 would be
        conn.execute(delete(MetricRollupRow))
        conn.execute(delete(CaseMetricsRow))
    upgrade(str(db.engine.url.render_as_string(hide_password=False)))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseMetricsRow)) == 2
        assert s.scalar(select(func.sum(MetricRollupRow.cases))) == 2
