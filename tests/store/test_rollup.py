"""The rollup follows every fact the workflow writes, in the same transaction, and always
equals a rebuild from the facts; its figures equal the reference definitions."""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from recoup.domain.models import TriggerEvent, TriggerKind
from recoup.store import repo, rollup
from recoup.store.db import Database
from recoup.store.migrate import upgrade
from recoup.store.tables import CaseRow, MessageRow, PaymentRow, TriggerEventRow
from recoup.store.tables_console import ROLLUP_DIMENSIONS, CaseMetricsRow, MetricRollupRow

from .conftest import T0, Check, Facts

NOW = datetime(2026, 3, 9, 15, tzinfo=UTC)


def stored(db: Database) -> tuple[dict[str, Any], dict[str, Any]]:
    """The rollup's rows by key and the per-case rows, as plain comparable values."""
    with db.session() as s:
        sums = {
            tuple(r[d] for d in ROLLUP_DIMENSIONS): {m: r[m] for m in rollup.MEASURES}
            for r in s.execute(select(MetricRollupRow.__table__)).mappings()
        }
        cases = {
            r["case_id"]: dict(r) for r in s.execute(select(CaseMetricsRow.__table__)).mappings()
        }
    return sums, cases


def rebuilt(db: Database) -> tuple[dict[str, Any], dict[str, Any]]:
    with db.session() as s:
        rollup.rebuild(s)
    return stored(db)


def test_cohorts_split_the_first_runs_from_the_steady_state() -> None:
    assert [rollup.cohort_for(n) for n in (1, 50, 51, 100, 101, 10**6)] == [
        "runs_1_50",
        "runs_1_50",
        "runs_51_100",
        "runs_51_100",
        "steady",
        "steady",
    ]
    assert rollup.COHORTS == ("baseline", "runs_1_50", "runs_51_100", "steady")


def seed(facts: Facts) -> dict[str, str]:
    """Cases across weeks, sources, segments, owners, outcomes and cohorts, with every kind
    of fact."""
    a = facts.case(1, segment="smb", owner="Dana Whitfield", outcome="link_sent")
    b = facts.case(50, opened=T0 + timedelta(days=8), amount="2500.75", segment="enterprise")
    c = facts.case(51, source="chargebee", due=None, owner="Sam Ortiz", outcome="escalated")
    d = facts.case(101, opened=T0 + timedelta(days=15), amount=None, outcome="no_answer")
    e = facts.case(140, amount="42.10", segment="smb", outcome="promise_recorded")
    f = facts.case(141, closed_at=T0 + timedelta(days=3), outcome="do_not_contact", amount="9")
    link_a = facts.message(a, T0 + timedelta(hours=1))
    facts.message(a, T0 + timedelta(hours=2), kind="reminder")
    facts.open_link(link_a, T0 + timedelta(hours=3))
    facts.payment("in_1", T0 + timedelta(hours=5))
    facts.call(a, "link_sent")
    facts.call(c, "escalated", escalation="dispute")
    facts.call(c, "voicemail_left")
    facts.call(d, "no_answer")
    facts.call(e, "promise_recorded")
    facts.call(f, "escalated", escalation="cancellation")
    facts.alert(c)
    facts.review(d)
    kept = facts.promise(e, "kept")
    facts.promise(e, "broken")
    facts.payment("in_140", T0 + timedelta(days=6))
    facts.payment("in_141", T0 + timedelta(days=1))
    facts.payment("in_51", T0 - timedelta(days=1))  # paid before the case opened
    facts.cancel("in_140")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "kept": kept}


