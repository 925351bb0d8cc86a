"""The console's review queue: filters and order in SQL, an owner's items first, taking."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from recoup.domain.errors import UnknownRecordError
from recoup.store import queue as q
from recoup.store.db import Database
from recoup.store.migrate import upgrade
from recoup.store.tables import AccountRow, AuditRow, CaseRow, InvoiceRow, ReviewItemRow

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    upgrade(db_url)
    database = Database(db_url)
    with database.session() as s:
        seed(s)
    yield database
    database.dispose()


#: (key, reason, age in days, amount, owner, status); "c" has no account or invoice stored.
ITEMS = [
    ("a:review", "hardship", 1.0, "120.00", "Dana Whitfield", "open"),
    ("b:policy", "high_value", 3.0, "9000.00", "Sam Ortiz", "open"),
    ("c:match", "low_confidence_match", 0.5, None, None, "open"),
    ("d:approval", "first_runs_approval", 2.0, "480.00", "Dana Whitfield", "open"),
    ("e:review", "hardship", 10.0, "75.50", "Sam Ortiz", "open"),
    ("f:review", "claimed_paid", 5.0, "300.00", "Dana Whitfield", "resolved"),
]


def seed(s: Session) -> None:
    for seq, (key, reason, age, amount, owner, status) in enumerate(ITEMS, start=1):
        name = key.split(":")[0]
        case_id = f"case:stripe:in_{name}"
        if owner is not None:
            s.add(
                AccountRow(
                    account_id=f"acct_{name}",
                    name=f"Person {name.upper()}",
                    company=f"Company {name.upper()}",
                    tier="growth",
                    segment="smb",
                    owner=owner,
                    timezone="UTC",
                    data={},
                )
            )
            s.add(
                InvoiceRow(
                    invoice_ref=f"in_{name}",
                    number=f"INV-{seq:04d}",
                    customer_ref=f"cus_{name}",
                    account_id=f"acct_{name}",
                    amount=Decimal(amount or "0"),
                    currency="usd",
                    due_date=date(2026, 11, 1),
                    status="open",
                )
            )
        s.add(
            CaseRow(
                case_id=case_id,
                seq=seq,
                invoice_ref=f"in_{name}",
                source="stripe",
                trigger_kind="payment_failed",
                account_id=f"acct_{name}" if owner else None,
                segment="smb",
                owner=owner,
                currency="usd",
                status="review",
                amount=Decimal(amount) if amount else None,
                opened_at=NOW - timedelta(days=age + 1),
            )
        )
        s.flush()
        s.add(
            ReviewItemRow(
                key=f"{case_id}:{key.split(':')[1]}",
                case_id=case_id,
                reason=reason,
                status=status,
                summary=f"summary {name}",
                created_at=NOW - timedelta(days=age),
                resolved_at=None,
            )
        )
    s.flush()


def names(items: list[dict[str, object]]) -> list[str]:
    return [str(i["case_id"]).rsplit("_", 1)[1] for i in items]


def test_newest_first_with_every_column_a_page_needs(db: Database) -> None:
    with db.session() as s:
        items = q.queue(s, q.QueueFilter(), NOW)
    assert names(items) == ["c", "a", "d", "b", "e"]  # resolved "f" is not open
    first = items[1]
    assert first == first | {
        "key": "case:stripe:in_a:review",
        "reason": "hardship",
        "status": "open",
        "summary": "summary a",
        "age_days": 1.0,
        "amount": "120.00",
        "currency": "usd",
        "owner": "Dana Whitfield",
        "account_name": "Person A",
        "company": "Company A",
        "invoice_number": "INV-0001",
        "assignee": None,
        "resolution": None,
        "note": None,
        "is_approval": False,
        "mine": False,
    }
    assert items[0]["account_name"] is None  # a case nobody matched still shows
    assert [i["is_approval"] for i in items] == [False, False, True, False, False]


def test_largest_first_puts_unknown_amounts_last(db: Database) -> None:
    with db.session() as s:
        items = q.queue(s, q.QueueFilter(sort="largest"), NOW)
    assert names(items) == ["b", "d", "a", "e", "c"]


def test_an_owner_sees_their_accounts_first(db: Database) -> None:
    with db.session() as s:
        newest = q.queue(s, q.QueueFilter(), NOW, me_owner="Sam Ortiz")
        largest = q.queue(s, q.QueueFilter(sort="largest"), NOW, me_owner="Dana Whitfield")
    assert names(newest) == ["b", "e", "c", "a", "d"]
    assert [i["mine"] for i in newest] == [True, True, False, False, False]
    assert names(largest) == ["d", "a", "b", "e", "c"]


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (q.QueueFilter(reason="hardship"), ["a", "e"]),
        (q.QueueFilter(owner="Dana Whitfield"), ["a", "d"]),
        (q.QueueFilter(min_age_days=2), ["d", "b", "e"]),
        (q.QueueFilter(max_age_days=2), ["c", "a", "d"]),
        (q.QueueFilter(min_age_days=1.5, max_age_days=4), ["d", "b"]),
        (q.QueueFilter(min_amount=Decimal("100")), ["a", "d", "b"]),
        (q.QueueFilter(max_amount=Decimal("480")), ["a", "d", "e"]),
        (q.QueueFilter(status="resolved"), ["f"]),
        (q.QueueFilter(status=None), ["c", "a", "d", "b", "f", "e"]),
        (q.QueueFilter(reason="hardship", owner="Sam Ortiz"), ["e"]),
        (q.QueueFilter(limit=2), ["c", "a"]),
    ],
)
def test_filters(db: Database, f: q.QueueFilter, expected: list[str]) -> None:
    with db.session() as s:
        assert names(q.queue(s, f, NOW)) == expected


def test_filter_choices(db: Database) -> None:
    with db.session() as s:
        assert q.reasons(s) == sorted({item[1] for item in ITEMS})
        assert q.owners(s) == ["Dana Whitfield", "Sam Ortiz"]


def test_take_assigns_once_moves_on_another_click_and_is_audited(db: Database) -> None:
    key = "case:stripe:in_a:review"
    with db.session() as s:
        taken = q.take(s, key, "console:ana@example.com", "Ana", NOW)
    assert (taken["assignee"], taken["key"]) == ("console:ana@example.com", key)
    later = NOW + timedelta(minutes=1)
    with db.session() as s:
        again = q.take(s, key, "console:ana@example.com", "Ana", later)  # a double click
    assert again["assigned_at"] == NOW.isoformat()
    with db.session() as s:
        q.take(s, key, "console:bo@example.com", "Bo", later)
    with db.session() as s:
        item = s.get(ReviewItemRow, key)
        assert item is not None
        assert item.assignee == "console:bo@example.com"
        audit = s.scalars(
            select(AuditRow).where(AuditRow.action == "review_taken").order_by(AuditRow.id)
        ).all()
    assert [a.detail["assignee_name"] for a in audit] == ["Ana", "Bo"]
    assert {a.actor for a in audit} == {"console"}
    assert audit[0].detail["review_items"] == [key]


def test_take_refuses_unknown_and_closed_items(db: Database) -> None:
    with db.session() as s, pytest.raises(UnknownRecordError):
        q.take(s, "nope", "console:ana", "Ana", NOW)
    with db.session() as s, pytest.raises(q.NotOpenError):
        q.take(s, "case:stripe:in_f:review", "console:ana", "Ana", NOW)
