"""Disposition -> what happens next. Pure, so the routing table is tested without a workflow.

The workflow executes the :class:`Route` step by step; keeping the decision here means the
workflow stays orchestration and the playbook's rules live in one readable function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from recoup.domain.models import Channel, Disposition, Escalation, EscalationReason, Outcome
from recoup.playbook import Playbook

_RETRY_OUTCOMES = frozenset(
    {
        Outcome.WRONG_PARTY,
        Outcome.VOICEMAIL_LEFT,
        Outcome.NO_ANSWER,
        Outcome.CALLBACK_SCHEDULED,
    }
)


@dataclass(frozen=True)
class Route:
    """The actions one disposition calls for; empty fields mean "not this"."""

    send_link: Channel | None = None
    promise_date: date | None = None
    alert: Escalation | None = None
    review: str | None = None
    retry: bool = False
    do_not_contact: bool = False


def choose_channel(disposition: Disposition, playbook: Playbook, has: set[Channel]) -> Channel:
    """The customer's chosen channel, else the playbook's first one they can receive."""
    if disposition.channel is not None and disposition.channel in has:
        return disposition.channel
    for name in playbook.channel_preference:
        if Channel(name) in has:
            return Channel(name)
    return Channel.EMAIL


def escalation_for(reason: EscalationReason, playbook: Playbook) -> Escalation:
    """The team the playbook sends this kind of escalation to."""
    return Escalation(team=playbook.escalation.routes[reason], reason=reason)


def route(disposition: Disposition, playbook: Playbook, has: set[Channel]) -> Route:
    """The actions for ``disposition`` under ``playbook``."""
    outcome = disposition.outcome
    if outcome in playbook.outcomes.review and outcome is not Outcome.REVIEW:
        return Route(review="outcome_needs_review")
    if outcome is Outcome.LINK_SENT:
        return Route(send_link=choose_channel(disposition, playbook, has))
    if outcome is Outcome.PROMISE_RECORDED and disposition.promise_date is not None:
        return Route(promise_date=disposition.promise_date)
    if outcome is Outcome.ESCALATED and disposition.escalation is not None:
        # Alerted on Slack for speed, and queued for the console: a person owns it until it
        # is resolved there (or with the alert's "Resolved" button, which closes this item).
        escalated = disposition.escalation.reason
        return Route(alert=escalation_for(escalated, playbook), review=escalated.value)
    if outcome is Outcome.DO_NOT_CONTACT:
        return Route(do_not_contact=True)
    if outcome in _RETRY_OUTCOMES:
        return Route(retry=True)
    reason = disposition.review_reason.value if disposition.review_reason else "policy_exception"
    return Route(review=reason)