def test_every_figure_equals_the_reference_after_each_change(facts: Facts, check: Check) -> None:
    ids = seed(facts)
    got = check(NOW)["overview"]
    assert got["cases"] == 6
    assert got["recovered_cases"] == 3  # a, e, f; c was paid before it opened
    assert got["churn_avoided"] == 1  # e's subscription was cancelled, f escalated so
    assert got["dispute_escalation_rate"] == 0.25  # 1 dispute / 4 reached calls

    link_b = facts.message(ids["b"], T0 + timedelta(days=9))
    check(NOW)
    facts.open_link(link_b, T0 + timedelta(days=9, hours=1))  # a link opened
    check(NOW)
    facts.payment("in_50", T0 + timedelta(days=10))  # the payment arrives later
    assert check(NOW)["overview"]["link_completion_rate"] == 1.0
    pending = facts.promise(ids["d"])
    check(NOW)
    facts.resolve_promise(pending, "broken")  # a promise resolved
    check(NOW)
    facts.update_case(ids["d"], closed_at=T0 + timedelta(days=30), status="closed")  # closed
    check(NOW)
    facts.update_case(ids["d"], segment="mid", owner="Dana Whitfield", outcome="review")
    check(NOW)
    facts.update_case(ids["b"], amount=Decimal("10.01"), due_date=date(2026, 2, 1))
    facts.case(300, due=date(2026, 2, 10))  # open and unpaid
    later = check(NOW + timedelta(days=40))  # open cases age at query time
    assert later["overview"]["dso_days"] != check(NOW)["overview"]["dso_days"]

    incremental = stored(facts.db)
    assert rebuilt(facts.db) == incremental
    check(NOW)


def test_writes_outside_the_flush_are_followed(facts: Facts, check: Check, db: Database) -> None:
    """``repo.insert_once`` and ``update(...)`` statements bypass the ORM flush."""
    ids = seed(facts)
    trigger = TriggerEvent(
        source="stripe",
        event_id="evt_core_cancel",
        event_type="customer.subscription.deleted",
        kind=TriggerKind.SUBSCRIPTION_CANCELED,
        occurred_at=T0,
        invoice_ref="in_1",
    )
    with db.session() as s:
        repo.record_trigger(s, trigger, {}, T0)
    assert check(NOW)["overview"]["churn_avoided"] == 0
    with db.session() as s:
        repo.insert_once(
            s,
            MessageRow(
                key="core-link",
                case_id=ids["c"],
                kind="link",
                channel="sms",
                to_masked="x",
                tracking_token="core-link",
                link_url="https://pay.example/c",
                sent_at=T0,
            ),
        )
        repo.insert_once(s, PaymentRow(key="core-pay", invoice_ref="in_101", paid_at=NOW))
    check(NOW)
    with db.session() as s:
        s.execute(update(MessageRow).where(MessageRow.key == "core-link").values(opened_at=NOW))
        s.execute(update(CaseRow).where(CaseRow.seq > 100).values(owner="Lee Park"))
        s.execute(
            update(TriggerEventRow)
            .where(TriggerEventRow.event_id == "evt_core_cancel")
            .values(kind="ignored")
        )
    check(NOW)
    with db.session() as s:
        s.execute(delete(MessageRow).where(MessageRow.case_id == ids["a"]))
        s.execute(delete(PaymentRow).where(PaymentRow.invoice_ref == "in_1"))
    check(NOW)
    assert stored(db) == rebuilt(db)


def abandon(db: Database, row: PaymentRow) -> None:
    """Flush ``row`` in a transaction that then fails."""
    with db.session() as s:
        s.add(row)
        s.flush()
        raise RuntimeError("abandoned")


def test_a_rolled_back_change_leaves_the_rollup_alone(facts: Facts, db: Database) -> None:
    seed(facts)
    before = stored(db)
    with pytest.raises(RuntimeError, match="abandoned"):
        abandon(db, PaymentRow(key="later", invoice_ref="in_50", paid_at=NOW))
    assert stored(db) == before
    with db.session() as s:  # the next transaction does not refresh the abandoned marks
        s.add(PaymentRow(key="other", invoice_ref="in_999", paid_at=NOW))
    assert stored(db) == before


def test_a_deleted_case_leaves_the_rollup(facts: Facts, check: Check, db: Database) -> None:
    seed(facts)
    extra = facts.case(200, segment="solo", owner="Kim Lo")
    assert check(NOW)["overview"]["cases"] == 7
    with db.session() as s:
        row = s.get(CaseRow, extra)
        s.delete(row)
    assert check(NOW)["overview"]["cases"] == 6
    sums, _ = stored(db)
    assert not [k for k in sums if "solo" in k]  # the emptied rollup row is gone
    facts.case(201)
    with db.session() as s:
        s.execute(delete(CaseRow).where(CaseRow.seq == 201))
    assert check(NOW)["overview"]["cases"] == 6


def test_refresh_reports_what_changed_and_rebuild_counts_cases(facts: Facts, db: Database) -> None:
    ids = seed(facts)
    with db.session() as s:
        assert rollup.refresh(s, [ids["a"], ids["b"], "case:none"]) == 0
        s.execute(delete(CaseMetricsRow).where(CaseMetricsRow.case_id == ids["a"]))
    with db.session() as s:
        assert rollup.rebuild(s) == 6


