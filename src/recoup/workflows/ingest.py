"""Recording billing events and handing them to workflows: what the webhook and CLI call.

Recording and dispatching are separate on purpose: the event row is committed first (so it is
never lost), then the workflow is enqueued or signalled, then the row is marked ``dispatched``.
A crash in between leaves the row ``recorded``; a redelivery of the same event, or
:func:`dispatch_pending` at worker start, finishes the job. Enqueueing and signalling are both
idempotent (workflow ID, idempotency key), so doing them twice is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from recoup.domain.models import OPENING_KINDS, TriggerEvent, TriggerKind, jsonable
from recoup.playbook import Playbook
from recoup.ports import ClockPort
from recoup.store import guard, repo
from recoup.store.tables import InvoiceRow, PaymentRow, TriggerEventRow
from recoup.workflows.case import case_id_for
from recoup.workflows.dispatch import Dispatcher
from recoup.workflows.runtime import Runtime

_STOP_KINDS = frozenset({TriggerKind.DISPUTE_OPENED, TriggerKind.SUBSCRIPTION_CANCELED})


@dataclass(frozen=True)
class IngestResult:
    """``status``: started, joined, payment, stop, ignored or duplicate."""

    status: str
    case_id: str | None = None


def _opens_case(trigger: TriggerEvent, playbook: Playbook) -> bool:
    return (
        trigger.kind in OPENING_KINDS
        and trigger.kind in playbook.triggers
        and trigger.invoice_ref is not None
    )


def _classify(
    session: Session, trigger: TriggerEvent, playbook: Playbook, clock: ClockPort, row_id: int
) -> IngestResult:
    """Decide, inside the recording transaction, what the event means for cases."""
    if _opens_case(trigger, playbook):
        assert trigger.invoice_ref is not None
        case_id = case_id_for(trigger.source, trigger.invoice_ref)
        created = repo.create_case(session, case_id, trigger, clock.now(), seq=row_id)
        return IngestResult("started" if created else "joined", case_id)
    case = repo.case_for_invoice(session, trigger.invoice_ref) if trigger.invoice_ref else None
    existing = case.case_id if case else None
    if trigger.kind is TriggerKind.PAYMENT_SUCCEEDED and trigger.invoice_ref:
        repo.insert_once(
            session,
            PaymentRow(
                key=f"{trigger.source}:{trigger.event_id}",
                invoice_ref=trigger.invoice_ref,
                case_id=existing,
                amount=trigger.amount,
                paid_at=trigger.occurred_at,
            ),
        )
        invoice = session.get(InvoiceRow, trigger.invoice_ref)
        if invoice is not None:
            invoice.status = "paid"
        return IngestResult("payment", existing)
    if trigger.kind in _STOP_KINDS and existing:
        return IngestResult("stop", existing)
    return IngestResult("ignored", existing)


def dispatch(dispatcher: Dispatcher, trigger: TriggerEvent, result: IngestResult) -> None:
    """Start or signal the case's workflow; safe to repeat."""
    if result.case_id is None:
        return
    key = f"{trigger.source}:{trigger.event_id}"
    if result.status in ("started", "joined"):
        dispatcher.enqueue_case(result.case_id, trigger)
    elif result.status == "payment":
        dispatcher.signal(
            result.case_id, {"type": "paid", "at": trigger.occurred_at.isoformat()}, key
        )
    elif result.status == "stop":
        dispatcher.signal(result.case_id, {"type": "stop", "reason": trigger.kind.value}, key)


def ingest(
    rt: Runtime, trigger: TriggerEvent, payload: dict[str, Any] | None = None
) -> IngestResult:
    """Record ``trigger`` once and hand it on; a repeat delivery changes nothing.

    A repeat of an event whose dispatch a crash (or a concurrent first delivery) has not yet
    finished dispatches it again, harmlessly, and still reports ``duplicate``."""
    db, clock, playbook, dispatcher = rt.db, rt.clock, rt.playbook, rt.dispatcher
    with db.session() as s:
        row_id = repo.record_trigger(s, trigger, payload or {}, clock.now())
        if row_id is None:
            row = _trigger_row(s, trigger)
            repeat = IngestResult("duplicate", row.case_id)
            if row.status != "recorded":
                return repeat
            result = IngestResult(_status_of(row), row.case_id)
        else:
            result = _classify(s, trigger, playbook, clock, row_id)
            repo.audit(
                s,
                f"{trigger.source}:{trigger.event_id}:received",
                result.case_id,
                clock.now(),
                f"event_{result.status}",
                {"type": trigger.event_type, "event_id": trigger.event_id},
                actor=trigger.source,
            )
            stored = {"event": payload or {}, "trigger": jsonable(trigger), "result": result.status}
            _set(s, trigger, case_id=result.case_id, payload=stored)
    dispatch(dispatcher, trigger, result)
    with db.session() as s:
        _set(s, trigger, status="dispatched")
    return result if row_id is not None else repeat


def _set(session: Session, trigger: TriggerEvent, **values: Any) -> None:
    """Update the trigger's row in one statement (no read first)."""
    session.execute(
        update(TriggerEventRow)
        .where(TriggerEventRow.source == trigger.source)
        .where(TriggerEventRow.event_id == trigger.event_id)
        .values(**guard.scrub(values))
    )


def _trigger_row(session: Session, trigger: TriggerEvent) -> TriggerEventRow:
    return session.scalars(
        select(TriggerEventRow).where(
            TriggerEventRow.source == trigger.source, TriggerEventRow.event_id == trigger.event_id
        )
    ).one()


def _status_of(row: TriggerEventRow) -> str:
    return str(row.payload.get("result", "ignored"))


def dispatch_pending(rt: Runtime) -> int:
    """Finish dispatching events a crash left ``recorded``; returns how many."""
    db, dispatcher = rt.db, rt.dispatcher
    with db.session() as s:
        rows = s.scalars(select(TriggerEventRow).where(TriggerEventRow.status == "recorded")).all()
        pending = [
            (TriggerEvent.model_validate(r.payload["trigger"]), r.case_id, _status_of(r))
            for r in rows
            if "trigger" in r.payload
        ]
    for trigger, case_id, status in pending:
        dispatch(dispatcher, trigger, IngestResult(status, case_id))
        with db.session() as s:
            _set(s, trigger, status="dispatched")
    return len(pending)
