"""generate_population: reproducible, realistic in mix, valid in every detail, varied in speech."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
import pytest

from recoup.adapters.simulator import (
    AnswerMode,
    BehaviourKind,
    Persona,
    ScriptedCustomer,
    generate_population,
)

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=ZoneInfo("America/New_York"))
N = 500


@cache
def population() -> tuple[Persona, ...]:
    """The population most tests inspect, built once: 500 personas from seed 7."""
    return tuple(generate_population(N, 7, NOW))


def humans() -> list[Persona]:
    return [p for p in population() if p.answers is AnswerMode.HUMAN]


def local_today(persona: Persona) -> datetime:
    return NOW.astimezone(ZoneInfo(persona.account.timezone or "UTC"))


@cache
def zone_countries() -> dict[str, str]:
    """IANA zone -> ISO country, from zone.tab: an oracle independent of the generator."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text()
    except ModuleNotFoundError:
        system = Path("/usr/share/zoneinfo/zone.tab")
        if not system.exists():
            pytest.skip("no zone.tab available")
        text = system.read_text()
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {row[2]: row[0] for row in rows}


def test_same_seed_same_population() -> None:
    assert generate_population(N, 7, NOW) == list(population())


def test_different_seed_different_population() -> None:
    other = generate_population(50, 8, NOW)
    assert [p.account for p in other] != [p.account for p in population()[:50]]
    assert sum(a.account == b.account for a, b in zip(other, population(), strict=False)) < 5


def test_larger_population_extends_a_smaller_one() -> None:
    assert generate_population(20, 7, NOW) == list(population()[:20])


