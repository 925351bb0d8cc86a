"""A case's story for the console: every kind of event, in order, linked, and nothing on it
that must not be shown (card data, customers' phone numbers and emails)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from recoup.store import repo
from recoup.store.db import Database
from recoup.store.migrate import upgrade
from recoup.store.tables import (
    AccountRow,
    AlertRow,
    CallAttemptRow,
    CaseRow,
    DispositionRow,
    InvoiceRow,
    MessageRow,
    PromiseRow,
    ReviewItemRow,
    TriggerEventRow,
    VoiceCallRow,
    WriteBackRow,
)
from recoup.store.timeline import KINDS, Destinations, timeline

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
CASE = "case:stripe:in_tl"
CALL1, CALL2, CALL3 = f"{CASE}:call-1", f"{CASE}:call-2", f"{CASE}:call-3"
REVIEW = f"{CALL2}:review"
PHONE, EMAIL = "+14155550123", "maya.chen@bluebird.example"
SPOKEN_CARD = "four two four two four two four two four two four two four two four two"
#: What must never appear on the page, in any spelling the tables could hold.
FORBIDDEN = (PHONE, "415 555 0123", "4155550123", EMAIL, "maya.chen@", SPOKEN_CARD, "4242")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    upgrade(db_url)
    database = Database(db_url)
    with database.session() as s:
        seed(s)
    yield database
    database.dispose()


def turn(speaker: str, text: str) -> dict[str, str]:
    return {"speaker": speaker, "act": "say", "text": text}


def disposition(call_id: str, outcome: str, summary: str, **extra: Any) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "outcome": outcome,
        "summary": summary,
        "intent": "other",
        "confidence": 0.9,
        "urgency": "normal",
        "next_action": "",
        **extra,
    }


def seed(s: Session) -> None:
    """A case told in every kind of event: a promise broken, a dispute taken and resolved."""
    _case(s)
    _calls(s)
    _effects(s)
    _hand_off(s)
    s.flush()


def _case(s: Session) -> None:
    trigger = {
        "amount": "249.00",
        "currency": "usd",
        "failure_reason": "expired_card",
        "customer_email": EMAIL,
        "customer_phone": PHONE,
    }
    for n, (kind, etype, case_id) in enumerate(
        [
            ("payment_failed", "invoice.payment_failed", CASE),
            ("payment_succeeded", "invoice.paid", None),
        ]
    ):
        s.add(
            TriggerEventRow(
                source="stripe",
                event_id=f"evt_{n}",
                event_type=etype,
                kind=kind,
                occurred_at=at(n * 650),
                received_at=at(n * 650),
                invoice_ref="in_tl",
                case_id=case_id,
                status="dispatched",
                payload={"event": {"customer_email": EMAIL}, "trigger": trigger},
            )
        )
    s.add(
        AccountRow(
            account_id="acct_tl",
            name="Maya Chen",
            company="Bluebird",
            tier="growth",
            segment="smb",
            owner="Dana Whitfield",
            timezone="America/Los_Angeles",
            data={"phone": PHONE, "email": EMAIL},
        )
    )
    s.add(
        InvoiceRow(
            invoice_ref="in_tl",
            number="INV-2611-00101",
            customer_ref="cus_tl",
            account_id="acct_tl",
            amount=Decimal("249.00"),
            currency="usd",
            due_date=date(2026, 11, 20),
            status="open",
            failure_reason="expired_card",
            prior_failures=1,
        )
    )
    s.add(
        CaseRow(
            case_id=CASE,
            seq=1,
            invoice_ref="in_tl",
            source="stripe",
            trigger_kind="payment_failed",
            account_id="acct_tl",
            segment="smb",
            owner="Dana Whitfield",
            amount=Decimal("249.00"),
            currency="usd",
            due_date=date(2026, 11, 20),
            match_confidence=1.0,
            status="closed",
            outcome="resolved",
            close_reason="resolved:settled",
            opened_at=at(0),
            closed_at=at(700),
        )
    )
    s.flush()
    repo.audit(s, "evt_0:received", CASE, at(0), "event_started", {}, actor="stripe")
    repo.audit(s, f"{CASE}:enriched", CASE, at(1), "enriched", {"confidence": 1.0})


def _calls(s: Session) -> None:
    transcript = [
        turn("agent", "Hi, is this Maya?"),
        turn("customer", f"Yes. Text me on {PHONE} or write to {EMAIL}."),
        turn("customer", f"My card is {SPOKEN_CARD}."),
        turn("customer", "I'll pay on the 28th."),
    ]
    s.add(
        CallAttemptRow(
            call_id=CALL1,
            case_id=CASE,
            attempt_no=1,
            status="completed",
            outcome="promise_recorded",
            placed_at=at(10),
            ended_at=at(14),
        )
    )
    s.add(
        CallAttemptRow(
            call_id=CALL2,
            case_id=CASE,
            attempt_no=2,
            status="completed",
            outcome="escalated",
            placed_at=at(300),
            ended_at=at(305),
        )
    )
    s.add(
        CallAttemptRow(
            call_id=CALL3, case_id=CASE, attempt_no=3, status="dialing", placed_at=at(800)
        )
    )
    s.flush()
    s.add(
        DispositionRow(
            call_id=CALL1,
            case_id=CASE,
            outcome="promise_recorded",
            intent="promise",
            promise_date=date(2026, 11, 28),
            created_at=at(14),
            data=disposition(
                CALL1,
                "promise_recorded",
                "Promised the 28th.",
                promise_date="2026-11-28",
                transcript=transcript,
            ),
        )
    )
    s.add(
        DispositionRow(
            call_id=CALL2,
            case_id=CASE,
            outcome="escalated",
            intent="dispute",
            created_at=at(305),
            data=disposition(
                CALL2,
                "escalated",
                f"Disputes; call back {PHONE}.",
                escalation={"team": "finance", "reason": "dispute"},
                transcript=[turn("customer", "I dispute it.")],
            ),
        )
    )
    s.add(
        VoiceCallRow(
            call_id=CALL3,
            case_id=CASE,
            state="answered",
            request={},
            heard=[],
            transcript=[turn("customer", f"Reach me at {EMAIL}")],
            dial_intent_at=at(800),
            updated_at=at(801),
        )
    )


def _effects(s: Session) -> None:
    for key, kind, sent, opened in [
        (f"{CALL1}:confirmation", "promise_confirmation", at(15), at(20)),
        (f"{CALL1}:reminder", "reminder", at(250), None),
    ]:
        s.add(
            MessageRow(
                key=key,
                case_id=CASE,
                kind=kind,
                channel="email",
                to_masked="m***@bluebird.example",
                tracking_token=key[-12:],
                link_url="https://pay.example/x",
                provider_id=None,
                sent_at=sent,
                opened_at=opened,
            )
        )
    s.add(
        PromiseRow(
            key=CALL1,
            case_id=CASE,
            call_id=CALL1,
            promise_date=date(2026, 11, 28),
            status="broken",
            created_at=at(15),
            resolved_at=at(250),
        )
    )
    for key, written in [(CALL1, at(14.5)), (f"{REVIEW}:resolution", at(700))]:
        for system in ("billing", "crm"):
            s.add(
                WriteBackRow(
                    key=key,
                    system=system,
                    case_id=CASE,
                    outcome="promise_recorded" if key == CALL1 else "resolved",
                    provider_id=f"p_{system}",
                    written_at=written,
                )
            )
    repo.audit(s, f"{CASE}:status-waiting", CASE, at(16), "case_waiting", {"reason": ""})


def _hand_off(s: Session) -> None:
    s.add(
        AlertRow(
            key=f"{CALL2}:alert",
            case_id=CASE,
            team="finance",
            reason="dispute",
            target="#finance-collections",
            summary=f"Maya ({PHONE}) disputes INV-2611-00101",
            provider_id="ts_1",
            sent_at=at(306),
        )
    )
    s.add(
        ReviewItemRow(
            key=REVIEW,
            case_id=CASE,
            reason="outcome_needs_review",
            status="resolved",
            summary="Disputed a double charge.",
            created_at=at(306),
            resolved_at=at(690),
            decision="resolved",
            assignee="slack:U1",
            assigned_at=at(400),
            resolution="settled",
            note=f"Refunded; she wrote from {EMAIL}",
            resolved_by="console:ana@ops.example",
        )
    )
    s.flush()
    repo.audit(
        s, f"{REVIEW}:review", CASE, at(306), "review_opened", {"reason": "outcome_needs_review"}
    )
    repo.audit(
        s,
        f"{CALL2}:alert:taken:slack:U1",
        CASE,
        at(400),
        "review_taken",
        {
            "assignee": "slack:U1",
            "assignee_name": "Ana Ruiz",
            "review_items": [REVIEW],
            "alert": f"{CALL2}:alert",
            "via": "slack",
        },
        actor="slack",
    )
    repo.audit(
        s,
        f"{REVIEW}:case_closed",
        CASE,
        at(700),
        "case_closed",
        {"reason": "resolved:settled"},
        actor="operator",
    )


def story(db: Database, destinations: Destinations | None = None) -> dict[str, Any]:
    with db.session() as s:
        found = timeline(s, CASE, destinations or Destinations())
    assert found is not None
    return found


def test_every_kind_is_told_in_order(db: Database) -> None:
    told = story(db)
    events = told["events"]
    assert {e["kind"] for e in events} == set(KINDS)
    times = [datetime.fromisoformat(e["at"]) for e in events]
    assert times == sorted(times)
    titles = [(e["kind"], e["title"]) for e in events]
    assert titles[:4] == [
        ("trigger", "Stripe: invoice.payment_failed"),
        ("context", "Context gathered"),
        ("call", "Call 1: promise recorded"),
        ("write_back", "Billing updated (simulated)"),
    ]
    assert ("trigger", "Stripe: invoice.paid") in titles  # found by the invoice, not the case
    assert ("promise", "Promise broken") in titles
    assert ("policy", "Routed to a person: outcome needs review") in titles
    assert ("resolution", "Resolved: settled") in titles
    assert titles[-1] == ("call", "Call 3: dialing")
    assert ("status", "Case closed: resolved:settled") in titles
    context = next(e for e in events if e["kind"] == "context")
    assert "INV-2611-00101: 249.00 USD due 2026-11-20" in context["detail"]


def test_calls_carry_transcript_and_disposition_alerts_who_took_them(db: Database) -> None:
    events = story(db)["events"]
    calls = [e for e in events if e["kind"] == "call"]
    assert [c["call_id"] for c in calls] == [CALL1, CALL2, CALL3]
    first = calls[0]
    assert first["disposition"]["promise_date"] == "2026-11-28"
    assert [t["speaker"] for t in first["transcript"]][:2] == ["agent", "customer"]
    assert "[phone]" in first["transcript"][1]["text"]
    assert "[email]" in first["transcript"][1]["text"]
    assert calls[1]["disposition"]["escalation"] == {"team": "finance", "reason": "dispute"}
    assert calls[2]["disposition"] is None
    assert calls[2]["transcript"] == [
        {"speaker": "customer", "act": "say", "text": "Reach me at [email]"}
    ]
    [alert] = [e for e in events if e["kind"] == "alert"]
    assert alert["taken_by"] == ["Ana Ruiz"]
    assert alert["title"] == "Alert to finance: dispute"
    [resolved] = [e for e in events if e["kind"] == "resolution"]
    assert resolved["actor"] == "console:ana@ops.example"  # who did it stays on the page
    assert resolved["detail"] == "Refunded; she wrote from [email]"


def test_nothing_forbidden_reaches_the_page(db: Database) -> None:
    text = repr(story(db))
    for secret in FORBIDDEN:
        assert secret not in text


def test_write_backs_link_to_each_destination(db: Database) -> None:
    def links(d: Destinations) -> list[str | None]:
        return [e["link"] for e in story(db, d)["events"] if e["kind"] == "write_back"]

    assert links(Destinations())[:2] == [f"/sim/billing/{CALL1}", f"/sim/crm/{CALL1}"]
    real = Destinations(
        billing="stripe",
        crm="salesforce",
        stripe_dashboard_url="https://dashboard.stripe.com/test",
        salesforce_instance_url="https://acme.my.salesforce.com",
    )
    assert links(real)[:2] == [
        "https://dashboard.stripe.com/test/invoices/in_tl",
        "https://acme.my.salesforce.com/lightning/r/Task/p_crm/view",
    ]
    hub = Destinations(crm="hubspot", hubspot_portal_url="https://app.hubspot.com/contacts/42")
    assert hub.write_back_link("crm", CALL1, "901", "in_tl", "contact:77") == (
        "https://app.hubspot.com/contacts/42/record/0-1/77"
    )
    company = hub.write_back_link("crm", CALL1, "901", "in_tl", "company:5")
    assert company == "https://app.hubspot.com/contacts/42/record/0-2/5"
    assert Destinations(crm="hubspot").write_back_link("crm", CALL1, "9", "in", "contact:7") is None


def test_header_and_audit_trail(db: Database) -> None:
    told = story(db)
    header = told["case"]
    assert (header["seq"], header["status"], header["close_reason"]) == (
        1,
        "closed",
        "resolved:settled",
    )
    assert header["invoice"]["number"] == "INV-2611-00101"
    assert header["account"]["name"] == "Maya Chen"
    assert header["call_ids"] == [CALL1, CALL2, CALL3]
    actions = [a["action"] for a in told["audit"]]
    assert actions[:2] == ["event_started", "enriched"]
    assert actions[-1] == "case_closed"
    with db.session() as s:
        assert timeline(s, "case:stripe:nope", Destinations()) is None
