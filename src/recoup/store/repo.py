"""Writes that must happen once: every helper here is safe to call again with the same key.

DBOS steps run at least once, so a step re-run after a crash calls these again; a unique key
turns the second insert into a read of the first. Inserts go through a SAVEPOINT so a
duplicate does not abort the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from recoup.agent.redact import redact
from recoup.domain.models import Invoice, TriggerEvent, jsonable
from recoup.store import guard
from recoup.store.tables import AuditRow, Base, CaseRow, InvoiceRow, TriggerEventRow

RowT = TypeVar("RowT", bound=Base)


def insert_once(session: Session, row: Base) -> bool:
    """Insert ``row`` unless a unique key of it exists; True when it was inserted."""
    return insert_returning(session, row) is not None


def insert_returning(session: Session, row: Base) -> tuple[Any, ...] | None:
    """Insert ``row`` unless a unique key of it exists; its primary key when inserted.

    ``INSERT ... ON CONFLICT DO NOTHING RETURNING pk`` (SQLite and PostgreSQL alike) rather
    than a savepoint and a caught IntegrityError: one round trip, no aborted statement, and a
    returned row exactly when it inserted (``rowcount`` is -1 through psycopg here). Being a
    Core insert it bypasses the flush hook, so the card guard is applied here.
    """
    table = cast(Table, row.__table__)
    values = {
        c.key: guard.scrub(getattr(row, c.key))
        for c in table.columns
        if getattr(row, c.key) is not None
    }
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    statement = insert(table).values(**values).on_conflict_do_nothing()
    inserted = session.execute(statement.returning(*table.primary_key.columns)).first()
    return None if inserted is None else tuple(inserted)


def audit(
    session: Session,
    key: str,
    case_id: str | None,
    at: datetime,
    action: str,
    detail: dict[str, Any] | None = None,
    actor: str = "workflow",
) -> None:
    """Append one audit entry, once per key; free text in it is redacted first."""
    clean = {k: redact(v) if isinstance(v, str) else v for k, v in (detail or {}).items()}
    insert_once(
        session,
        AuditRow(key=key, case_id=case_id, at=at, actor=actor, action=action, detail=clean),
    )


def record_trigger(
    session: Session, trigger: TriggerEvent, payload: dict[str, Any], received_at: datetime
) -> int | None:
    """Store a trigger event; its row ID, or None when ``(source, event_id)`` was stored."""
    row = TriggerEventRow(
        source=trigger.source,
        event_id=trigger.event_id,
        event_type=trigger.event_type,
        kind=trigger.kind.value,
        occurred_at=trigger.occurred_at,
        received_at=received_at,
        invoice_ref=trigger.invoice_ref,
        customer_ref=trigger.customer_ref,
        payload={"event": payload, "trigger": jsonable(trigger), "result": "pending"},
    )
    inserted = insert_returning(session, row)
    return None if inserted is None else int(inserted[0])


def get_case(session: Session, case_id: str) -> CaseRow | None:
    return session.get(CaseRow, case_id)


def stored_invoice(row: InvoiceRow) -> Invoice:
    """The invoice as enrichment stored it: what code that must not ask billing again (a
    resolution, the dry run) works from."""
    return Invoice(
        invoice_ref=row.invoice_ref,
        number=row.number,
        customer_ref=row.customer_ref,
        amount=row.amount,
        currency=row.currency,
        due_date=row.due_date,
        status=row.status,
        failure_reason=row.failure_reason,
        prior_failures=row.prior_failures,
    )


def case_for_invoice(session: Session, invoice_ref: str) -> CaseRow | None:
    return session.scalars(select(CaseRow).where(CaseRow.invoice_ref == invoice_ref)).first()


def create_case(
    session: Session, case_id: str, trigger: TriggerEvent, at: datetime, seq: int
) -> bool:
    """Open the case row once. ``seq`` is the opening event's row ID: unique and increasing
    without a read-then-write race, it orders cases by arrival for "first N runs"."""
    row = CaseRow(
        case_id=case_id,
        seq=seq,
        invoice_ref=trigger.invoice_ref or case_id,
        source=trigger.source,
        trigger_kind=trigger.kind.value,
        amount=trigger.amount,
        currency=trigger.currency,
        status="open",
        opened_at=at,
    )
    return insert_once(session, row)


def first_or_none(session: Session, model: type[RowT], **where: Any) -> RowT | None:
    """The first row of ``model`` matching the equality filters."""
    query = select(model).filter_by(**where)
    return session.scalars(query).first()