def test_edge_sizes_and_bad_arguments() -> None:
    assert generate_population(0, 1, NOW) == []
    with pytest.raises(ValueError, match=">= 0"):
        generate_population(-1, 1, NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        generate_population(3, 1, datetime(2026, 11, 24, 15, 0))


def test_personas_round_trip_through_json() -> None:
    for persona in population()[:100]:
        assert Persona.model_validate(persona.model_dump(mode="json")) == persona


@pytest.mark.parametrize(
    ("mode", "share"),
    [
        (AnswerMode.HUMAN, 0.65),
        (AnswerMode.VOICEMAIL, 0.15),
        (AnswerMode.NO_ANSWER, 0.15),
        (AnswerMode.BUSY, 0.05),
    ],
)
def test_answer_mix(mode: AnswerMode, share: float) -> None:
    count = sum(p.answers is mode for p in population())
    assert abs(count / N - share) < 0.06, (mode, count)


def test_behaviour_mix_among_humans() -> None:
    people = humans()
    kinds = Counter(p.behaviour.kind for p in people if p.behaviour)
    assert set(kinds) == set(BehaviourKind), set(BehaviourKind) - set(kinds)
    payers = kinds[BehaviourKind.PAY_NOW] + kinds[BehaviourKind.QUESTION_THEN_PAY]
    assert 0.2 < payers / len(people) < 0.45
    assert 0.1 < kinds[BehaviourKind.PROMISE] / len(people) < 0.28
    assert max(kinds.values()) / len(people) < 0.35


def test_aftermath_is_consistent() -> None:
    for persona in population():
        b, acc = persona.behaviour, persona.account
        assert b is not None
        assert not b.pays_via_link or b.opens_link
        assert b.channel is not None
        assert b.channel.value == "email" or acc.whatsapp is not None
        assert (b.promise_date is not None) == (b.kind is BehaviourKind.PROMISE)
        if b.kind is BehaviourKind.PROMISE and b.keeps_promise:
            assert b.pays_via_link
            assert b.pay_delay_hours > 0
    kept = [
        p.behaviour.keeps_promise
        for p in population()
        if p.behaviour and p.behaviour.kind is BehaviourKind.PROMISE
    ]
    assert 0.4 < sum(kept) / len(kept) < 0.85
    paid = [p for p in population() if p.behaviour and p.behaviour.pays_via_link]
    assert 0.25 < len(paid) / N < 0.6


def test_phones_are_valid_unique_and_in_the_timezone_country() -> None:
    countries = zone_countries()
    seen = Counter(p.account.phone for p in population())
    assert max(seen.values()) == 1
    for persona in population():
        acc = persona.account
        assert acc.timezone is not None
        for number in filter(None, (acc.phone, acc.whatsapp)):
            parsed = phonenumbers.parse(number, None)
            assert phonenumbers.is_valid_number(parsed), number
            assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
            assert phonenumbers.region_code_for_number(parsed) == countries[acc.timezone], number
    with_whatsapp = sum(p.account.whatsapp is not None for p in population())
    assert 0.15 < with_whatsapp / N < 0.6


def test_timezones_span_us_eu_and_apac() -> None:
    zones = {p.account.timezone for p in population()}
    for prefix in ("America/", "Europe/", "Australia/"):
        assert sum(str(z).startswith(prefix) for z in zones) >= 3, prefix
    assert len(zones) >= 12


def test_tiers_amounts_and_high_value_accounts() -> None:
    tiers = Counter(p.account.tier for p in population())
    assert set(tiers) == {"starter", "growth", "enterprise"}
    assert tiers["starter"] > tiers["growth"] > tiers["enterprise"] > 0
    high = [p for p in population() if p.invoice.amount > 5000]
    assert len(high) >= 20
    assert {p.account.tier for p in high} == {"enterprise"}
    assert any(p.invoice.currency == "usd" for p in high)
    assert all(p.invoice.amount < 300 for p in population() if p.account.tier == "starter")


def test_invoices_look_like_recent_failures() -> None:
    reasons = Counter(p.invoice.failure_reason for p in population())
    assert set(reasons) == {
        "expired_card",
        "insufficient_funds",
        "card_velocity_exceeded",
        "fraudulent",
        "card_declined",
    }
    assert {p.invoice.prior_failures for p in population()} == {0, 1, 2, 3}
    assert len({p.invoice.number for p in population()}) == N
    for persona in population():
        overdue = local_today(persona).date() - persona.invoice.due_date
        assert timedelta(days=1) <= overdue <= timedelta(days=7)


def test_owners_are_a_handful_and_emails_are_reserved_domains() -> None:
    owners = Counter(p.account.owner for p in population())
    assert 3 <= len(set(owners) - {None}) <= 8
    assert all(p.account.tier == "starter" for p in population() if p.account.owner is None)
    assert all(str(p.account.email).endswith(".example") for p in population())
    assert len({p.account.name for p in population()}) > 200


def test_promise_dates_are_mostly_within_two_weeks() -> None:
    days = [
        (p.behaviour.promise_date - local_today(p).date()).days
        for p in population()
        if p.behaviour is not None and p.behaviour.promise_date is not None
    ]
    assert min(days) >= 1
    near = sum(d <= 14 for d in days)
    assert near / len(days) > 0.75
    assert near < len(days)


def test_replies_vary_widely() -> None:
    lines = [line for p in humans() for script in p.replies.values() for line in script]
    assert len(set(lines)) > 600
    openers = {p.replies["ask_resolution"][0] for p in humans() if "ask_resolution" in p.replies}
    assert len(openers) > 150
    hesitant = [line for line in lines if line.startswith(("hmm", "well,", "so,", "uh, "))]
    assert len(hesitant) > 20
    assert any(line == line.lower() and not line.endswith((".", "?")) for line in lines)
    assert any(line[0].isupper() and line.endswith(".") for line in lines)


def test_spoken_dates_use_many_forms() -> None:
    said = " ".join(
        p.replies["ask_date"][0]
        for p in humans()
        if p.behaviour and p.behaviour.kind is BehaviourKind.PROMISE
    ).lower()
    found = [form for form in ("tomorrow", "next ", "the ", "in ", "end of", "day") if form in said]
    assert len(found) >= 5, found


def test_every_human_script_plays_and_then_ends() -> None:
    acts = (
        "greet_verify",
        "disclose",
        "ask_resolution",
        "answer_question",
        "ask_channel",
        "ask_date",
        "confirm",
        "close",
    )
    for persona in humans():
        customer = ScriptedCustomer(persona.replies)
        assert customer.reply("greet_verify", "Hi, is this the account holder?")
        for _ in range(10):
            for act in acts:
                customer.reply(act, "...")
        assert customer.hung_up
        assert ScriptedCustomer(persona.replies).reply("voicemail", "Hi, leaving a message") is None


def test_channel_answers_match_the_behaviour() -> None:
    for persona in humans():
        answer = " ".join(persona.replies["ask_channel"]).lower()
        assert persona.behaviour is not None
        assert persona.behaviour.channel is not None
        assert ("whatsapp" in answer) == (persona.behaviour.channel.value == "whatsapp"), answer
