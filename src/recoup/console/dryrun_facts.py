"""What the database recorded about a window's events, loaded in a few queries for the dry run.

Only reads: the dry run must leave every table as it found it. Everything is fetched in bulk
(chunked ``IN`` lists, one query per table) so a month of events costs a handful of round
trips, not several per event. Accounts and invoices are the rows enrichment stored: the dry
run asks no vendor, so an invoice no case ever enriched is reported as not known.

An opt-out is dated where the data allows: a customer who said "do not call me" on a call in
June was callable for a May event. The date is the earliest audit entry that records it (a
call's ``do_not_contact``, an ``opted_out`` message); a flag with no such entry (the CRM's own,
or a number stopped before the account was stored) counts from the beginning of time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recoup.domain.models import Account, Invoice
from recoup.store import repo
from recoup.store.tables import (
    AccountRow,
    AuditRow,
    CallAttemptRow,
    CaseRow,
    InvoiceRow,
    PaymentRow,
    ReviewItemRow,
    TriggerEventRow,
)

#: "Opted out since forever": a flag no audit entry dates.
ALWAYS = datetime.min.replace(tzinfo=UTC)
_CHUNK = 500
T = TypeVar("T")


@dataclass(frozen=True)
class Event:
    """One stored trigger event, as the replay needs it (no contact details)."""

    row_id: int
    source: str
    event_id: str
    kind: str
    occurred_at: datetime
    invoice_ref: str | None
    amount: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True)
class CaseFacts:
    """The case that actually ran for an invoice, and what it did first."""

    case_id: str
    status: str
    close_reason: str | None
    match_confidence: float | None
    calls: int
    #: Review reasons the case opened before any call, by key suffix (``match``, ``policy``).
    reviews: dict[str, str]


@dataclass(frozen=True)
class InvoiceFacts:
    """What enrichment stored about one invoice, plus its payment and its case."""

    invoice: Invoice | None
    account: Account | None
    opted_out_since: datetime | None
    paid_at: datetime | None
    case: CaseFacts | None


@dataclass(frozen=True)
class Facts:
    """The window's events in order, every earlier event of their invoices, and what is known."""

    events: tuple[Event, ...]
    history: dict[str, tuple[Event, ...]]
    invoices: dict[str, InvoiceFacts]


def _chunks(values: Iterable[T]) -> Iterator[list[T]]:
    items = list(values)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _event(row: TriggerEventRow) -> Event:
    trigger: Any = row.payload.get("trigger") if isinstance(row.payload, dict) else None
    amount = currency = None
    if isinstance(trigger, dict):
        raw = trigger.get("amount")
        amount = Decimal(str(raw)) if raw is not None else None
        currency = trigger.get("currency")
    return Event(
        row.id,
        row.source,
        row.event_id,
        row.kind,
        row.occurred_at,
        row.invoice_ref,
        amount,
        currency,
    )


def _events(session: Session, start: datetime, end: datetime) -> tuple[Event, ...]:
    rows = session.scalars(
        select(TriggerEventRow)
        .where(TriggerEventRow.occurred_at >= start, TriggerEventRow.occurred_at < end)
        .order_by(TriggerEventRow.occurred_at, TriggerEventRow.id)
    )
    return tuple(_event(r) for r in rows)


def _history(session: Session, refs: list[str], end: datetime) -> dict[str, tuple[Event, ...]]:
    """Every event of these invoices before ``end`` (earlier ones decide who opened the case)."""
    found: dict[str, list[Event]] = {}
    for chunk in _chunks(refs):
        query = select(TriggerEventRow).where(
            TriggerEventRow.invoice_ref.in_(chunk), TriggerEventRow.occurred_at < end
        )
        for row in session.scalars(query):
            found.setdefault(str(row.invoice_ref), []).append(_event(row))
    return {
        ref: tuple(sorted(events, key=lambda e: (e.occurred_at, e.row_id)))
        for ref, events in found.items()
    }


def _account(row: AccountRow) -> Account | None:
    """The account as enrichment stored it: its JSON, with the columns taking precedence."""
    data = {k: v for k, v in (row.data or {}).items() if k in Account.model_fields}
    data.update(
        account_id=row.account_id,
        name=row.name,
        company=row.company,
        tier=row.tier,
        segment=row.segment,
        owner=row.owner,
        timezone=row.timezone,
        opted_out=row.opted_out or bool(data.get("opted_out")),
    )
    try:
        return Account.model_validate(data)
    except ValidationError:
        return None


