"""The playbook view and its dry run: every action and reason, the customer's own calling hours,
no write anywhere, a changed rule changing the answer, and agreement with a real demo run.

The table-driven tests run on SQLite and PostgreSQL (``db_url``); the demo comparison launches
DBOS and runs on SQLite only, to keep the suite's time and CPU in check.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recoup import demo, wiring
from recoup.console.dryrun import ACTIONS, DryRunReport, default_window, dry_run, rules
from recoup.console.playbook_text import flatten
from recoup.domain.models import Account, Invoice, TriggerEvent, TriggerKind, jsonable
from recoup.playbook import Calling, CallingWindow, Playbook, Segments, load_playbook
from recoup.settings import Settings
from recoup.store import repo
from recoup.store.db import Database
from recoup.store.migrate import upgrade
from recoup.store.tables import (
    AccountRow,
    AuditRow,
    Base,
    CallAttemptRow,
    CaseRow,
    InvoiceRow,
    PaymentRow,
    ReviewItemRow,
)

# Tuesday 3 June 2025, 10:00 UTC: noon in Berlin, 06:00 in New York.
TUESDAY = datetime(2025, 6, 3, 10, 0, tzinfo=UTC)
START, END = datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC)
BERLIN_PHONE, NEW_YORK_PHONE = "+4930123456789", "+12125550123"
#: The rules the table-driven tests replay with: enterprise is out of the launch.
RULES = Playbook(segments=Segments(exclude=("enterprise",)))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    upgrade(db_url)
    database = Database(db_url)
    yield database
    database.dispose()


def add_event(
    s: Session,
    n: int,
    *,
    at: datetime = TUESDAY,
    kind: TriggerKind = TriggerKind.PAYMENT_FAILED,
    invoice_ref: str | None = "",
    amount: str = "120.00",
) -> TriggerEvent:
    """Record one billing event as ingest does (no case yet)."""
    trigger = TriggerEvent(
        source="stripe",
        event_id=f"evt_{n}_{kind.value}_{at:%d%H%M}",
        event_type=kind.value,
        kind=kind,
        occurred_at=at,
        customer_ref=f"cus_{n}",
        invoice_ref=f"in_{n}" if invoice_ref == "" else invoice_ref,
        amount=Decimal(amount),
        currency="eur",
    )
    assert repo.record_trigger(s, trigger, {}, at) is not None
    return trigger


def add_case(
    s: Session,
    n: int,
    *,
    at: datetime = TUESDAY,
    amount: str = "120.00",
    confidence: float = 1.0,
    enriched: bool = True,
    status: str = "open",
    close_reason: str | None = None,
    **account: Any,
) -> str:
    """An event, its case, and what enrichment stored about the account and invoice."""
    trigger = add_event(s, n, at=at, amount=amount)
    case_id = f"case:stripe:in_{n}"
    seq = s.scalar(select(func.coalesce(func.max(CaseRow.seq), 0) + 1))
    assert repo.create_case(s, case_id, trigger, at, seq=int(seq or 1))
    s.flush()
    case = s.get(CaseRow, case_id)
    assert case is not None
    case.status, case.close_reason = status, close_reason
    if not enriched:
        return case_id
    fields: dict[str, Any] = {
        "name": f"Customer {n}",
        "company": f"Company {n}",
        "phone": BERLIN_PHONE,
        "email": f"c{n}@example.com",
        "timezone": "Europe/Berlin",
        **account,
    }
    acct = Account(account_id=f"acct_{n}", **fields)
    s.merge(
        AccountRow(
            account_id=acct.account_id,
            name=acct.name,
            company=acct.company,
            tier=acct.tier,
            segment=acct.segment,
            owner=acct.owner,
            timezone=acct.timezone,
            opted_out=acct.opted_out,
            data=jsonable(acct),
        )
    )
    invoice = Invoice(
        invoice_ref=f"in_{n}",
        number=f"INV-{n:04d}",
        customer_ref=f"cus_{n}",
        amount=Decimal(amount),
        currency="eur",
        due_date=date(2025, 5, 30),
    )
    s.flush()
    s.merge(
        InvoiceRow(
            invoice_ref=invoice.invoice_ref,
            number=invoice.number,
            customer_ref=invoice.customer_ref,
            account_id=acct.account_id,
            amount=invoice.amount,
            currency=invoice.currency,
            due_date=invoice.due_date,
            status=invoice.status,
        )
    )
    case.account_id, case.segment, case.match_confidence = acct.account_id, acct.segment, confidence
    return case_id


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            t.name: int(s.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }


def replay(db: Database, playbook: Playbook = RULES) -> DryRunReport:
    with db.session() as s:
        report = dry_run(s, playbook, START, END)
        assert not (s.new)
        assert not (s.dirty)
        assert not (s.deleted)
    return report


def by_invoice(report: DryRunReport) -> dict[str, tuple[str, str]]:
    """The deciding row of each invoice: (action, reason)."""
    return {
        str(r.invoice): (r.action, r.reason)
        for r in report.rows
        if r.reason not in ("joins_existing_case", "not_a_trigger")
    }


@pytest.fixture
def seeded(db: Database) -> Database:
    """One invoice per action and reason (numbers in the comments are the invoice numbers)."""
    with db.session() as s:
        add_case(s, 1)  # call, in the window in Berlin
        add_case(s, 2, timezone="America/New_York", phone=NEW_YORK_PHONE)  # call at 09:00 NY
        add_case(s, 3, amount="6000.00")  # review: high value
        add_case(s, 4, sensitive=True)  # review: sensitive
        add_case(s, 5, confidence=0.7)  # review: weak match
        unmatched = add_case(s, 6, enriched=False)  # review: nobody matched
        s.add(
            ReviewItemRow(
                key=f"{unmatched}:match",
                case_id=unmatched,
                reason="account_not_found",
                created_at=TUESDAY,
            )
        )
        add_case(s, 7, segment="enterprise")  # skip: segment not covered
        add_case(s, 8, opted_out=True)  # skip: opted out
        add_case(s, 9, consent_to_call=False)  # skip: no consent
        add_event(s, 10, kind=TriggerKind.UPCOMING_SUSPENSION)  # skip: not in the triggers
        add_case(s, 11, status="closed", close_reason="paid")  # skip: paid before the event
        s.add(
            PaymentRow(
                key="stripe:evt_pay_11", invoice_ref="in_11", paid_at=TUESDAY - timedelta(hours=1)
            )
        )
        add_case(s, 12, phone=None, timezone=None)  # review: no number to call
        add_event(s, 1, at=TUESDAY + timedelta(days=2))  # a later failure of invoice 1: joins
        add_event(s, 11, kind=TriggerKind.PAYMENT_SUCCEEDED, at=TUESDAY - timedelta(hours=1))
        add_event(s, 13)  # never enriched: no stored account or invoice
        add_event(s, 14, invoice_ref=None)  # names no invoice
        add_case(s, 15, opted_out=True)  # opted out on a call *after* the event: still called
        s.add(
            AuditRow(
                key="case:stripe:in_15:dnc",
                case_id="case:stripe:in_15",
                at=TUESDAY + timedelta(days=1),
                actor="workflow",
                action="do_not_contact",
                detail={},
            )
        )
        s.add(
            CallAttemptRow(
                call_id="call_15",
                case_id="case:stripe:in_15",
                attempt_no=1,
                status="ended",
                outcome="do_not_contact",
                placed_at=TUESDAY,
            )
        )
        add_case(s, 16, at=START - timedelta(days=3))  # before the window: not replayed
        add_case(s, 17, at=END)  # at the window's end: not replayed
    return db


def test_every_action_and_reason(seeded: Database) -> None:
    report = replay(seeded)
    assert by_invoice(report) == {
        "INV-0001": ("call", "in_window"),
        "INV-0002": ("call", "outside_window"),
        "INV-0003": ("review", "high_value"),
        "INV-0004": ("review", "sensitive_account"),
        "INV-0005": ("review", "low_confidence_match"),
        "in_6": ("review", "unmatched"),
        "INV-0007": ("skip", "segment_not_covered"),
        "INV-0008": ("skip", "do_not_contact"),
        "INV-0009": ("skip", "do_not_contact"),
        "in_10": ("skip", "trigger_not_handled"),
        "INV-0011": ("skip", "already_paid"),
        "INV-0012": ("review", "no_callable_number"),
        "in_13": ("review", "not_enriched"),
        "None": ("skip", "no_invoice"),
        "INV-0015": ("call", "in_window"),
    }
    joins = [r for r in report.rows if r.reason == "joins_existing_case"]
    assert [(j.invoice, j.action) for j in joins] == [("INV-0001", "skip")]
    assert [r.reason for r in report.rows if r.kind == "payment_succeeded"] == ["not_a_trigger"]
    assert len(report.rows) == 17
    assert report.by_action == {"call": 3, "review": 6, "skip": 8}
    assert sum(report.by_reason.values()) == len(report.rows)
    assert report.by_reason["do_not_contact"] == 2
    assert list(report.by_action) == list(ACTIONS)


def test_rows_explain_and_keep_contact_details_out(seeded: Database) -> None:
    report = replay(seeded)
    for row in report.rows:
        assert row.why.endswith(".")
        assert len(row.why) > 20
        text = " ".join(str(v) for v in vars(row).values())
        assert "example.com" not in text
        assert "+49" not in text
        assert "212555" not in text
    row = next(r for r in report.rows if r.invoice == "INV-0003")
    assert row.account == "Customer 3 (Company 3)"
    assert (row.amount, row.currency, row.segment) == (Decimal("6000.00"), "EUR", "smb")
    assert "6,000.00 EUR" in row.why
    assert "5,000" in row.why
    assert "#finance-collections" in row.why
    paid = next(r for r in report.rows if r.invoice == "INV-0011")
    assert paid.actual == "closed (paid)"
    assert paid.actual_action == "skip"
    called = next(r for r in report.rows if r.invoice == "INV-0015")
    assert called.actual_action == "call"
    assert called.case_id == "case:stripe:in_15"


def test_calls_are_timed_in_the_customers_own_zone(seeded: Database) -> None:
    report = replay(seeded)
    call_at = {r.invoice: r.call_at for r in report.rows if r.action == "call"}
    assert call_at["INV-0001"] == "2025-06-03T12:00:00+02:00"  # noon in Berlin: at once
    assert call_at["INV-0002"] == "2025-06-03T09:00:00-04:00"  # 06:00 in New York: wait
    assert all(r.call_at is None for r in report.rows if r.action != "call")
    new_york = next(r for r in report.rows if r.invoice == "INV-0002")
    assert "America/New_York" in new_york.why
    assert "09:00" in new_york.why


def test_a_sunday_event_waits_for_monday_morning_in_that_zone(db: Database) -> None:
    sunday = datetime(2025, 6, 8, 10, 0, tzinfo=UTC)
    with db.session() as s:
        add_case(s, 1, at=sunday)
        add_case(s, 2, at=sunday, timezone="America/New_York", phone=NEW_YORK_PHONE)
    weekdays = Playbook(calling=Calling(window=CallingWindow(start="09:00", end="17:00")))
    call_at = {r.invoice: r.call_at for r in replay(db, weekdays).rows}
    assert call_at == {
        "INV-0001": "2025-06-09T09:00:00+02:00",
        "INV-0002": "2025-06-09T09:00:00-04:00",
    }


def test_a_payment_before_the_window_opens_means_no_call(db: Database) -> None:
    with db.session() as s:
        add_case(s, 2, timezone="America/New_York", phone=NEW_YORK_PHONE)
        s.add(PaymentRow(key="stripe:p2", invoice_ref="in_2", paid_at=TUESDAY + timedelta(hours=1)))
    [row] = replay(db).rows
    assert (row.action, row.reason) == ("skip", "already_paid")
    assert "before the first allowed call" in row.why


def test_the_dry_run_writes_nothing(seeded: Database) -> None:
    before = counts(seeded)
    with seeded.session() as s:
        accounts = {
            a.account_id: (a.opted_out, dict(a.data)) for a in s.scalars(select(AccountRow))
        }
    replay(seeded)
    replay(seeded, load_playbook())
    assert counts(seeded) == before
    with seeded.session() as s:
        after = {a.account_id: (a.opted_out, dict(a.data)) for a in s.scalars(select(AccountRow))}
    assert after == accounts


def test_changing_the_playbook_changes_the_result(seeded: Database) -> None:
    base = by_invoice(replay(seeded))
    stricter = RULES.model_copy(update={"high_value_threshold": Decimal("100")})
    changed = by_invoice(replay(seeded, stricter))
    assert changed["INV-0001"] == ("review", "high_value")
    assert changed["INV-0002"] == ("review", "high_value")
    assert base["INV-0007"] == ("skip", "segment_not_covered")
    assert by_invoice(replay(seeded, Playbook()))["INV-0007"] == ("call", "in_window")
    trusting = by_invoice(
        replay(seeded, RULES.model_copy(update={"match_confidence_threshold": 0.5}))
    )
    assert trusting["INV-0005"] == ("call", "in_window")
    suspended = RULES.model_copy(
        update={"triggers": (*RULES.triggers, TriggerKind.UPCOMING_SUSPENSION)}
    )
    assert by_invoice(replay(seeded, suspended))["in_10"] == ("review", "not_enriched")
    tiers = RULES.model_copy(update={"sensitive_tiers": ("standard",)})
    assert by_invoice(replay(seeded, tiers))["INV-0001"] == ("review", "sensitive_account")


def test_the_window_is_half_open_and_validated(db: Database) -> None:
    with db.session() as s:
        add_case(s, 1, at=START)
        add_case(s, 2, at=END)
    assert [r.invoice for r in replay(db).rows] == ["INV-0001"]
    with db.session() as s, pytest.raises(ValueError, match="start before"):
        dry_run(s, RULES, END, START)
    with db.session() as s, pytest.raises(ValueError, match="aware"):
        dry_run(s, RULES, START.replace(tzinfo=None), END)


def test_default_window_is_the_last_thirty_days() -> None:
    now = datetime(2025, 6, 15, 12, tzinfo=UTC)
    assert default_window(now) == (now - timedelta(days=30), now)
    with pytest.raises(ValueError, match="aware"):
        default_window(now.replace(tzinfo=None))


def test_rules_read_the_playbook_in_plain_words() -> None:
    pb = Playbook(
        calling=Calling(
            window=CallingWindow(start="09:00", end="19:00"), max_attempts=2, retry_after_hours=36
        ),
        segments=Segments(include=("smb", "mid_market")),
        high_value_threshold=Decimal("2500"),
        sensitive_tiers=("strategic",),
        review_first_runs=20,
    )
    sections = {s["id"]: s for s in rules(pb)}
    text = {k: " ".join(s["lines"]) for k, s in sections.items()}
    assert (
        "Calls only between 09:00 and 19:00 in the customer's own time zone, Monday to Friday."
        in text["calling_hours"]
    )
    assert "At most 2 call attempts" in text["attempts"]
    assert "36 hours" in text["attempts"]
    assert "smb, mid_market" in text["coverage"]
    assert "2,500 or more" in text["high_value"]
    assert "strategic" in text["high_value"]
    assert "The first 20 cases" in text["review_first"]
    assert "80%" in text["thresholds"]
    assert "30 days" in text["thresholds"]
    assert "#finance-collections" in text["escalation"]
    assert "14 days" in text["promises"]
    assert "email, WhatsApp" in text["channels"]
    assert sections["calling_hours"]["raw"]["calling.window.end"] == "19:00"
    assert sections["high_value"]["raw"]["high_value_threshold"] == "2500"


def test_rules_show_every_playbook_key_exactly_once() -> None:
    pb = load_playbook()
    shown = [k for section in rules(pb) for k in section["raw"]]
    assert sorted(shown) == sorted(flatten(pb.model_dump()))
    assert len(shown) == len(set(shown))
    assert all(section["lines"] for section in rules(pb))


# --- agreement with what the real workflow did -------------------------------------------


@pytest.fixture
def demo_app(sqlite_url: str) -> Iterator[wiring.Started]:
    settings = Settings(_env_file=None, database_url=sqlite_url, clock_speed=10 * 86_400.0)  # type: ignore[call-arg]
    started = wiring.start(settings)
    yield started
    wiring.stop(started)


#: Enough demo cases for both calls and high-value reviews (seed 7 has one at the 12th).
CASES = 12


def test_the_dry_run_agrees_with_a_demo_run(demo_app: wiring.Started) -> None:
    """The replay's call/review/skip matches what each real case did first. Cases that closed
    before acting on their first decision (given up while waiting for the calling window on
    the accelerated clock of a busy machine) have no first action to compare."""
    origin = demo.sim_origin(demo_app)
    demo.run(demo_app, CASES, seed=7, on_progress=lambda _: None, timeout_s=90)
    with demo_app.db.session() as s:
        report = dry_run(
            s,
            demo_app.runtime.playbook,
            origin - timedelta(days=1),
            demo_app.runtime.clock.now() + timedelta(days=1),
        )
    assert len(report.rows) == CASES
    assert all(r.case_id is not None for r in report.rows)
    decided = [r for r in report.rows if r.actual_action is not None]
    assert len(decided) >= CASES // 2
    assert {r.action for r in decided} >= {"call", "review"}
    assert [
        (r.invoice, r.action, r.actual_action) for r in decided if r.action != r.actual_action
    ] == []
    assert report.differs == 0
