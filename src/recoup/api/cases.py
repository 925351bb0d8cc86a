"""``/api``: cases, one case's timeline and audit trail, metrics, and review decisions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel

from recoup.api.deps import RuntimeDep, require_token
from recoup.domain import metrics
from recoup.domain.errors import UnknownRecordError
from recoup.store import views
from recoup.store.facts import load_facts
from recoup.store.queue import NotOpenError
from recoup.store.review_actions import APPROVAL_REASON
from recoup.store.tables import ReviewItemRow
from recoup.workflows import resolution
from recoup.workflows.resolution import ResolutionError
from recoup.workflows.runtime import Runtime

router = APIRouter(prefix="/api", dependencies=[Depends(require_token)])


@router.get("/cases")
def list_cases(
    runtime: RuntimeDep,
    status: str | None = None,
    outcome: str | None = None,
    invoice: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Cases, newest first, filtered by status, outcome or invoice reference."""
    with runtime.db.session() as s:
        return views.list_cases(s, status=status, outcome=outcome, invoice_ref=invoice, limit=limit)


@router.get("/cases/{case_id}")
def get_case(case_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    """One case with its calls, messages, alerts, reviews, write-backs and audit trail."""
    with runtime.db.session() as s:
        found = views.case_detail(s, case_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no case {case_id!r}")
    return found


@router.get("/metrics")
def get_metrics(
    runtime: RuntimeDep,
    group_by: Literal["week", "source", "segment", "owner", "outcome"] | None = None,
) -> dict[str, Any]:
    """The success metrics over all cases, optionally per week, source, segment, owner, outcome."""
    with runtime.db.session() as s:
        facts = load_facts(s)
    now = runtime.clock.now()
    body: dict[str, Any] = {"overall": metrics.summarise(facts, now)}
    if group_by is not None:
        body["by"] = {group_by: metrics.by(facts, group_by, now)}
    return body


class Decision(BaseModel):
    """A person's decision on a review item. ``correct`` (first-run approvals only) puts
    ``outcome`` (and ``promise_date`` for a promise) in place of the agent's disposition."""

    decision: Literal["approve", "correct", "reject"]
    note: str = ""
    outcome: str | None = None
    promise_date: date | None = None


@router.get("/review")
def review_queue(runtime: RuntimeDep, status: str = "open") -> list[dict[str, Any]]:
    """The human-owned review queue."""
    with runtime.db.session() as s:
        return views.review_items(s, status)


@router.post("/review/{key:path}")
def decide_review(key: str, body: Decision, runtime: RuntimeDep) -> dict[str, Any]:
    """Approve, correct or reject a held first-run disposition, or approve or reject any
    other open review item; the waiting workflow carries on."""
    with runtime.db.session() as s:
        found = s.get(ReviewItemRow, key)
        approval = found is not None and found.reason == APPROVAL_REASON
    if approval:
        return _decide_approval(key, body, runtime)
    if body.decision == "correct":
        raise HTTPException(status_code=422, detail="only a first-run approval is corrected")
    with runtime.db.session() as s:
        item = views.resolve_review(s, key, body.decision, body.note, runtime.clock.now())
    if item is None:
        raise HTTPException(status_code=404, detail=f"no open review item {key!r}")
    message = {"type": "review", "decision": body.decision, "key": key}
    runtime.dispatcher.signal(item["case_id"], message, f"review:{key}")
    return item


def _decide_approval(key: str, body: Decision, runtime: Runtime) -> dict[str, Any]:
    try:
        return resolution.decide_approval(
            runtime, key, body.decision, body.note, "api", body.outcome, body.promise_date
        )
    except (UnknownRecordError, NotOpenError) as exc:
        raise HTTPException(status_code=404, detail=f"no open review item {key!r}") from exc
    except ResolutionError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
