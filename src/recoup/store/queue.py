"""The review queue as operators work it in the console: filtered, ordered, taken.

One query joins each review item with its case (amount, owner), the account (name,
company) and the invoice (number); filters and order are SQL, so a queue of many thousand
items costs one indexed scan and a sort, and ``limit`` bounds what a page receives.

An owner sees their own accounts' items first: ``mine`` compares the case's owner (the
account owner's display name, ``cases.owner``) with the signed-in person's name.

Taking an item is a fact twice over, as with Slack's "Take it" (``recoup.store.review_actions``):
``assignee``/``assigned_at`` on the item, and a ``review_taken`` audit entry naming the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, case, select
from sqlalchemy.orm import Session

from recoup.domain.errors import InputError, UnknownRecordError
from recoup.store import repo
from recoup.store.review_actions import APPROVAL_REASON
from recoup.store.tables import AccountRow, CaseRow, InvoiceRow, ReviewItemRow

__all__ = [
    "DEFAULT_LIMIT",
    "NotOpenError",
    "QueueFilter",
    "owners",
    "queue",
    "queue_item",
    "reasons",
    "take",
]

DEFAULT_LIMIT = 500


class NotOpenError(InputError):
    """The review item was already resolved (or decided): nothing was changed."""


@dataclass(frozen=True)
class QueueFilter:
    """What the queue page asks for; None means "any". Ages are in days, amounts in the
    invoice's currency. ``status`` is ``open`` or ``resolved`` (None: both); ``sort`` is
    ``newest`` or ``largest`` (anything else reads as newest), each breaking ties by the
    other, and the item key last so the order is stable."""

    reason: str | None = None
    owner: str | None = None
    min_age_days: float | None = None
    max_age_days: float | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    status: str | None = "open"
    sort: str | None = "newest"
    limit: int = DEFAULT_LIMIT


_COLUMNS = (  # in the order of ``_Query``
    ReviewItemRow,
    CaseRow.amount,
    CaseRow.currency,
    CaseRow.owner,
    AccountRow.name,
    AccountRow.company,
    InvoiceRow.number,
)


#: One queue row: the item, then the case's amount, currency and owner, the account's name
#: and company, and the invoice's number (None when enrichment stored no account or invoice).
_Query = Select[ReviewItemRow, Decimal | None, str | None, str | None, str, str, str]


def _joined() -> _Query:
    """Items with their case, and the account and invoice when enrichment stored them."""
    return (
        select(*_COLUMNS)
        .join(CaseRow, CaseRow.case_id == ReviewItemRow.case_id)
        .outerjoin(AccountRow, AccountRow.account_id == CaseRow.account_id)
        .outerjoin(InvoiceRow, InvoiceRow.invoice_ref == CaseRow.invoice_ref)
    )


def _query(f: QueueFilter, now: datetime, me_owner: str | None) -> _Query:
    query = _joined()
    if f.status:
        query = query.where(ReviewItemRow.status == f.status)
    if f.reason:
        query = query.where(ReviewItemRow.reason == f.reason)
    if f.owner:
        query = query.where(CaseRow.owner == f.owner)
    if f.min_age_days is not None:
        query = query.where(ReviewItemRow.created_at <= now - timedelta(days=f.min_age_days))
    if f.max_age_days is not None:
        query = query.where(ReviewItemRow.created_at >= now - timedelta(days=f.max_age_days))
    if f.min_amount is not None:
        query = query.where(CaseRow.amount >= f.min_amount)
    if f.max_amount is not None:
        query = query.where(CaseRow.amount <= f.max_amount)
    newest, largest = ReviewItemRow.created_at.desc(), CaseRow.amount.desc().nulls_last()
    order: list[ColumnElement[Any]] = (
        [largest, newest] if f.sort == "largest" else [newest, largest]
    )
    if me_owner:
        order.insert(0, case((CaseRow.owner == me_owner, 0), else_=1))
    return query.order_by(*order, ReviewItemRow.key).limit(max(1, f.limit))


def _plain(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _item(row: Any, now: datetime, me_owner: str | None) -> dict[str, Any]:
    item: ReviewItemRow = row[0]
    amount, currency, owner, name, company, number = row[1:]
    return {
        "key": item.key,
        "case_id": item.case_id,
        "reason": item.reason,
        "status": item.status,
        "summary": item.summary,
        "created_at": _plain(item.created_at),
        "age_days": round((now - item.created_at).total_seconds() / 86_400, 1),
        "amount": None if amount is None else str(amount),
        "currency": currency,
        "owner": owner,
        "account_name": name,
        "company": company,
        "invoice_number": number,
        "assignee": item.assignee,
        "assigned_at": _plain(item.assigned_at),
        "decision": item.decision,
        "resolution": item.resolution,
        "note": item.note,
        "resolved_by": item.resolved_by,
        "resolved_at": _plain(item.resolved_at),
        "is_approval": item.reason == APPROVAL_REASON,
        "mine": bool(me_owner) and owner == me_owner,
    }


def queue(
    session: Session, f: QueueFilter, now: datetime, me_owner: str | None = None
) -> list[dict[str, Any]]:
    """The review items ``f`` selects, ``me_owner``'s accounts first, then by ``f.sort``."""
    return [_item(row, now, me_owner) for row in session.execute(_query(f, now, me_owner))]


def reasons(session: Session) -> list[str]:
    """Every reason an item was ever queued for, for the filter's choices."""
    query = select(ReviewItemRow.reason).distinct().order_by(ReviewItemRow.reason)
    return [str(r) for r in session.scalars(query)]


def owners(session: Session) -> list[str]:
    """The account owners whose cases have review items, for the filter's choices."""
    query = (
        select(CaseRow.owner)
        .join(ReviewItemRow, ReviewItemRow.case_id == CaseRow.case_id)
        .where(CaseRow.owner.is_not(None))
        .distinct()
        .order_by(CaseRow.owner)
    )
    return [str(o) for o in session.scalars(query)]


def take(
    session: Session, key: str, actor_ref: str, actor_name: str, at: datetime
) -> dict[str, Any]:
    """Assign the open item ``key`` to ``actor_ref``; the item as the queue shows it.

    A second click by the same person changes nothing; another person's take moves the item
    to them (the last click is who owns it now), each move audited as ``review_taken``."""
    item = session.get(ReviewItemRow, key)
    if item is None:
        raise UnknownRecordError(f"no review item {key!r}")
    if item.status != "open":
        raise NotOpenError(f"review item {key!r} is {item.status}, not open")
    if item.assignee != actor_ref:
        item.assignee, item.assigned_at = actor_ref, at
        repo.audit(
            session,
            f"{key}:taken:{actor_ref}:{at.isoformat()}",
            item.case_id,
            at,
            "review_taken",
            {
                "assignee": actor_ref,
                "assignee_name": actor_name,
                "review_items": [key],
                "alert": None,
                "via": "console",
            },
            actor="console",
        )
        session.flush()
    found = queue_item(session, key, at)
    assert found is not None
    return found


def queue_item(session: Session, key: str, now: datetime) -> dict[str, Any] | None:
    """One item as the queue shows it (whatever its status), or None."""
    row = session.execute(_joined().where(ReviewItemRow.key == key)).first()
    return None if row is None else _item(row, now, None)
