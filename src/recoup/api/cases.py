"""``/api``: cases, one case's timeline and audit trail, metrics, and review decisions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from dbos import DBOS
from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel

from recoup.api.deps import RuntimeDep, require_token
from recoup.domain import metrics
from recoup.store import views
from recoup.store.facts import load_facts
from recoup.workflows.case import SIGNAL

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
    decision: Literal["approve", "reject"]
    note: str = ""


@router.get("/review")
def review_queue(runtime: RuntimeDep, status: str = "open") -> list[dict[str, Any]]:
    """The human-owned review queue."""
    with runtime.db.session() as s:
        return views.review_items(s, status)


@router.post("/review/{key:path}")
def decide_review(key: str, body: Decision, runtime: RuntimeDep) -> dict[str, Any]:
    """Approve or reject a held review item; the waiting workflow carries on."""
    with runtime.db.session() as s:
        item = views.resolve_review(s, key, body.decision, body.note, runtime.clock.now())
    if item is None:
        raise HTTPException(status_code=404, detail=f"no open review item {key!r}")
    DBOS.send(
        item["case_id"],
        {"type": "review", "decision": body.decision, "key": key},
        topic=SIGNAL,
        idempotency_key=f"review:{key}",
    )
    return item
