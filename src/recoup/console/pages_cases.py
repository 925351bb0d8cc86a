"""Cases: the list, one case's story (timeline, calls, write-backs, audit trail), and the
simulated vendors' records that write-backs link to when no real vendor is configured.

The story is :func:`recoup.store.timeline.timeline`; links to where a write-back landed come
from :mod:`recoup.console.destinations`, built once from settings.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from recoup.api.deps import RuntimeDep
from recoup.console.csvexport import csv_response, dict_rows
from recoup.console.destinations import SimRecords
from recoup.console.security import SignedInDep
from recoup.console.web import query_string, render
from recoup.store import timeline as timeline_store
from recoup.store.tables import AccountRow, CaseRow, InvoiceRow
from recoup.workflows.runtime import Runtime

PAGE_SIZE = 100
EXPORT_LIMIT = 100_000
CASE_COLUMNS = (
    "seq", "case_id", "account_name", "company", "invoice_number", "invoice_ref", "amount",
    "currency", "owner", "status", "close_reason", "outcome", "opened_at",
)  # fmt: skip
AUDIT_COLUMNS = ("id", "at", "actor", "action", "key", "detail")


#: A case with its account's name and company and its invoice's number (outer joins).
_CaseQuery = Select[CaseRow, str, str, str]


def _case_query(status: str | None, outcome: str | None, q: str | None) -> _CaseQuery:
    query = (
        select(CaseRow, AccountRow.name, AccountRow.company, InvoiceRow.number)
        .outerjoin(AccountRow, AccountRow.account_id == CaseRow.account_id)
        .outerjoin(InvoiceRow, InvoiceRow.invoice_ref == CaseRow.invoice_ref)
    )
    if status:
        query = query.where(CaseRow.status == status)
    if outcome:
        query = query.where(CaseRow.outcome == outcome)
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(or_(*(func.lower(c).like(like) for c in (
            CaseRow.case_id, CaseRow.invoice_ref, CaseRow.owner, AccountRow.name,
            AccountRow.company, InvoiceRow.number))))  # fmt: skip
    return query


def list_cases(
    session: Session, status: str | None, outcome: str | None, q: str | None,
    offset: int = 0, limit: int = PAGE_SIZE,
) -> list[dict[str, Any]]:  # fmt: skip
    """Cases matching the filters, newest first."""
    query = _case_query(status, outcome, q).order_by(CaseRow.seq.desc())
    rows = session.execute(query.offset(offset).limit(limit)).all()
    return [
        {"case_id": c.case_id, "seq": c.seq, "status": c.status, "outcome": c.outcome,
         "close_reason": c.close_reason, "owner": c.owner, "amount": c.amount,
         "currency": c.currency, "opened_at": c.opened_at, "invoice_ref": c.invoice_ref,
         "invoice_number": number, "account_name": name, "company": company}
        for c, name, company, number in rows
    ]  # fmt: skip


def choices(session: Session) -> dict[str, list[str]]:
    """The statuses and outcomes cases have, for the filter's selects."""

    def distinct(column: Any) -> list[str]:
        return [str(v) for v in session.scalars(select(column).distinct().order_by(column)) if v]

    return {"status": distinct(CaseRow.status), "outcome": distinct(CaseRow.outcome)}


def build_router(templates: Jinja2Templates, sims: SimRecords) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/cases")
    def cases_page(
        request: Request, signed: SignedInDep, runtime: RuntimeDep,
        status: str | None = None, outcome: str | None = None, q: str | None = None,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    ) -> Response:  # fmt: skip
        offset = (page - 1) * PAGE_SIZE
        with runtime.db.session() as s:
            cases = list_cases(s, status or None, outcome or None, q or None, offset,
                               PAGE_SIZE + 1)  # fmt: skip
            options = choices(s)
        params = {"status": status, "outcome": outcome, "q": q}
        return render(
            templates, request, "cases.html", signed, cases=cases[:PAGE_SIZE], page=page,
            more=len(cases) > PAGE_SIZE, options=options, status=status or "",
            outcome=outcome or "", q=q or "", qs=query_string(params),
            prev_qs=query_string({**params, "page": page - 1 if page > 2 else None}),
            next_qs=query_string({**params, "page": page + 1}),
        )  # fmt: skip

    @router.get("/cases/export.csv")
    def cases_export(
        signed: SignedInDep, runtime: RuntimeDep, status: str | None = None,
        outcome: str | None = None, q: str | None = None,
    ) -> Response:  # fmt: skip
        """Every case the filters match (up to :data:`EXPORT_LIMIT`), not just one page."""
        with runtime.db.session() as s:
            cases = list_cases(s, status or None, outcome or None, q or None, 0, EXPORT_LIMIT)
        name = f"recoup-cases-{runtime.clock.now().date().isoformat()}.csv"
        return csv_response(name, CASE_COLUMNS, dict_rows(cases, CASE_COLUMNS))

    @router.get("/cases/{case_id:path}/audit.csv")
    def audit_export(case_id: str, signed: SignedInDep, runtime: RuntimeDep) -> Response:
        story = _story(runtime, case_id, sims)
        rows = [[a.get(c) for c in AUDIT_COLUMNS] for a in story["audit"]]
        return csv_response(f"recoup-audit-{case_id.replace(':', '_')}.csv", AUDIT_COLUMNS, rows)

    @router.get("/cases/{case_id:path}")
    def case_page(
        case_id: str, request: Request, signed: SignedInDep, runtime: RuntimeDep
    ) -> Response:
        story = _story(runtime, case_id, sims)
        return render(templates, request, "case.html", signed, case_id=case_id, **story)

    @router.get("/sim/{system}/{key:path}")
    def sim_record(system: str, key: str, request: Request, signed: SignedInDep) -> Response:
        found = sims.record(system, key)
        if found is None:
            raise HTTPException(404, f"no simulated {system} record {key!r}")
        return render(templates, request, "sim_record.html", signed, system=system, key=key,
                      **found)  # fmt: skip

    return router


def _story(runtime: Runtime, case_id: str, sims: SimRecords) -> dict[str, Any]:
    with runtime.db.session() as s:
        story = timeline_store.timeline(s, case_id, sims.destinations)
    if story is None:
        raise HTTPException(404, f"no case {case_id!r}")
    return story
