"""The case workflow end to end, one simulated customer at a time, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from sqlalchemy import func, select

from recoup import wiring
from recoup.adapters.simulator.persona import Persona
from recoup.store.tables import AccountRow, TriggerEventRow

from .conftest import RunCases


def example(name: str, **changes: Any) -> Persona:
    """An example persona with top-level fields replaced (``replies``, ``behaviour``, ...)."""
    path = resources.files("recoup.adapters.simulator").joinpath(f"examples/{name}.json")
    data = json.loads(path.read_text("utf-8"))
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict) and key != "replies":
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return Persona.model_validate(data)


def outcomes(detail: dict[str, Any]) -> list[str]:
    return [d["outcome"] for d in detail["dispositions"]]


def test_pay_now_sends_one_link_and_closes_when_paid(run_cases: RunCases) -> None:
    [case] = run_cases([example("pay_now")], "paynow")
    assert outcomes(case) == ["link_sent"]
    assert case["case"]["status"] == "closed"
    assert case["case"]["close_reason"] == "paid"
    [message] = case["messages"]
    assert message["channel"] == "whatsapp"
    assert message["opened_at"] is not None
    assert "555" not in message["to_masked"]  # the number is masked
    assert sorted(w["system"] for w in case["write_backs"]) == ["billing", "crm"]
    assert case["alerts"] == []
    actions = [a["action"] for a in case["audit"]]
    assert actions[:3] == ["event_started", "enriched", "call_ended"]
    assert "link_opened" in actions


def test_kept_promise_is_recorded_and_marked_kept(run_cases: RunCases) -> None:
    [case] = run_cases([example("promise")], "kept")
    assert outcomes(case) == ["promise_recorded"]
    [promise] = case["promises"]
    assert promise["status"] == "kept"
    assert case["case"]["close_reason"] == "paid"


@pytest.mark.playbook("give_up_after_days: 90\n")  # three promise cycles fit, however slow
def test_broken_promise_gets_a_reminder_and_another_call(run_cases: RunCases) -> None:
    broken = example(
        "promise",
        behaviour={
            "keeps_promise": False,
            "pays_late_days": None,
            "opens_link": False,
            "pays_via_link": False,
        },
    )
    [case] = run_cases([broken], "broken")
    assert outcomes(case) == ["promise_recorded"] * 3
    assert [p["status"] for p in case["promises"]] == ["broken"] * 3
    reminders = [m for m in case["messages"] if m["kind"] == "reminder"]
    assert len(reminders) == 3
    assert case["case"]["close_reason"] == "attempts_exhausted"
    assert [r["reason"] for r in case["review_items"]] == ["attempts_exhausted"]


def disputer() -> Persona:
    """A customer who disputes a double charge and never pays through a link."""
    return example(
        "pay_now",
        replies={
            "greet_verify": ["yes speaking"],
            "ask_resolution": ["no, we were charged twice for this, i'm disputing it"],
            "ask_dispute_detail": ["the november invoice was billed twice on our card"],
            "*": ["okay", "bye"],
        },
        behaviour={"kind": "dispute", "opens_link": False, "pays_via_link": False},
    )


def test_dispute_alerts_finance_with_an_actionable_summary(run_cases: RunCases) -> None:
    [case] = run_cases([disputer()], "dispute")
    assert outcomes(case) == ["escalated"]
    [alert] = case["alerts"]
    assert (alert["team"], alert["reason"], alert["target"]) == (
        "finance",
        "dispute",
        "#finance-collections",
    )
    assert "INV-2611-00101" in alert["summary"]
    assert case["messages"] == []
    assert case["case"]["close_reason"] == "handed_off"


def test_opt_out_stops_at_once_and_marks_the_account(
    app: wiring.Started, run_cases: RunCases
) -> None:
    opt_out = example(
        "pay_now",
        replies={"greet_verify": ["yes"], "*": ["stop calling me, take this number off your list"]},
    )
    [case] = run_cases([opt_out], "optout")
    assert outcomes(case) == ["do_not_contact"]
    assert case["case"]["close_reason"] == "do_not_contact"
    assert case["messages"] == []
    assert case["alerts"] == []
    with app.db.session() as s:
        account = s.get(AccountRow, case["case"]["account_id"])
        assert account is not None
        assert account.opted_out


def test_high_value_goes_to_a_person_without_a_call(run_cases: RunCases) -> None:
    big = example("pay_now", invoice={"amount": "9000.00"})
    [case] = run_cases([big], "big")
    assert case["calls"] == []
    assert [r["reason"] for r in case["review_items"]] == ["high_value"]
    [alert] = case["alerts"]
    assert alert["team"] == "finance"
    assert alert["reason"] == "high_value"


def test_unanswered_calls_retry_within_the_limit(run_cases: RunCases) -> None:
    [case] = run_cases([example("voicemail")], "vm")
    assert outcomes(case) == ["voicemail_left"] * 3
    assert [c["attempt_no"] for c in case["calls"]] == [1, 2, 3]
    voicemail = case["dispositions"][0]["transcript"][0]["text"].lower()
    for word in ("invoice", "$", "payment", "249"):
        assert word not in voicemail


def test_low_confidence_match_goes_to_review_and_writes_nothing(
    app: wiring.Started, run_cases: RunCases
) -> None:
    persona = example("pay_now")
    original = app.world.crm.add_account
    stranger = {"email": "someone.else@other.example", "phone": "+14155550199"}

    def add_unlinked(account: Any) -> None:
        original(account.model_copy(update={"billing_customer_ref": None, **stranger}))

    app.world.crm.add_account = add_unlinked  # type: ignore[method-assign]
    [case] = run_cases([persona], "lowconf")
    assert case["calls"] == []
    assert [r["reason"] for r in case["review_items"]] == ["low_confidence_match"]
    assert case["write_backs"] == []
    assert app.world.ledger.items("crm_note") == []
    assert Decimal(str(case["case"]["match_confidence"])) < Decimal("0.8")


def test_redelivered_and_second_events_do_not_start_another_case(app: wiring.Started) -> None:
    from recoup import demo
    from recoup.adapters.stripe.mapping import event_to_trigger
    from recoup.workflows.ingest import ingest

    _, [customer] = demo.seed_world(app, [example("pay_now")], "dedupe")
    first = demo.failed_event(customer, app.runtime.clock.now())
    again = ingest(app.runtime, event_to_trigger(first), first)
    repeat = ingest(app.runtime, event_to_trigger(first), first)
    second = {**first, "id": first["id"] + "_retry"}
    joined = ingest(app.runtime, event_to_trigger(second), second)
    assert (again.status, repeat.status, joined.status) == ("started", "duplicate", "joined")
    assert again.case_id == repeat.case_id == joined.case_id
    with app.db.session() as s:
        assert s.scalar(select(func.count()).select_from(TriggerEventRow)) == 2


class _RefusingCrm:
    """A CRM whose credentials were revoked: every call is refused."""

    def match_account(self, *_: object) -> None:
        from recoup.domain.errors import PermanentPortError

        raise PermanentPortError("HubSpot refused the access token (401): check the token")

    def record_disposition(self, *_: object) -> None:
        raise AssertionError("never reached")


def test_a_vendor_that_refuses_puts_the_case_in_review_not_in_error(
    app: wiring.Started,
) -> None:
    import dataclasses
    import time

    from recoup import demo
    from recoup.store import views
    from recoup.workflows import runtime

    world, [customer] = demo.seed_world(app, [example("pay_now")], "refused")
    runtime.install(dataclasses.replace(app.runtime, crm=_RefusingCrm()))  # type: ignore[arg-type]
    try:
        demo.drive(app, world, [customer], lambda _: None, timeout_s=0.1)
        case_id = f"case:stripe:{customer.invoice_ref}"
        deadline = time.monotonic() + 30
        detail: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            with app.db.session() as s:
                detail = views.case_detail(s, case_id)
            if detail is not None and detail["case"]["status"] == "review":
                break
            time.sleep(0.1)
        assert detail is not None
        assert detail["case"]["status"] == "review"
        [item] = [r for r in detail["review_items"] if r["reason"] == "vendor_error"]
        assert "refused the access token" in item["summary"]
        assert detail["dispositions"] == []  # nobody was called
    finally:
        runtime.install(app.runtime)