def _opt_out_dates(session: Session, account_ids: list[str]) -> dict[str, datetime]:
    """The earliest audited opt-out of each of these accounts."""
    wanted = set(account_ids)
    found: list[tuple[object, datetime]] = []
    for chunk in _chunks(account_ids):
        on_calls = (
            select(CaseRow.account_id, AuditRow.at)
            .join(CaseRow, CaseRow.case_id == AuditRow.case_id)
            .where(AuditRow.action == "do_not_contact", CaseRow.account_id.in_(chunk))
        )
        found += [(account_id, at) for account_id, at in session.execute(on_calls)]
    if wanted:
        by_message = select(AuditRow.detail, AuditRow.at).where(AuditRow.action == "opted_out")
        found += [((d or {}).get("account_id"), at) for d, at in session.execute(by_message)]
    dates: dict[str, datetime] = {}
    for account_id, at in found:
        if isinstance(account_id, str) and account_id in wanted:
            dates[account_id] = min(at, dates.get(account_id, at))
    return dates


def _rows(session: Session, column: Any, values: list[str]) -> list[Any]:
    """Every row of ``column``'s table whose ``column`` is one of ``values``."""
    table = column.class_
    return [
        row
        for chunk in _chunks(values)
        for row in session.scalars(select(table).where(column.in_(chunk)))
    ]


def _cases(session: Session, refs: list[str]) -> dict[str, CaseFacts]:
    rows: list[CaseRow] = _rows(session, CaseRow.invoice_ref, refs)
    ids = [r.case_id for r in rows]
    calls: dict[str, int] = {}
    reviews: dict[str, dict[str, str]] = {}
    for chunk in _chunks(ids):
        counted = (
            select(CallAttemptRow.case_id, func.count())
            .where(CallAttemptRow.case_id.in_(chunk))
            .group_by(CallAttemptRow.case_id)
        )
        calls.update({case_id: int(n) for case_id, n in session.execute(counted)})
        keys = [f"{case_id}:{suffix}" for case_id in chunk for suffix in ("match", "policy")]
        found = select(ReviewItemRow.case_id, ReviewItemRow.key, ReviewItemRow.reason).where(
            ReviewItemRow.key.in_(keys)
        )
        for case_id, key, reason in session.execute(found):
            reviews.setdefault(case_id, {})[key.rsplit(":", 1)[1]] = reason
    return {
        r.invoice_ref: CaseFacts(
            case_id=r.case_id,
            status=r.status,
            close_reason=r.close_reason,
            match_confidence=r.match_confidence,
            calls=calls.get(r.case_id, 0),
            reviews=reviews.get(r.case_id, {}),
        )
        for r in rows
    }


def _paid(session: Session, refs: list[str]) -> dict[str, datetime]:
    paid: dict[str, datetime] = {}
    for chunk in _chunks(refs):
        query = (
            select(PaymentRow.invoice_ref, func.min(PaymentRow.paid_at))
            .where(PaymentRow.invoice_ref.in_(chunk))
            .group_by(PaymentRow.invoice_ref)
        )
        paid.update({str(ref): at for ref, at in session.execute(query)})
    return paid


def _known(session: Session, refs: list[str]) -> dict[str, InvoiceFacts]:
    invoice_rows: list[InvoiceRow] = _rows(session, InvoiceRow.invoice_ref, refs)
    invoices = {r.invoice_ref: r for r in invoice_rows}
    account_ids = sorted({r.account_id for r in invoice_rows if r.account_id})
    account_rows: list[AccountRow] = _rows(session, AccountRow.account_id, account_ids)
    built = {a.account_id: _account(a) for a in account_rows}
    flagged = [i for i, a in built.items() if a is not None and a.opted_out]
    dated = _opt_out_dates(session, flagged)
    cases, paid = _cases(session, refs), _paid(session, refs)
    known = {}
    for ref in refs:
        row = invoices.get(ref)
        account = built.get(row.account_id) if row is not None and row.account_id else None
        since = dated.get(account.account_id, ALWAYS) if account and account.opted_out else None
        known[ref] = InvoiceFacts(
            repo.stored_invoice(row) if row is not None else None,
            account,
            since,
            paid.get(ref),
            cases.get(ref),
        )
    return known


def load(session: Session, start: datetime, end: datetime) -> Facts:
    """Everything the replay of ``[start, end)`` reads, without writing anything."""
    events = _events(session, start, end)
    refs = sorted({e.invoice_ref for e in events if e.invoice_ref})
    return Facts(events, _history(session, refs, end), _known(session, refs))
