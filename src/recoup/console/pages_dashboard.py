"""The dashboard: the success metrics as tiles, four charts, breakdown tables and the cohort
comparison, all read from the rollup by :mod:`recoup.store.dashboard` (milliseconds, even
with a million cases), filtered by the query string, every table downloadable as CSV.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from recoup.api.deps import RuntimeDep
from recoup.console.csvexport import csv_response, dict_rows
from recoup.console.security import SignedInDep
from recoup.console.web import query_string, render
from recoup.store import dashboard
from recoup.store.dashboard import Filters

#: Table name (in the page contract and the CSV URL) -> breakdown dimension.
BREAKDOWNS = {
    "weekly": "week",
    "by-source": "source",
    "by-segment": "segment",
    "by-owner": "owner",
    "by-outcome": "outcome",
}
TABLE_TITLES = {
    "weekly": "Week by week",
    "by-source": "By source",
    "by-segment": "By segment",
    "by-owner": "By account owner",
    "by-outcome": "By outcome",
    "cohorts": "Cohorts",
}
FILTER_KEYS = ("week_from", "week_to", "source", "segment", "owner", "outcome", "cohort")
#: The tiles, in order: metric key, label, kind (how to show it), what it means.
TILES = (
    ("cases", "Cases", "count", "failed payments worked"),
    ("recovered_amount", "Recovered", "money", "paid after the case opened"),
    ("recovered_cases", "Cases recovered", "count", "invoices paid"),
    ("link_open_rate", "Link open rate", "rate", "links opened / sent"),
    ("link_completion_rate", "Link completion", "rate", "links followed by payment"),
    ("promise_kept_rate", "Promises kept", "rate", "kept / (kept + broken)"),
    ("dispute_escalation_rate", "Dispute escalations", "rate", "of calls that reached someone"),
    ("churn_avoided", "Churn avoided", "count", "recovered, did not cancel"),
    ("dso_days", "DSO", "days", "days from due date to payment"),
)
#: The metric columns of every breakdown table and CSV: key, heading, kind.
COLUMNS = (
    ("cases", "Cases", "count"),
    ("amount", "At risk", "money"),
    ("recovered_cases", "Recovered", "count"),
    ("recovered_amount", "Recovered amount", "money"),
    ("recovery_rate", "Recovery rate", "rate"),
    ("link_open_rate", "Link open", "rate"),
    ("link_completion_rate", "Link completion", "rate"),
    ("promise_kept_rate", "Promise kept", "rate"),
    ("dispute_escalation_rate", "Dispute escalation", "rate"),
    ("churn_avoided", "Churn avoided", "count"),
    ("dso_days", "DSO (days)", "days"),
    ("calls", "Calls", "count"),
    ("messages", "Messages", "count"),
    ("alerts", "Alerts", "count"),
    ("review_items", "Reviews", "count"),
)
COHORT_LABELS = {
    "baseline": "Before launch (baseline)",
    "runs_1_50": "Runs 1-50",
    "runs_51_100": "Runs 51-100",
    "steady": "Steady state",
}


def _blank_none(value: str | None) -> str | None:
    return value or None


def filters_from(request: Request) -> Filters:
    """The dashboard's filters from the query string; empty fields mean "all"."""
    params = request.query_params
    return Filters(**{k: _blank_none(params.get(k)) for k in FILTER_KEYS})


def recovery_rate(row: dict[str, Any]) -> float | None:
    """Recovered cases / cases: the headline a person compares cohorts by."""
    cases = int(row.get("cases") or 0)
    return round(int(row.get("recovered_cases") or 0) / cases, 4) if cases else None


def _with_rate(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "recovery_rate": recovery_rate(row)} for row in rows]


def cohort_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The four cohorts in their fixed order, each labelled, missing ones as empty rows."""
    found = {str(r.get("key") or r.get("cohort")): r for r in rows}
    return [
        {**found.get(key, {}), "key": key, "label": label} for key, label in COHORT_LABELS.items()
    ]


def _num(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


RATES = ("link_open_rate", "link_completion_rate", "promise_kept_rate", "dispute_escalation_rate")
#: What the cohort chart compares: the share recovered, then the four rates.
COMPARED = ("recovery_rate", *RATES)


def chart_data(
    tables: dict[str, list[dict[str, Any]]], cohorts: list[dict[str, Any]]
) -> dict[str, Any]:
    """What console.js draws: plain numbers, no formatting (the page's JSON block)."""
    weekly = tables["weekly"]
    series = [
        {"label": c["label"], "key": c["key"], "values": [_num(c.get(k)) for k in COMPARED]}
        for c in cohorts
    ]
    return {
        "weekly": {
            "labels": [r["key"] for r in weekly],
            "recovered_amount": [_num(r.get("recovered_amount")) for r in weekly],
            "cases": [r.get("cases") for r in weekly],
        },
        "rates": {
            "labels": [r["key"] for r in weekly],
            "series": {k: [_num(r.get(k)) for r in weekly] for k in RATES},
        },
        "cohorts": {"metrics": list(COMPARED), "series": series},
        "outcomes": {
            "labels": [r["key"] for r in tables["by-outcome"]],
            "cases": [r.get("cases") for r in tables["by-outcome"]],
        },
    }


def _table(session: Any, name: str, now: Any, f: Filters) -> list[dict[str, Any]]:
    if name == "cohorts":
        return cohort_rows(_with_rate(dashboard.cohorts(session, now)))
    return _with_rate(dashboard.breakdown(session, BREAKDOWNS[name], now, f))


def build_router(templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/dashboard")
    def dashboard_page(request: Request, signed: SignedInDep, runtime: RuntimeDep) -> Response:
        f = filters_from(request)
        now = runtime.clock.now()
        with runtime.db.session() as s:
            overview = dashboard.overview(s, now, f)
            tables = {name: _table(s, name, now, f) for name in (*BREAKDOWNS, "cohorts")}
            options = dashboard.filter_options(s)
        qs = query_string({k: getattr(f, k) for k in FILTER_KEYS})
        return render(
            templates, request, "dashboard.html", signed,
            overview=overview, tiles=TILES, tables=tables, titles=TABLE_TITLES,
            columns=COLUMNS[:11], filters=f, options=options, qs=qs, charts=chart_data(tables,
            tables["cohorts"]), compare_rows=COLUMNS[:11], now=now,
        )  # fmt: skip

    @router.get("/dashboard/export/{name}.csv")
    def export(name: str, request: Request, signed: SignedInDep, runtime: RuntimeDep) -> Response:
        """One dashboard table with the page's filters (cohorts ignore them: each cohort is
        a fixed stretch of the launch)."""
        if name not in TABLE_TITLES:
            raise HTTPException(404, f"no dashboard table {name!r}")
        f = filters_from(request)
        now = runtime.clock.now()
        with runtime.db.session() as s:
            rows = _table(s, name, now, f)
        keys = ["key", *(c[0] for c in COLUMNS)]
        heading = "cohort" if name == "cohorts" else BREAKDOWNS.get(name, name)
        if name == "cohorts":
            rows = [{**r, "key": r["label"]} for r in rows]
        return csv_response(
            f"recoup-{name}-{now.date().isoformat()}.csv",
            [heading, *(c[0] for c in COLUMNS)], dict_rows(rows, keys),
        )  # fmt: skip

    return router
