"""The review queue and one item's page: take it, resolve it, or decide a first-runs approval.

Reading goes through :mod:`recoup.store.queue`; every change goes through
:mod:`recoup.workflows.resolution` (a durable workflow that writes back, closes the case and
audits each step), so the console never changes a case behind the workflow's back. Owners see
the items of their own accounts first. Every form post carries the session's CSRF token.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from recoup.api.deps import RuntimeDep
from recoup.console.auth import SignedIn
from recoup.console.csvexport import csv_response, dict_rows
from recoup.console.security import SignedInDep, check_csrf, require
from recoup.console.web import (
    optional_date,
    optional_decimal,
    optional_int,
    query_string,
    redirect,
    render,
    urlpart,
)
from recoup.domain.errors import RecoupError
from recoup.domain.models import Outcome
from recoup.store import queue as queue_store
from recoup.store.queue import QueueFilter
from recoup.store.tables import CaseRow
from recoup.workflows import resolution

WorkerDep = Annotated[SignedIn, Depends(require("work_queue"))]
SORTS = ("newest", "largest")
STATUSES = ("open", "resolved")
#: Promise-bearing choices: the form asks for a date with these.
PROMISE_RESOLUTIONS = ("promise_accepted",)
PROMISE_OUTCOMES = (Outcome.PROMISE_RECORDED.value,)
EXPORT_COLUMNS = (
    "key", "case_id", "reason", "status", "age_days", "amount", "currency", "owner",
    "account_name", "company", "invoice_number", "assignee", "created_at", "summary",
    "resolution", "note", "mine",
)  # fmt: skip


def me_owner(signed: SignedIn) -> str | None:
    """The name an owner's accounts carry in ``cases.owner``; None for a nameless user."""
    return signed.name or None


def filter_from(request: Request) -> QueueFilter:
    """The queue's filters from the query string; unreadable numbers count as not given."""
    p = request.query_params
    sort = p.get("sort") if p.get("sort") in SORTS else "newest"
    status = p.get("status") if p.get("status") in STATUSES else "open"
    return QueueFilter(
        reason=p.get("reason") or None, owner=p.get("owner") or None,
        min_age_days=optional_int(p.get("min_age_days")),
        max_age_days=optional_int(p.get("max_age_days")),
        min_amount=optional_decimal(p.get("min_amount")),
        max_amount=optional_decimal(p.get("max_amount")), status=status, sort=sort,
    )  # fmt: skip


def _filter_params(f: QueueFilter) -> dict[str, Any]:
    return {name: getattr(f, name) for name in ("reason", "owner", "min_age_days",
            "max_age_days", "min_amount", "max_amount", "status", "sort")}  # fmt: skip


def item_detail(session: Session, key: str, now: datetime, me: str | None) -> dict[str, Any] | None:
    """One review item as the queue shows it, with the case's status and due date."""
    item = queue_store.queue_item(session, key, now)
    if item is None:
        return None
    case = session.get(CaseRow, item["case_id"])
    item["mine"] = bool(me) and item["owner"] == me
    return {
        "item": item,
        "case": {"status": case.status if case else "", "segment": case.segment if case else None,
                 "due_date": case.due_date if case else None,
                 "invoice_ref": case.invoice_ref if case else ""},
    }  # fmt: skip


def _item_url(key: str) -> str:
    return f"/review/{urlpart(key)}"


def _actor(signed: SignedIn) -> str:
    return f"console:{signed.email}"


