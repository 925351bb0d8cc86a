"""Read models for the API and CLI: cases, one case's timeline, the review queue.

Returned as plain JSON-ready dicts so route handlers stay thin; phone numbers and emails are
never part of them (messages carry only the masked address).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from recoup.store import repo
from recoup.store.tables import (
    AlertRow,
    AuditRow,
    Base,
    CallAttemptRow,
    CaseRow,
    DispositionRow,
    MessageRow,
    PromiseRow,
    ReviewItemRow,
    WriteBackRow,
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def row_dict(row: Base, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row's columns as JSON-ready values."""
    return {c.key: _plain(getattr(row, c.key)) for c in row.__table__.columns if c.key not in skip}


def list_cases(
    session: Session, status: str | None, outcome: str | None, invoice_ref: str | None, limit: int
) -> list[dict[str, Any]]:
    query = select(CaseRow).order_by(CaseRow.seq.desc()).limit(limit)
    if status:
        query = query.where(CaseRow.status == status)
    if outcome:
        query = query.where(CaseRow.outcome == outcome)
    if invoice_ref:
        query = query.where(CaseRow.invoice_ref == invoice_ref)
    return [row_dict(row) for row in session.scalars(query)]


def _rows(session: Session, model: type[Base], case_id: str, order: Any) -> list[dict[str, Any]]:
    query = select(model).where(model.case_id == case_id).order_by(order)  # type: ignore[attr-defined]
    return [row_dict(row) for row in session.scalars(query)]


def case_detail(session: Session, case_id: str) -> dict[str, Any] | None:
    """The case, everything that happened in it, and its audit trail in order."""
    case = session.get(CaseRow, case_id)
    if case is None:
        return None
    dispositions = session.scalars(
        select(DispositionRow)
        .where(DispositionRow.case_id == case_id)
        .order_by(DispositionRow.created_at)
    )
    return {
        "case": row_dict(case),
        "calls": _rows(session, CallAttemptRow, case_id, CallAttemptRow.attempt_no),
        "dispositions": [d.data for d in dispositions],
        "promises": _rows(session, PromiseRow, case_id, PromiseRow.created_at),
        "messages": _rows(session, MessageRow, case_id, MessageRow.sent_at),
        "alerts": _rows(session, AlertRow, case_id, AlertRow.sent_at),
        "review_items": _rows(session, ReviewItemRow, case_id, ReviewItemRow.created_at),
        "write_backs": _rows(session, WriteBackRow, case_id, WriteBackRow.id),
        "audit": _rows(session, AuditRow, case_id, AuditRow.id),
    }


def review_items(session: Session, status: str) -> list[dict[str, Any]]:
    """The review queue, oldest first; every column, so ``assignee`` and ``assigned_at`` show
    who took an item (Slack's "Take it") and when, or None while nobody has."""
    query = (
        select(ReviewItemRow)
        .where(ReviewItemRow.status == status)
        .order_by(ReviewItemRow.created_at)
    )
    return [row_dict(row) for row in session.scalars(query)]


def resolve_review(
    session: Session, key: str, decision: str, note: str, at: datetime
) -> dict[str, Any] | None:
    """Close an open review item with a person's decision; None if there is none open."""
    item = session.get(ReviewItemRow, key)
    if item is None or item.status != "open":
        return None
    item.status, item.decision, item.resolved_at = "resolved", decision, at
    repo.audit(
        session,
        f"{key}:decided",
        item.case_id,
        at,
        "review_decided",
        {"decision": decision, "note": note},
        actor="operator",
    )
    return row_dict(item)
