"""Loads :class:`~recoup.domain.metrics.CaseFacts` from the stored facts, one query per table.

A handful of grouped queries rather than one per case, so the metrics page stays fast with
thousands of cases.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recoup.domain.metrics import CaseFacts
from recoup.store.tables import (
    AlertRow,
    CaseRow,
    DispositionRow,
    MessageRow,
    PaymentRow,
    PromiseRow,
    ReviewItemRow,
    TriggerEventRow,
)


def _cases(session: Session, where: dict[str, Any]) -> dict[str, CaseFacts]:
    query = select(CaseRow).filter_by(**{k: v for k, v in where.items() if v is not None})
    return {
        row.case_id: CaseFacts(
            case_id=row.case_id,
            opened_at=row.opened_at,
            source=row.source,
            segment=row.segment,
            owner=row.owner,
            outcome=row.outcome,
            amount=row.amount or Decimal("0"),
            due_date=row.due_date,
            closed_at=row.closed_at,
            paid_at=None,
        )
        for row in session.scalars(query)
    }


def _count(session: Session, column: Any, case_col: Any) -> Counter[str]:
    rows = session.execute(select(case_col, func.count(column)).group_by(case_col)).all()
    return Counter({str(case_id): int(n) for case_id, n in rows})


def _payments(session: Session, facts: dict[str, CaseFacts]) -> None:
    rows = session.execute(
        select(CaseRow.case_id, func.min(PaymentRow.paid_at))
        .join(PaymentRow, PaymentRow.invoice_ref == CaseRow.invoice_ref)
        .group_by(CaseRow.case_id)
    ).all()
    for case_id, paid_at in rows:
        if case_id in facts:
            facts[case_id].paid_at = paid_at


def _dispositions(session: Session, facts: dict[str, CaseFacts]) -> None:
    rows = session.execute(
        select(DispositionRow.case_id, DispositionRow.outcome, DispositionRow.escalation_reason)
    ).all()
    for case_id, outcome, escalation in rows:
        case = facts.get(case_id)
        if case is None:
            continue
        case.call_outcomes.append(outcome)
        case.dispute_escalations += escalation == "dispute"
        case.cancelled |= escalation == "cancellation"


def _links(session: Session, facts: dict[str, CaseFacts]) -> None:
    rows = session.execute(
        select(MessageRow.case_id, MessageRow.sent_at, MessageRow.opened_at).where(
            MessageRow.kind == "link"
        )
    ).all()
    for case_id, sent_at, opened_at in rows:
        if case_id in facts:
            facts[case_id].links_sent.append(sent_at)
            facts[case_id].links_opened += opened_at is not None


def _promises(session: Session, facts: dict[str, CaseFacts]) -> None:
    rows = session.execute(
        select(PromiseRow.case_id, PromiseRow.status, func.count()).group_by(
            PromiseRow.case_id, PromiseRow.status
        )
    ).all()
    for case_id, status, n in rows:
        if case_id in facts:
            facts[case_id].promises[status] += int(n)


def _cancellations(session: Session, facts: dict[str, CaseFacts]) -> None:
    rows = session.execute(
        select(CaseRow.case_id)
        .join(TriggerEventRow, TriggerEventRow.invoice_ref == CaseRow.invoice_ref)
        .where(TriggerEventRow.kind == "subscription_canceled")
    ).all()
    for (case_id,) in rows:
        if case_id in facts:
            facts[case_id].cancelled = True


def load_facts(session: Session, **where: Any) -> list[CaseFacts]:
    """Facts for every case matching the equality filters on ``cases`` columns."""
    facts = _cases(session, where)
    _payments(session, facts)
    _dispositions(session, facts)
    _links(session, facts)
    _promises(session, facts)
    _cancellations(session, facts)
    counts = {
        "messages": _count(session, MessageRow.key, MessageRow.case_id),
        "alerts": _count(session, AlertRow.key, AlertRow.case_id),
        "review_items": _count(session, ReviewItemRow.key, ReviewItemRow.case_id),
    }
    for case in facts.values():
        case.messages = counts["messages"][case.case_id]
        case.alerts = counts["alerts"][case.case_id]
        case.review_items = counts["review_items"][case.case_id]
    return sorted(facts.values(), key=lambda c: c.opened_at)