def build_router(templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/queue")
    def queue_page(request: Request, signed: SignedInDep, runtime: RuntimeDep) -> Response:
        f = filter_from(request)
        with runtime.db.session() as s:
            items = queue_store.queue(s, f, runtime.clock.now(), me_owner(signed))
            reasons, owners = queue_store.reasons(s), queue_store.owners(s)
        return render(
            templates, request, "queue.html", signed, items=items, f=f, reasons=reasons,
            owners=owners, sorts=SORTS, statuses=STATUSES,
            qs=query_string(_filter_params(f)), mine=sum(1 for i in items if i.get("mine")),
        )  # fmt: skip

    @router.get("/queue/export.csv")
    def queue_export(request: Request, signed: SignedInDep, runtime: RuntimeDep) -> Response:
        f = filter_from(request)
        now = runtime.clock.now()
        with runtime.db.session() as s:
            items = queue_store.queue(s, f, now, me_owner(signed))
        return csv_response(f"recoup-queue-{now.date().isoformat()}.csv", EXPORT_COLUMNS,
                            dict_rows(items, EXPORT_COLUMNS))  # fmt: skip

    @router.get("/review/{key:path}")
    def item_page(key: str, request: Request, signed: SignedInDep, runtime: RuntimeDep) -> Response:
        now = runtime.clock.now()
        with runtime.db.session() as s:
            found = item_detail(s, key, now, me_owner(signed))
        if found is None:
            raise HTTPException(404, f"no review item {key!r}")
        return render(
            templates, request, "review_item.html", signed, **found,
            resolutions=resolution.RESOLUTIONS, promise_resolutions=PROMISE_RESOLUTIONS,
            outcomes=[o.value for o in resolution.CORRECTABLE],
            promise_outcomes=PROMISE_OUTCOMES, today=now.date(),
            longest_promise=runtime.playbook.longest_promise_days,
            may_work=signed.can("work_queue"),
        )  # fmt: skip

    @router.post("/review/{key:path}/take")
    def take(key: str, signed: WorkerDep, runtime: RuntimeDep,
             csrf_token: Annotated[str, Form()] = "") -> Response:  # fmt: skip
        check_csrf(signed, csrf_token)
        try:
            with runtime.db.session() as s:
                queue_store.take(s, key, _actor(signed), signed.name or signed.email,
                                 runtime.clock.now())  # fmt: skip
        except (RecoupError, ValueError) as exc:
            return redirect(_item_url(key), str(exc), "error")
        return redirect(_item_url(key), "You have taken this item.")

    @router.post("/review/{key:path}/resolve")
    def resolve(
        key: str, signed: WorkerDep, runtime: RuntimeDep,
        resolution_: Annotated[str, Form(alias="resolution")] = "",
        note: Annotated[str, Form()] = "", promise_date: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:  # fmt: skip
        check_csrf(signed, csrf_token)
        promised, bad = _date_field(promise_date)
        if bad:
            return redirect(_item_url(key), bad, "error")
        try:
            resolution.submit_resolution(runtime, key, resolution_, note, promised, _actor(signed))
        except (RecoupError, ValueError) as exc:
            return redirect(_item_url(key), str(exc), "error")
        return redirect(_item_url(key), f"Resolved as {resolution_.replace('_', ' ')}; "
                        "billing and the CRM are being updated.")  # fmt: skip

    @router.post("/review/{key:path}/decide")
    def decide(
        key: str, signed: WorkerDep, runtime: RuntimeDep,
        decision: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
        outcome: Annotated[str, Form()] = "", promise_date: Annotated[str, Form()] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:  # fmt: skip
        check_csrf(signed, csrf_token)
        if decision not in resolution.DECISIONS:
            return redirect(_item_url(key), "Choose approve, correct or reject.", "error")
        promised, bad = _date_field(promise_date)
        if bad:
            return redirect(_item_url(key), bad, "error")
        try:
            resolution.decide_approval(runtime, key, decision, note, _actor(signed),
                                       outcome=outcome or None, promise_date=promised)  # fmt: skip
        except (RecoupError, ValueError) as exc:
            return redirect(_item_url(key), str(exc), "error")
        done = {"approve": "Approved", "correct": "Corrected", "reject": "Rejected"}[decision]
        return redirect(_item_url(key), f"{done}; the case carries on.")

    return router


def _date_field(value: str) -> tuple[date | None, str]:
    """A form's date, or the message to show when it is not a date."""
    if not value:
        return None, ""
    parsed = optional_date(value)
    return (parsed, "") if parsed else (None, f"{value!r} is not a date (YYYY-MM-DD).")
