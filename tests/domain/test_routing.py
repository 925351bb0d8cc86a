"""Routing: what each call outcome leads to, under the default and a tuned playbook."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from recoup.domain.errors import ConfigError
from recoup.domain.models import (
    Channel,
    Disposition,
    Escalation,
    EscalationReason,
    Outcome,
    ReviewReason,
    Team,
)
from recoup.domain.routing import Route, choose_channel, escalation_for, route
from recoup.playbook import Playbook, load_playbook, parse_playbook

BOTH = {Channel.EMAIL, Channel.WHATSAPP}
PROMISED = date(2026, 2, 3)


def disposition(outcome: Outcome, **changes: Any) -> Disposition:
    return Disposition(call_id="call_1", outcome=outcome, **changes)


def escalated(reason: EscalationReason, team: Team = Team.ACCOUNT_OWNER) -> Disposition:
    return disposition(Outcome.ESCALATED, escalation=Escalation(team=team, reason=reason))


#: The route of every outcome under the default playbook, for a well-formed disposition.
EXPECTED = {
    Outcome.LINK_SENT: (disposition(Outcome.LINK_SENT), Route(send_link=Channel.EMAIL)),
    Outcome.PROMISE_RECORDED: (
        disposition(Outcome.PROMISE_RECORDED, promise_date=PROMISED),
        Route(promise_date=PROMISED),
    ),
    Outcome.ESCALATED: (
        escalated(EscalationReason.DISPUTE),
        Route(
            alert=Escalation(team=Team.FINANCE, reason=EscalationReason.DISPUTE), review="dispute"
        ),
    ),
    Outcome.CALLBACK_SCHEDULED: (disposition(Outcome.CALLBACK_SCHEDULED), Route(retry=True)),
    Outcome.REVIEW: (
        disposition(Outcome.REVIEW, review_reason=ReviewReason.HARDSHIP),
        Route(review="hardship"),
    ),
    Outcome.DO_NOT_CONTACT: (disposition(Outcome.DO_NOT_CONTACT), Route(do_not_contact=True)),
    Outcome.WRONG_PARTY: (disposition(Outcome.WRONG_PARTY), Route(retry=True)),
    Outcome.VOICEMAIL_LEFT: (disposition(Outcome.VOICEMAIL_LEFT), Route(retry=True)),
    Outcome.NO_ANSWER: (disposition(Outcome.NO_ANSWER), Route(retry=True)),
    # A person's resolution, never a call's: were it routed, a person would look again.
    Outcome.RESOLVED: (disposition(Outcome.RESOLVED), Route(review="policy_exception")),
}


def test_the_table_covers_every_outcome() -> None:
    assert set(EXPECTED) == set(Outcome)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_outcome_is_routed(outcome: Outcome) -> None:
    given, expected = EXPECTED[outcome]
    assert route(given, load_playbook(), BOTH) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (disposition(Outcome.REVIEW), Route(review="policy_exception")),
        (disposition(Outcome.PROMISE_RECORDED), Route(review="policy_exception")),
        (
            disposition(Outcome.PROMISE_RECORDED, review_reason=ReviewReason.LOW_CONFIDENCE),
            Route(review="low_confidence"),
        ),
        (disposition(Outcome.ESCALATED), Route(review="policy_exception")),
        (
            disposition(Outcome.ESCALATED, review_reason=ReviewReason.LANGUAGE),
            Route(review="language"),
        ),
    ],
)
def test_incomplete_dispositions_go_to_review(given: Disposition, expected: Route) -> None:
    assert route(given, load_playbook(), BOTH) == expected


@pytest.mark.parametrize(
    ("chosen", "has", "preference", "expected"),
    [
        (Channel.WHATSAPP, BOTH, ("email", "whatsapp"), Channel.WHATSAPP),
        (Channel.EMAIL, BOTH, ("whatsapp", "email"), Channel.EMAIL),
        (Channel.WHATSAPP, {Channel.EMAIL}, ("whatsapp", "email"), Channel.EMAIL),
        (None, BOTH, ("whatsapp", "email"), Channel.WHATSAPP),
        (None, BOTH, ("email", "whatsapp"), Channel.EMAIL),
        (None, {Channel.WHATSAPP}, ("email", "whatsapp"), Channel.WHATSAPP),
        (Channel.EMAIL, {Channel.WHATSAPP}, ("email", "whatsapp"), Channel.WHATSAPP),
        (None, {Channel.WHATSAPP}, ("email",), Channel.EMAIL),
        (Channel.WHATSAPP, set(), ("whatsapp",), Channel.EMAIL),
    ],
)
def test_channel_is_the_customers_choice_if_receivable_else_playbook_preference(
    chosen: Channel | None, has: set[Channel], preference: tuple[str, ...], expected: Channel
) -> None:
    rules = Playbook(channel_preference=preference)
    link = disposition(Outcome.LINK_SENT, channel=chosen)
    assert choose_channel(link, rules, has) == expected
    assert route(link, rules, has) == Route(send_link=expected)


@pytest.mark.parametrize(
    ("reason", "team"),
    [
        (EscalationReason.DISPUTE, Team.FINANCE),
        (EscalationReason.CANCELLATION, Team.ACCOUNT_OWNER),
        (EscalationReason.CONTRACT_CHANGE, Team.ACCOUNT_OWNER),
        (EscalationReason.HUMAN_REQUESTED, Team.FINANCE),
        (EscalationReason.HIGH_VALUE, Team.FINANCE),
    ],
)
def test_escalation_team_comes_from_the_playbook_not_the_call(
    reason: EscalationReason, team: Team
) -> None:
    rules = load_playbook()
    assert escalation_for(reason, rules) == Escalation(team=team, reason=reason)
    other = Team.FINANCE if team is Team.ACCOUNT_OWNER else Team.ACCOUNT_OWNER
    assert route(escalated(reason, team=other), rules, BOTH) == Route(
        alert=Escalation(team=team, reason=reason), review=reason.value
    )


def test_tuned_routes_change_the_team() -> None:
    routes = {reason.value: "account_owner" for reason in EscalationReason}
    rules = Playbook.model_validate({"escalation": {"routes": routes}})
    assert route(escalated(EscalationReason.DISPUTE, Team.FINANCE), rules, BOTH) == Route(
        alert=Escalation(team=Team.ACCOUNT_OWNER, reason=EscalationReason.DISPUTE),
        review="dispute",
    )


def test_partial_escalation_routes_do_not_crash_routing() -> None:
    """A playbook listing only some routes must not make the other escalations crash.

    Either parsing refuses the incomplete ``escalation.routes`` or the unlisted reasons keep
    their default team; a KeyError at call time is neither.
    """
    text = "escalation:\n  routes:\n    dispute: account_owner\n"
    try:
        rules: Playbook | None = parse_playbook(text)
        refusal = ""
    except ConfigError as exc:  # refusing the incomplete key is an acceptable answer
        rules, refusal = None, str(exc)
    if rules is None:
        assert "escalation.routes" in refusal
        return
    cancelled = escalated(EscalationReason.CANCELLATION, Team.FINANCE)
    assert route(cancelled, rules, BOTH) == Route(
        alert=Escalation(team=Team.ACCOUNT_OWNER, reason=EscalationReason.CANCELLATION),
        review="cancellation",
    )


@pytest.mark.parametrize(
    "outcome",
    [Outcome.NO_ANSWER, Outcome.LINK_SENT, Outcome.PROMISE_RECORDED, Outcome.ESCALATED],
)
def test_outcomes_the_playbook_reviews_wait_for_a_person(outcome: Outcome) -> None:
    rules = Playbook.model_validate({"outcomes": {"review": ["review", outcome.value]}})
    given, _ = EXPECTED[outcome]
    assert route(given, rules, BOTH) == Route(review="outcome_needs_review")
    # REVIEW itself keeps its own reason, and other outcomes keep their route.
    assert route(EXPECTED[Outcome.REVIEW][0], rules, BOTH) == Route(review="hardship")
    assert route(disposition(Outcome.DO_NOT_CONTACT), rules, BOTH) == Route(do_not_contact=True)
