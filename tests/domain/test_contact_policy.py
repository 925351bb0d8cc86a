"""The contact policy: windows in the customer's own zone, zones from phones, and the stop rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from recoup.domain.contact_policy import PolicyDecision, decide, in_window, next_window, zones_for
from recoup.domain.models import Account, Invoice
from recoup.playbook import CallingWindow, Playbook, load_playbook

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS_9_TO_17 = CallingWindow(
    start=time(9), end=time(17), days=("mon", "tue", "wed", "thu", "fri")
)


def account(**changes: Any) -> Account:
    base: dict[str, Any] = {
        "account_id": "acc_1",
        "name": "Ana Diaz",
        "phone": "+1 212 555 0100",
        "timezone": "America/New_York",
    }
    return Account(**{**base, **changes})


def invoice(amount: str = "120.00") -> Invoice:
    return Invoice(
        invoice_ref="in_1",
        number="INV-1",
        customer_ref="cus_1",
        amount=Decimal(amount),
        due_date=date(2026, 1, 1),
    )


def playbook(window: CallingWindow = WEEKDAYS_9_TO_17, **changes: Any) -> Playbook:
    data: dict[str, Any] = {"calling": {"window": window.model_dump(), "max_attempts": 3}}
    return Playbook.model_validate({**data, **changes})


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, sec, tzinfo=UTC)


# 2026-01-14 is a Wednesday; Berlin is UTC+1 in January.
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 1, 14, 7, 59), PolicyDecision("wait", "outside_window", utc(2026, 1, 14, 8))),
        (utc(2026, 1, 14, 8, 0), PolicyDecision("call", "in_window")),
        (utc(2026, 1, 14, 15, 59, 59), PolicyDecision("call", "in_window")),
        (utc(2026, 1, 14, 16, 0), PolicyDecision("wait", "outside_window", utc(2026, 1, 15, 8))),
    ],
)
def test_window_edges_are_in_the_customers_zone(now: datetime, expected: PolicyDecision) -> None:
    customer = account(timezone="Europe/Berlin", phone="+49 30 901820")
    assert decide(now, customer, invoice(), 0, playbook()) == expected


def test_weekdays_are_the_playbooks_and_the_customers_local_day() -> None:
    tue_thu = CallingWindow(start=time(9), end=time(17), days=("tue", "thu"))
    # Wednesday 10:00 in New York: not a calling day, so Thursday 09:00 EST.
    assert decide(utc(2026, 1, 14, 15), account(), invoice(), 0, playbook(tue_thu)) == (
        PolicyDecision("wait", "outside_window", utc(2026, 1, 15, 14))
    )
    window = load_playbook().calling.window  # mon-sat, 09:00-20:00
    # Friday 23:00 UTC is Saturday 08:00 in Tokyo: too early, although it is Friday in UTC.
    assert not in_window(utc(2026, 1, 16, 23), [ZoneInfo("Asia/Tokyo")], window)
    # Sunday 02:00 UTC is Saturday 18:00 in Los Angeles: a calling day there.
    assert in_window(utc(2026, 1, 18, 2), [ZoneInfo("America/Los_Angeles")], window)
    assert not in_window(utc(2026, 1, 18, 15), [ZoneInfo("America/Los_Angeles")], window)


@pytest.mark.parametrize(
    ("now", "days", "expected"),
    [
        # Saturday 20:00 EDT, the night DST ends: Monday 09:00 is EST (UTC-5).
        (utc(2026, 11, 1, 0), "mon tue wed thu fri sat", utc(2026, 11, 2, 14)),
        # Friday 20:00 EDT, Mon-Fri window: over the weekend and the change.
        (utc(2026, 10, 31, 0), "mon tue wed thu fri", utc(2026, 11, 2, 14)),
        # Sundays allowed: 09:00 EST on the day of the change itself.
        (utc(2026, 11, 1, 0), "sat sun", utc(2026, 11, 1, 14)),
        # Saturday 20:00 EST, the night DST starts: Monday 09:00 is EDT (UTC-4).
        (utc(2027, 3, 14, 1), "mon tue wed thu fri sat", utc(2027, 3, 15, 13)),
    ],
)
def test_next_window_crosses_weekend_and_dst(now: datetime, days: str, expected: datetime) -> None:
    window = CallingWindow(start=time(9), end=time(20), days=tuple(days.split()))
    assert next_window(now, [NY], window) == expected
    assert decide(now, account(), invoice(), 0, playbook(window)) == PolicyDecision(
        "wait", "outside_window", expected
    )


def test_next_window_is_a_quarter_hour_and_gives_up_after_eight_days() -> None:
    assert next_window(utc(2026, 1, 14, 7, 41, 10), [BERLIN], WEEKDAYS_9_TO_17) == utc(
        2026, 1, 14, 8
    )
    assert next_window(utc(2026, 1, 14, 9, 7), [BERLIN], WEEKDAYS_9_TO_17) == utc(
        2026, 1, 14, 9, 15
    )
    with pytest.raises(ValidationError, match="at least one day"):
        CallingWindow(start=time(9), end=time(17), days=())
    with pytest.raises(ValidationError, match="start before it ends"):
        CallingWindow(start=time(17), end=time(9))


def test_zones_come_from_the_phone_when_the_account_has_none() -> None:
    customer = account(timezone=None, phone="+1 415 555 0100")
    assert zones_for(customer) == [ZoneInfo("America/Los_Angeles")]
    # Wednesday 16:30 UTC is 08:30 in San Francisco (and 11:30 in New York).
    assert decide(utc(2026, 1, 14, 16, 30), customer, invoice(), 0, playbook()) == (
        PolicyDecision("wait", "outside_window", utc(2026, 1, 14, 17))
    )
    assert zones_for(account(timezone="Mars/Olympus_Mons", phone="+1 415 555 0100")) == [
        ZoneInfo("America/Los_Angeles")
    ]
    assert zones_for(account(timezone="Europe/Berlin", phone="+1 415 555 0100")) == [BERLIN]


def test_toll_free_number_must_be_inside_the_window_in_every_zone() -> None:
    customer = account(timezone=None, phone="+1 800 555 0199")
    zones = zones_for(customer)
    names = {z.key for z in zones}
    assert {"America/New_York", "Pacific/Guam", "Pacific/Pago_Pago", "America/St_Johns"} <= names
    assert len(zones) > 10
    window = load_playbook().calling.window
    # Monday 18:00 UTC: 13:00 in New York, but 04:00 on Tuesday in Guam.
    decision = decide(utc(2026, 1, 12, 18), customer, invoice(), 0, load_playbook())
    assert decision == PolicyDecision("wait", "outside_window", utc(2026, 1, 12, 23))
    assert decision.not_before is not None
    for zone in zones:
        local = decision.not_before.astimezone(zone)
        assert time(9) <= local.time() < time(20), zone.key
    assert in_window(utc(2026, 1, 12, 23, 15), zones, window)
    assert not in_window(utc(2026, 1, 12, 23, 30), zones, window)  # 20:00 in St John's
    # In summer St John's (UTC-2:30) closes before Guam opens: no common hour at all.
    assert decide(utc(2026, 7, 13, 18), customer, invoice(), 0, load_playbook()) == (
        PolicyDecision("review", "no_calling_window")
    )


@pytest.mark.parametrize("phone", ["+1 555", "not a number", "", None])
def test_invalid_number_goes_to_review(phone: str | None) -> None:
    customer = account(phone=phone, timezone=None)
    assert zones_for(customer) == []
    assert decide(utc(2026, 1, 14, 15), customer, invoice(), 0, playbook()) == (
        PolicyDecision("review", "no_callable_number")
    )


@pytest.mark.parametrize("phone", ["+1 555", "not a number", "", None])
def test_invalid_number_goes_to_review_even_with_an_account_timezone(phone: str | None) -> None:
    customer = account(phone=phone, timezone="America/New_York")
    assert decide(utc(2026, 1, 14, 15), customer, invoice(), 0, playbook()) == (
        PolicyDecision("review", "no_callable_number")
    )


@pytest.mark.parametrize(
    ("changes", "amount", "attempts", "expected"),
    [
        ({"opted_out": True}, "120.00", 0, ("stop", "do_not_contact")),
        ({"consent_to_call": False}, "120.00", 0, ("stop", "do_not_contact")),
        ({}, "5000.00", 0, ("review", "high_value")),
        ({}, "4999.99", 0, ("call", "in_window")),
        ({"sensitive": True}, "120.00", 0, ("review", "sensitive_account")),
        ({"tier": "strategic"}, "120.00", 0, ("review", "sensitive_account")),
        ({"tier": "standard"}, "120.00", 2, ("call", "in_window")),
        ({}, "120.00", 3, ("stop", "attempts_exhausted")),
        ({}, "120.00", 7, ("stop", "attempts_exhausted")),
    ],
)
def test_stop_and_review_rules(
    changes: dict[str, Any], amount: str, attempts: int, expected: tuple[str, str]
) -> None:
    rules = playbook(sensitive_tiers=["strategic"], high_value_threshold="5000")
    # Wednesday 10:00 in New York: inside the window, so only the rule under test decides.
    decision = decide(utc(2026, 1, 14, 15), account(**changes), invoice(amount), attempts, rules)
    assert (decision.action, decision.reason) == expected
    assert decision.not_before is None


def test_rules_apply_in_priority_order() -> None:
    rules = playbook(sensitive_tiers=["strategic"])
    now = utc(2026, 1, 14, 15)
    everything = {"opted_out": True, "sensitive": True, "tier": "strategic", "phone": None}
    steps = [
        (everything, "9000", 5, "do_not_contact"),
        ({**everything, "opted_out": False}, "9000", 5, "high_value"),
        ({**everything, "opted_out": False}, "10", 5, "sensitive_account"),
        ({"phone": None}, "10", 5, "attempts_exhausted"),
        ({"phone": None}, "10", 0, "no_callable_number"),
        ({}, "10", 0, "in_window"),
    ]
    reasons = [decide(now, account(**c), invoice(a), n, rules).reason for c, a, n, _ in steps]
    assert reasons == [reason for *_, reason in steps]
