"""The console dashboard's figures, read from the rollup in a few milliseconds.

Every query sums ``metric_rollup`` (see :mod:`recoup.store.rollup`) under the filters and
turns the sums into the metric dict with the definitions and rounding of
:func:`recoup.domain.metrics.summarise`: a test holds each figure equal to the reference
over the same cases. Only days outstanding depends on "now", so open cases are aged at query
time from the sum of their due dates.

Money is summed as whole cents, so SQLite (which keeps NUMERIC as a float) adds exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import BigInteger, ColumnElement, Select, Table, func, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from recoup.store.rollup import COHORTS, MEASURES
from recoup.store.tables_console import ROLLUP_DIMENSIONS, MetricRollupRow

_ROLLUP = cast(Table, MetricRollupRow.__table__)
_MONEY = frozenset({"amount", "recovered_amount"})


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to; None means any. Weeks are ISO weeks like
    ``2026-W07``, inclusive; a missing dimension value is ``(none)``."""

    week_from: str | None = None
    week_to: str | None = None
    source: str | None = None
    segment: str | None = None
    owner: str | None = None
    outcome: str | None = None
    cohort: str | None = None


ALL = Filters()


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _money(cents: int) -> str:
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def metrics(sums: Mapping[Any, Any], now: datetime) -> dict[str, Any]:
    """The metric dict from summed measures (as in ``metric_rollup``); None sums are 0."""
    s = {m: int(sums.get(m) or 0) for m in MEASURES}
    dso_n = s["dso_fixed_n"] + s["dso_open_n"]
    dso_days = s["dso_fixed_days"] + now.date().toordinal() * s["dso_open_n"]
    dso_days -= s["dso_open_due_ordinal"]
    return {
        "cases": s["cases"],
        "amount": _money(s["amount"]),
        "recovered_cases": s["recovered_cases"],
        "recovered_amount": _money(s["recovered_amount"]),
        "link_open_rate": _rate(s["links_opened"], s["links_sent"]),
        "link_completion_rate": _rate(s["links_completed"], s["links_sent"]),
        "promise_kept_rate": _rate(s["promises_kept"], s["promises_kept"] + s["promises_broken"]),
        "dispute_escalation_rate": _rate(s["dispute_escalations"], s["reached_calls"]),
        "churn_avoided": s["churn_avoided"],
        "dso_days": round(dso_days / dso_n, 2) if dso_n else None,
        "calls": s["calls"],
        "messages": s["messages"],
        "alerts": s["alerts"],
        "review_items": s["review_items"],
    }


def _sums(table: Table) -> list[ColumnElement[Any]]:
    """SUM of every measure; money as integer cents."""
    out: list[ColumnElement[Any]] = []
    for m in MEASURES:
        column: ColumnElement[Any] = table.c[m]
        if m in _MONEY:
            column = sql_cast(func.round(column * 100), BigInteger)
        out.append(func.sum(column).label(m))
    return out


def _filtered(query: Select[Any], table: Table, f: Filters) -> Select[Any]:
    if f.week_from is not None:
        query = query.where(table.c.week >= f.week_from)
    if f.week_to is not None:
        query = query.where(table.c.week <= f.week_to)
    for name in ("source", "segment", "owner", "outcome", "cohort"):
        value = getattr(f, name)
        if value is not None:
            query = query.where(table.c[name] == value)
    return query


def overview(
    session: Session, now: datetime, f: Filters = ALL, *, over: Table | None = None
) -> dict[str, Any]:
    """The metrics of every case matching ``f``. ``over`` is the table summed: the rollup,
    or ``case_metrics`` for the same figures from one row per case (the benchmark's
    baseline)."""
    table = _ROLLUP if over is None else over
    row = session.execute(_filtered(select(*_sums(table)), table, f)).mappings().one()
    return metrics(row, now)


def _order(dimension: str, key: str) -> tuple[int, str]:
    return (COHORTS.index(key), key) if dimension == "cohort" and key in COHORTS else (0, key)


def breakdown(
    session: Session,
    dimension: str,
    now: datetime,
    f: Filters = ALL,
    *,
    over: Table | None = None,
) -> list[dict[str, Any]]:
    """The metrics per value of ``dimension`` (week, source, segment, owner, outcome or
    cohort), each row ``{"key": value, **metrics}``; keys sorted as
    :func:`recoup.domain.metrics.by` sorts them (cohorts in :data:`COHORTS` order)."""
    if dimension not in ROLLUP_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}: use {', '.join(ROLLUP_DIMENSIONS)}")
    table = _ROLLUP if over is None else over
    column = table.c[dimension]
    query = _filtered(select(column.label("key"), *_sums(table)), table, f).group_by(column)
    rows = [{"key": r["key"], **metrics(r, now)} for r in session.execute(query).mappings()]
    return sorted(rows, key=lambda r: _order(dimension, r["key"]))


def _baseline(session: Session, now: datetime) -> dict[str, Any]:
    """The imported pre-launch history (imported here, not at the top: the baseline module
    is optional for every other query)."""
    from recoup.store import baseline

    return baseline.summary(session, now)


def cohorts(session: Session, now: datetime, *, over: Table | None = None) -> list[dict[str, Any]]:
    """One row per cohort in :data:`COHORTS` order, baseline first; a cohort without cases
    has zero counts and None rates."""
    found = {r["key"]: r for r in breakdown(session, "cohort", now, over=over)}
    rows = [{"key": "baseline", **_baseline(session, now)}]
    for cohort in COHORTS[1:]:
        rows.append(found.get(cohort) or {"key": cohort, **metrics({}, now)})
    return rows


def filter_options(session: Session, *, over: Table | None = None) -> dict[str, list[str]]:
    """The values each filter can take: those present in the rollup, sorted (weeks
    ascending, cohorts in :data:`COHORTS` order)."""
    table = _ROLLUP if over is None else over
    options: dict[str, list[str]] = {}
    for dimension in ROLLUP_DIMENSIONS:
        values = session.scalars(select(table.c[dimension]).distinct())
        options[dimension] = sorted(values, key=lambda v: _order(dimension, v))
    return options


def filters_from(values: Mapping[str, str | None]) -> Filters:
    """Filters from query parameters; blank values mean any."""
    names = {f.name for f in fields(Filters)}
    return Filters(**{k: (v or None) for k, v in values.items() if k in names})
