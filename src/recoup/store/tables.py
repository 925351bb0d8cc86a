"""SQLAlchemy 2 tables: the facts Recoup keeps, from which every metric is computed.

Uniqueness constraints carry the idempotency guarantees: a trigger event is unique by
``(source, event_id)``, a call by ``call_id``, a message, alert or write-back by its key, so a
step that re-runs after a crash finds its earlier row instead of adding another. Times are
stored as UTC and read back timezone-aware on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, whatever the backend keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Money = Numeric(14, 2)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        Decimal: Money,
        dict[str, Any]: JSON,
    }


class TriggerEventRow(Base):
    __tablename__ = "trigger_events"
    __table_args__ = (UniqueConstraint("source", "event_id", name="uq_trigger_source_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    invoice_ref: Mapped[str | None] = mapped_column(String(255), index=True)
    customer_ref: Mapped[str | None] = mapped_column(String(255))
    case_id: Mapped[str | None] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(20), default="recorded")
    payload: Mapped[dict[str, Any]]


class AccountRow(Base):
    __tablename__ = "accounts"

    account_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    billing_customer_ref: Mapped[str | None] = mapped_column(String(255), index=True)
    name: Mapped[str] = mapped_column(String(255))
    company: Mapped[str] = mapped_column(String(255), default="")
    tier: Mapped[str] = mapped_column(String(40))
    segment: Mapped[str] = mapped_column(String(40))
    owner: Mapped[str | None] = mapped_column(String(255))
    timezone: Mapped[str | None] = mapped_column(String(64))
    opted_out: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict[str, Any]]


class InvoiceRow(Base):
    __tablename__ = "invoices"

    invoice_ref: Mapped[str] = mapped_column(String(255), primary_key=True)
    number: Mapped[str] = mapped_column(String(255))
    customer_ref: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.account_id"))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(8))
    due_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(20))
    failure_reason: Mapped[str | None] = mapped_column(String(80))
    prior_failures: Mapped[int] = mapped_column(default=0)


class CaseRow(Base):
    __tablename__ = "cases"

    case_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    invoice_ref: Mapped[str] = mapped_column(String(255), unique=True)
    source: Mapped[str] = mapped_column(String(40))
    trigger_kind: Mapped[str] = mapped_column(String(40))
    account_id: Mapped[str | None] = mapped_column(String(255))
    segment: Mapped[str | None] = mapped_column(String(40))
    owner: Mapped[str | None] = mapped_column(String(255))
    amount: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(8))
    due_date: Mapped[date | None]
    match_confidence: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    outcome: Mapped[str | None] = mapped_column(String(40), index=True)
    close_reason: Mapped[str | None] = mapped_column(String(40))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class CallAttemptRow(Base):
    __tablename__ = "call_attempts"

    call_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    attempt_no: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(40))
    placed_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class DispositionRow(Base):
    __tablename__ = "dispositions"

    call_id: Mapped[str] = mapped_column(ForeignKey("call_attempts.call_id"), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    outcome: Mapped[str] = mapped_column(String(40))
    intent: Mapped[str] = mapped_column(String(40))
    escalation_reason: Mapped[str | None] = mapped_column(String(40))
    review_reason: Mapped[str | None] = mapped_column(String(40))
    promise_date: Mapped[date | None]
    created_at: Mapped[datetime]
    data: Mapped[dict[str, Any]]


class PromiseRow(Base):
    __tablename__ = "promises"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    call_id: Mapped[str] = mapped_column(String(255))
    promise_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class MessageRow(Base):
    __tablename__ = "messages"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    to_masked: Mapped[str] = mapped_column(String(255))
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True)
    link_url: Mapped[str] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[datetime]
    opened_at: Mapped[datetime | None]


class AlertRow(Base):
    __tablename__ = "alerts"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    team: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[datetime]


class ReviewItemRow(Base):
    __tablename__ = "review_items"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(String(20))
    #: Who took the item (``slack:U123``) and when; None until someone does.
    assignee: Mapped[str | None] = mapped_column(String(255))
    assigned_at: Mapped[datetime | None]
    #: How a person resolved it in the console (``settled``, ``paid_elsewhere``...), their
    #: note and who they are (``console:ana@example.com``); None until resolved there.
    resolution: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(255))


class WriteBackRow(Base):
    __tablename__ = "write_backs"
    __table_args__ = (UniqueConstraint("key", "system", name="uq_write_back_key_system"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255))
    system: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    outcome: Mapped[str] = mapped_column(String(40))
    provider_id: Mapped[str | None] = mapped_column(String(255))
    written_at: Mapped[datetime]


class PaymentRow(Base):
    __tablename__ = "payments"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    invoice_ref: Mapped[str] = mapped_column(String(255), index=True)
    case_id: Mapped[str | None] = mapped_column(String(255), index=True)
    amount: Mapped[Decimal | None]
    paid_at: Mapped[datetime]


class AuditRow(Base):
    """Append-only: rows are inserted, never updated or deleted (no code path does)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_case_at", "case_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    case_id: Mapped[str | None] = mapped_column(String(255))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]]


class VoiceCallRow(Base):
    """One outbound phone call served by webhooks: its state lives here, not in a process,
    so any replica can answer the next turn. ``heard`` holds each reply as understood (text
    redacted) for ``recoup.agent.resume`` to replay; ``turn`` counts them, so a re-delivered
    webhook is answered from ``last_twiml`` instead of being heard twice. No foreign key to
    ``cases``: the telephony adapter records its intent to dial before anything else, and its
    contract tests run it without a case."""

    __tablename__ = "voice_calls"

    call_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(255), index=True)
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: dialing -> dialed -> answered -> ended
    state: Mapped[str] = mapped_column(String(20))
    provider_status: Mapped[str | None] = mapped_column(String(20))
    answered_by: Mapped[str | None] = mapped_column(String(40))
    request: Mapped[dict[str, Any]]
    pickup: Mapped[str | None] = mapped_column(String(20))
    dialog_now: Mapped[datetime | None]
    turn: Mapped[int] = mapped_column(Integer, default=0)
    heard: Mapped[list[Any]] = mapped_column(JSON, default=list)
    transcript: Mapped[list[Any]] = mapped_column(JSON, default=list)
    last_twiml: Mapped[str | None] = mapped_column(Text)
    disposition: Mapped[dict[str, Any] | None]
    #: Wall-clock time of the intent to dial: the provider's records are searched from here.
    dial_intent_at: Mapped[datetime]
    updated_at: Mapped[datetime]


# The console's tables share this metadata; imported last because they import ``Base``.
from recoup.store import tables_console  # noqa: E402, F401
