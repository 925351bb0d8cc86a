"""The playbook in plain language, and a dry run of it over recent billing events.

Reading the rules is open to every role; the dry run (which replays real events and shows
who would be called) is for the roles that change the rules. It writes nothing, so it is a
GET: a person can bookmark "the last 30 days" and share it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from recoup.api.deps import RuntimeDep
from recoup.console import dryrun
from recoup.console.auth import SignedIn
from recoup.console.csvexport import csv_response, dict_rows
from recoup.console.security import SignedInDep, require
from recoup.console.web import render
from recoup.workflows.runtime import Runtime

DryRunnerDep = Annotated[SignedIn, Depends(require("dry_run"))]
Days = Annotated[int, Query(ge=1, le=366)]
EXPORT_COLUMNS = (
    "occurred_at", "event_id", "source", "kind", "invoice", "account", "amount", "currency",
    "segment", "action", "reason", "why", "call_at", "case_id", "actual", "actual_action",
)  # fmt: skip


def run(runtime: Runtime, days: int) -> dryrun.DryRunReport:
    """The dry run over the ``days`` ending now (the runtime's clock: simulated in the demo)."""
    start, end = dryrun.default_window(runtime.clock.now(), days)
    with runtime.db.session() as s:
        return dryrun.dry_run(s, runtime.playbook, start, end)


def _rows(report: dryrun.DryRunReport) -> list[dict[str, Any]]:
    return [asdict(r) for r in report.rows]


def build_router(templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def page(request: Request, signed: SignedIn, runtime: Runtime, **extra: Any) -> Response:
        return render(
            templates, request, "playbook.html", signed,
            sections=dryrun.rules(runtime.playbook), may_dry_run=signed.can("dry_run"),
            default_days=dryrun.DEFAULT_DAYS, actions=dryrun.ACTIONS, **extra,
        )  # fmt: skip

    @router.get("/playbook")
    def playbook_page(request: Request, signed: SignedInDep, runtime: RuntimeDep) -> Response:
        return page(request, signed, runtime, report=None, days=dryrun.DEFAULT_DAYS)

    @router.get("/playbook/dry-run")
    def dry_run_page(
        request: Request, signed: DryRunnerDep, runtime: RuntimeDep,
        days: Days = dryrun.DEFAULT_DAYS,
    ) -> Response:  # fmt: skip
        report = run(runtime, days)
        return page(request, signed, runtime, report=report, rows=_rows(report), days=days)

    @router.get("/playbook/dry-run.csv")
    def dry_run_export(
        signed: DryRunnerDep, runtime: RuntimeDep, days: Days = dryrun.DEFAULT_DAYS
    ) -> Response:
        report = run(runtime, days)
        return csv_response(
            f"recoup-dry-run-{days}d-{report.end.date().isoformat()}.csv", EXPORT_COLUMNS,
            dict_rows(_rows(report), EXPORT_COLUMNS),
        )  # fmt: skip

    return router