OPS = (
    "case",
    "payment",
    "link",
    "open",
    "message",
    "call",
    "promise",
    "resolve",
    "alert",
    "review",
    "cancel",
    "close",
    "enrich",
    "rollback",
)


def random_step(rng: random.Random, facts: Facts, state: dict[str, Any]) -> None:
    cases: list[str] = state["cases"]
    op = "case" if len(cases) < 3 else rng.choice(OPS)
    at = T0 + timedelta(days=rng.randint(-5, 60), minutes=rng.randint(0, 1440))
    if op == "case":
        seq = state["seq"] = state["seq"] + rng.choice((1, 1, 7, 30))
        amount = rng.choice(("10.00", "99.99", "1234.56", None))
        due = rng.choice((date(2026, 1, 15), date(2026, 2, 28), None))
        cases.append(facts.case(seq, opened=at, amount=amount, due=due))
        return
    case_id = rng.choice(cases)
    ref = case_id.rsplit(":", 1)[1]
    if op == "payment":
        facts.payment(ref, at)
    elif op == "link":
        state["links"].append(facts.message(case_id, at))
    elif op == "open" and state["links"]:
        facts.open_link(rng.choice(state["links"]), at)
    elif op == "message":
        facts.message(case_id, at, kind="reminder")
    elif op == "call":
        outcome = rng.choice(("no_answer", "voicemail_left", "link_sent", "escalated"))
        escalation = rng.choice((None, None, "dispute", "cancellation"))
        facts.call(case_id, outcome, at, escalation if outcome == "escalated" else None)
    elif op == "promise":
        state["promises"].append(facts.promise(case_id))
    elif op == "resolve" and state["promises"]:
        facts.resolve_promise(rng.choice(state["promises"]), rng.choice(("kept", "broken")))
    elif op == "alert":
        facts.alert(case_id)
    elif op == "review":
        facts.review(case_id)
    elif op == "cancel":
        facts.cancel(ref, at)
    elif op == "close":
        facts.update_case(case_id, status="closed", closed_at=at)
    elif op == "enrich":
        facts.update_case(
            case_id,
            segment=rng.choice((None, "smb", "enterprise")),
            owner=rng.choice((None, "Dana Whitfield", "Sam Ortiz")),
            outcome=rng.choice((None, "link_sent", "no_answer")),
            amount=Decimal(rng.choice(("5.00", "77.70"))),
        )
    elif op == "rollback":
        with pytest.raises(RuntimeError, match="abandoned"):
            abandon(facts.db, PaymentRow(key=f"rb{rng.random()}", invoice_ref=ref, paid_at=at))


@pytest.mark.parametrize("seed_value", [11, 2026])
def test_incremental_rollup_equals_a_rebuild_after_random_changes(
    facts: Facts, check: Check, db: Database, seed_value: int
) -> None:
    rng = random.Random(seed_value)
    state: dict[str, Any] = {"cases": [], "links": [], "promises": [], "seq": 0}
    for i in range(120):
        random_step(rng, facts, state)
        if i % 40 == 39:
            check(NOW)
    incremental = stored(db)
    assert incremental == rebuilt(db)
    check(NOW)


def test_concurrent_writers_to_one_case_add_up_on_postgresql(pg_url: str) -> None:
    """Two transactions change the same case at once: the second waits for the first's
    refresh (row lock), so neither adds a difference from a stale contribution."""
    upgrade(pg_url)
    db = Database(pg_url)
    try:
        facts = Facts(db)
        case_id = facts.case(1)
        ready = threading.Barrier(2, timeout=20)
        errors: list[BaseException] = []

        def write(key: str) -> None:
            try:
                with db.session() as s:
                    s.add(
                        MessageRow(
                            key=key,
                            case_id=case_id,
                            kind="link",
                            channel="sms",
                            to_masked="x",
                            tracking_token=key,
                            link_url="https://pay.example/y",
                            sent_at=T0,
                        )
                    )
                    s.flush()
                    ready.wait()
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(k,)) for k in ("m1", "m2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert errors == []
        incremental = stored(db)
        assert incremental[1][case_id]["links_sent"] == 2
        assert incremental == rebuilt(db)
    finally:
        db.dispose()
