"""One contract for the fake vendors on every ledger, plus the clock and the card-number guard."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select, text

from recoup.adapters import clock as clock_mod
from recoup.adapters.clock import AcceleratedClock
from recoup.adapters.fake.billing import FakeBilling
from recoup.adapters.fake.crm import FakeCrm
from recoup.adapters.fake.ledger import Ledger, MemoryLedger, SqlLedger
from recoup.adapters.fake.messaging import FakeAlerts, FakeMessaging
from recoup.domain import models as m
from recoup.store.db import Database, make_engine
from recoup.store.guard import card_numbers, scrub
from recoup.store.migrate import upgrade
from recoup.store.tables import AuditRow

INVOICE = m.Invoice(
    invoice_ref="in_1",
    number="INV-2026-000123",
    customer_ref="cus_1",
    amount=Decimal("120.50"),
    due_date=date(2026, 1, 31),
)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def ledger(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[Ledger]:
    if request.param == "memory":
        yield MemoryLedger()
        return
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    yield SqlLedger(engine)
    engine.dispose()


def message(key: str, body: str = "Pay here") -> m.OutboundMessage:
    return m.OutboundMessage(
        key=key,
        case_id="case_1",
        channel=m.Channel.EMAIL,
        to="ana@example.com",
        subject="Invoice",
        body=body,
        link_url="https://pay.example.test/x",
        tracking_token="tok",
    )


def write_back(key: str, summary: str = "Paying Friday") -> m.WriteBack:
    return m.WriteBack(
        key=key,
        case_id="case_1",
        account_id="acc_1",
        invoice_ref="in_1",
        outcome=m.Outcome.PROMISE_RECORDED,
        promise_date=date(2026, 2, 6),
        next_action="remind",
        summary=summary,
    )


def test_messages_are_sent_once_per_key(ledger: Ledger) -> None:
    messaging = FakeMessaging(ledger)
    first = messaging.send(message("m1"))
    again = messaging.send(message("m1", body="Changed"))
    other = messaging.send(message("m2"))
    assert (first.key, first.provider_id, first.duplicate) == ("m1", "msg_m1", False)
    assert (again.key, again.provider_id, again.duplicate) == ("m1", "msg_m1", True)
    assert other.duplicate is False
    assert messaging.sent() == [message("m1"), message("m2")]
    assert (ledger.attempts("message", "m1"), ledger.attempts("message", "m2")) == (2, 1)
    assert ledger.attempts("message", "never") == 0


def test_alerts_are_posted_once_per_key(ledger: Ledger) -> None:
    alerts = FakeAlerts(ledger)
    alert = m.Alert(
        key="a1",
        case_id="case_1",
        team=m.Team.FINANCE,
        reason="dispute",
        target="#finance",
        summary="Disputes the charge",
        details={"amount": "120.50"},
    )
    assert alerts.alert(alert).duplicate is False
    repeat = alerts.alert(alert.model_copy(update={"summary": "Other"}))
    assert (repeat.provider_id, repeat.duplicate) == ("ts_a1", True)
    assert alerts.posted() == [alert]
    assert ledger.attempts("alert", "a1") == 2


@pytest.mark.parametrize(
    ("system", "prefix", "kind"),
    [("billing", "note_", "billing_note"), ("crm", "eng_", "crm_note")],
)
def test_record_disposition_receipts_name_the_system(
    ledger: Ledger, system: str, prefix: str, kind: str
) -> None:
    port = FakeBilling(ledger) if system == "billing" else FakeCrm(ledger)
    first = port.record_disposition(write_back("call_1"))
    second = port.record_disposition(write_back("call_1", summary="Changed"))
    assert (first.key, first.system, first.provider_id) == ("call_1", system, f"{prefix}call_1")
    assert first.duplicate is False
    assert second.model_dump() == {**first.model_dump(), "duplicate": True}
    assert ledger.items(kind) == [("call_1", write_back("call_1").model_dump(mode="json"))]
    assert ledger.attempts(kind, "call_1") == 2


def test_invoices_and_payment_links(ledger: Ledger) -> None:
    billing = FakeBilling(ledger, pay_base_url="https://pay.example.test/")
    assert billing.get_invoice("in_1") is None
    billing.add_invoice(INVOICE)
    assert billing.get_invoice("in_1") == INVOICE
    assert billing.get_invoice("in_unknown") is None
    link = billing.payment_link(INVOICE, "case_1:link:1")
    digest = hashlib.sha256(b"in_1:case_1:link:1").hexdigest()[:16]
    assert link == f"https://pay.example.test/i/in_1/{digest}"
    assert billing.payment_link(INVOICE, "case_1:link:1") == link
    other = INVOICE.model_copy(update={"invoice_ref": "in_2"})
    assert billing.payment_link(other, "case_1:link:1") == link  # stable per key
    assert billing.payment_link(INVOICE, "case_1:link:2") != link
    assert ledger.attempts("payment_link", "case_1:link:1") == 3


def test_crm_match_precedence_and_confidence(ledger: Ledger) -> None:
    crm = FakeCrm(ledger)
    by_ref = m.Account(account_id="a_ref", name="Ref Co", billing_customer_ref="cus_1")
    by_email = m.Account(account_id="a_mail", name="Mail Co", email="Ana@Example.com")
    by_phone = m.Account(account_id="a_phone", name="Phone Co", phone="+14155550100")
    by_name = m.Account(account_id="a_name", name="Ana Diaz")
    for account in (by_ref, by_email, by_phone, by_name):
        crm.add_account(account)
    probes: list[tuple[Any, ...]] = [
        (("cus_1", "ana@example.com", "+14155550100", "Ana Diaz"), by_ref, 1.0, "customer_ref"),
        (("cus_9", "ANA@EXAMPLE.COM", "+14155550100", "Ana Diaz"), by_email, 0.95, "email"),
        ((None, "bo@example.com", "+14155550100", "Ana Diaz"), by_phone, 0.9, "phone"),
        ((None, None, "+14155550199", "ana diaz"), by_name, 0.6, "name"),
    ]
    for args, account, confidence, matched_on in probes:
        found = crm.match_account(*args)
        assert found is not None
        got = (found.record, found.confidence, found.matched_on)
        assert got == (account, confidence, matched_on)
    assert crm.match_account("cus_9", "bo@example.com", "+1999", "Bo") is None
    assert crm.match_account(None, None, None, None) is None
    assert crm.match_account("", "", "", "") is None


def test_accelerated_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    wall = SimpleNamespace(now=1_000.0)
    monkeypatch.setattr(clock_mod, "time", SimpleNamespace(time=lambda: wall.now))
    origin = datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=-5)))
    clock = AcceleratedClock(origin, real_origin=1_000.0, speed=3_600.0)
    assert clock.now() == datetime(2026, 3, 2, 14, tzinfo=UTC)
    wall.now = 1_002.5
    assert clock.now() == datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # 2.5 s = 2.5 hours
    assert clock.real_seconds_until(datetime(2026, 3, 2, 18, 30, tzinfo=UTC)) == 2.0
    assert clock.real_seconds_until(datetime(2026, 3, 1, tzinfo=UTC)) == 0.0
    copy = AcceleratedClock.decode(clock.encode())
    assert clock.encode() == "2026-03-02T14:00:00+00:00|1000.0|3600.0"
    assert (copy.sim_origin, copy.real_origin, copy.speed) == (clock.sim_origin, 1_000.0, 3_600.0)
    assert copy.now() == clock.now()
    odd = AcceleratedClock(origin, real_origin=1_712_345_678.123456, speed=172_800.0)
    assert AcceleratedClock.decode(odd.encode()).real_origin == 1_712_345_678.123456
    with pytest.raises(ValueError, match="timezone-aware"):
        AcceleratedClock(datetime(2026, 3, 2, 9), real_origin=0.0, speed=1.0)
    with pytest.raises(ValueError, match="positive"):
        AcceleratedClock(origin, real_origin=0.0, speed=0.0)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("my card is 4242 4242 4242 4242, ok", ["4242424242424242"]),
        ("4242-4242-4242-4242", ["4242424242424242"]),
        ("(5555555555554444)", ["5555555555554444"]),
        ("amex 378282246310005.", ["378282246310005"]),
        ("2223 0031 2200 3222 and 6011111111111117", ["2223003122003222", "6011111111111117"]),
        ("13 digits 4222222222222", ["4222222222222"]),
        ("19 digits 6011 0000 0000 0000 001", ["6011000000000000001"]),
        ("Diners 30569309025904", ["30569309025904"]),
    ],
)
def test_card_numbers_found(text: str, found: list[str]) -> None:
    assert card_numbers(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "0c9d6a1e-4242-4242-4242-424242424242",  # UUID holding a Luhn-valid run
        "550e8400-e29b-41d4-a716-446655440000",
        "1767225600009",  # epoch milliseconds: Luhn-valid, but starts with 1
        "2026-03-14T09:30:00.123456Z",
        "+1 415 555 0100 / +14155550100 / +44 20 7946 0958",
        "INV-2026-000123 and INV-4242-4242-4242-4242",
        "4242 4242 4242 4241",  # fails Luhn
        "7242424242424245 and 14242424242424241",  # Luhn-valid, wrong first digit
        "42424242424242424242",  # 20 digits
        "ref4242424242424242 and 4242424242424242-01",
    ],
)
def test_card_numbers_ignored(text: str) -> None:
    assert card_numbers(text) == []
    assert scrub(text) == text


def test_scrub_walks_nested_containers() -> None:
    value = {"a": ["it is 4242 4242 4242 4242", {"b": ("5555-5555-5555-4444", 3)}], "c": None}
    assert scrub(value) == {"a": ["it is [card number]", {"b": ("[card number]", 3)}], "c": None}
    assert scrub(["INV-2026-000123", 4242]) == ["INV-2026-000123", 4242]


def test_scrub_masks_card_numbers_stored_as_json_numbers() -> None:
    assert scrub({"card": 4242424242424242}) == {"card": "[card number]"}


def test_database_never_stores_a_card_number(db_url: str) -> None:
    upgrade(db_url)
    db = Database(db_url)
    said = {"said": "it's 4242 4242 4242 4242", "turns": [{"text": "4242-4242-4242-4242"}]}
    try:
        with db.session() as s:
            at = datetime(2026, 3, 2, tzinfo=UTC)
            s.add(AuditRow(key="k1", case_id="c1", at=at, actor="agent", action="n", detail=said))
        with db.session() as s:
            row = s.scalars(select(AuditRow).where(AuditRow.key == "k1")).one()
            assert row.detail == {
                "said": "it's [card number]",
                "turns": [{"text": "[card number]"}],
            }
            row.action = "read 5555555555554444"  # an update is scrubbed too
        with db.session() as s:
            stored = s.execute(text("SELECT action, detail FROM audit_log")).one()
        assert stored[0] == "read [card number]"
        assert "4242" not in str(stored[1])
        assert "[card number]" in str(stored[1])
    finally:
        db.dispose()
