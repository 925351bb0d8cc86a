"""The playbook in words a finance team reads: each launch rule as a sentence, plus the raw key.

Operators see the rules in force before they change them, so every sentence is built from the
:class:`~recoup.playbook.Playbook` model's fields (never a copied number) and every field
appears as a raw ``key = value`` in exactly one section: a test checks nothing is left out, so
a new playbook field cannot silently vanish from the view.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from decimal import Decimal
from enum import Enum
from typing import Any, TypedDict

from recoup.domain.models import EscalationReason, Outcome, Team, TriggerKind
from recoup.playbook import WEEKDAYS, Playbook


class RuleSection(TypedDict):
    """One block of the playbook page: ``lines`` for people, ``raw`` for reference."""

    id: str
    title: str
    lines: list[str]
    raw: dict[str, str]


_DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
_TRIGGERS = {
    TriggerKind.PAYMENT_FAILED: "a failed payment",
    TriggerKind.INVOICE_UNPAID: "an unpaid invoice",
    TriggerKind.SUBSCRIPTION_PAST_DUE: "a subscription past due",
    TriggerKind.SUBSCRIPTION_UNPAID: "a subscription left unpaid",
    TriggerKind.UPCOMING_SUSPENSION: "an upcoming suspension",
}
_OUTCOMES = {
    Outcome.LINK_SENT: "payment link sent",
    Outcome.PROMISE_RECORDED: "promise to pay",
    Outcome.ESCALATED: "escalated to a person",
    Outcome.CALLBACK_SCHEDULED: "callback requested",
    Outcome.REVIEW: "needs review",
    Outcome.DO_NOT_CONTACT: "asked not to be contacted",
    Outcome.WRONG_PARTY: "wrong person",
    Outcome.VOICEMAIL_LEFT: "voicemail left",
    Outcome.NO_ANSWER: "no answer",
}
_ESCALATIONS = {
    EscalationReason.DISPUTE: "Disputed invoices",
    EscalationReason.CANCELLATION: "Customers who want to cancel",
    EscalationReason.CONTRACT_CHANGE: "Requests to change the contract",
    EscalationReason.HUMAN_REQUESTED: "Customers who ask for a person",
    EscalationReason.HIGH_VALUE: "High-value invoices",
}


def listing(items: list[str], joiner: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {joiner} {items[-1]}"


def day_span(days: tuple[str, ...]) -> str:
    """``Monday to Friday`` for a run of days, ``every day``, else the days listed."""
    ordered = [d for d in WEEKDAYS if d in days]
    if len(ordered) == len(WEEKDAYS):
        return "every day"
    first = WEEKDAYS.index(ordered[0])
    if len(ordered) > 2 and ordered == list(WEEKDAYS[first : first + len(ordered)]):
        return f"{_DAY_NAMES[ordered[0]]} to {_DAY_NAMES[ordered[-1]]}"
    return listing([_DAY_NAMES[d] for d in ordered])


def amount_text(value: Decimal) -> str:
    """``5,000`` or ``5,000.50``: thousands separated, cents only when there are any."""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def quantity(value: float, unit: str) -> str:
    """``24 hours``, ``1 hour``, ``1.5 days``."""
    shown = f"{value:g}"
    return f"{shown} {unit}" if shown == "1" else f"{shown} {unit}s"


def hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def team_text(team: Team, playbook: Playbook) -> str:
    """Where an alert for ``team`` lands, in words."""
    routes = playbook.escalation
    if team is Team.FINANCE:
        return f"finance in {routes.finance_channel}"
    return f"the account owner (or {routes.owner_fallback_channel} when the account has none)"


def _calling(pb: Playbook) -> list[str]:
    w = pb.calling.window
    notice = (
        "Each call starts by telling the customer it is recorded."
        if pb.calling.recording_notice
        else "Customers are not told that the call is recorded (the recording notice is off)."
    )
    return [
        f"Calls only between {hhmm(w.start)} and {hhmm(w.end)} in the customer's own time "
        f"zone, {day_span(w.days)}.",
        "A phone number that spans several time zones must be inside these hours in all of "
        "them; when no time zone can be told, nobody is called and a person decides.",
        notice,
    ]


def _attempts(pb: Playbook) -> list[str]:
    c = pb.calling
    plural = "attempt" if c.max_attempts == 1 else "attempts"
    return [
        f"At most {c.max_attempts} call {plural} per invoice; after that a person reviews it.",
        f"At least {quantity(c.retry_after_hours, 'hour')} between attempts (after no answer, "
        "a voicemail, a wrong person, a requested callback or a broken promise).",
    ]


def _coverage(pb: Playbook) -> list[str]:
    kinds = [_TRIGGERS.get(k, k.value.replace("_", " ")) for k in pb.triggers]
    lines = [f"A case opens when billing reports {listing(kinds, 'or')}."]
    include, exclude = pb.segments.include, pb.segments.exclude
    if include:
        lines.append(f"Only customers in these segments are called: {', '.join(include)}.")
    if exclude:
        lines.append(f"Customers in these segments are never called: {', '.join(exclude)}.")
    if not include and not exclude:
        lines.append("Every customer segment is covered.")
    return lines


def _high_value(pb: Playbook) -> list[str]:
    team = team_text(pb.escalation.routes[EscalationReason.HIGH_VALUE], pb)
    tiers = pb.sensitive_tiers
    sensitive = (
        f"Accounts in the {listing(list(tiers))} tier{'s' if len(tiers) > 1 else ''} always "
        "go to a person, as do accounts the CRM marks sensitive."
        if tiers
        else "No account tier is singled out; accounts the CRM marks sensitive still go to a "
        "person."
    )
    return [
        f"Invoices of {amount_text(pb.high_value_threshold)} or more (in the invoice's own "
        f"currency) are not called: a person handles them and {team} is alerted.",
        sensitive,
    ]


def _promises(pb: Playbook) -> list[str]:
    return [
        f"On the call, a promise to pay within {quantity(pb.longest_promise_days, 'day')} is "
        "accepted; a later date goes to a person for review.",
        f"A promise counts as broken when the invoice is still unpaid "
        f"{quantity(pb.promise_grace_days, 'day')} after the promised date: the customer gets a "
        "reminder and is called again.",
    ]


def _escalation(pb: Playbook) -> list[str]:
    return [
        f"{_ESCALATIONS.get(reason, reason.value)} go to {team_text(team, pb)}."
        for reason, team in pb.escalation.routes.items()
    ]


def _review_first(pb: Playbook) -> list[str]:
    n = pb.review_first_runs
    lines = (
        [
            f"The first {n} case{'s' if n > 1 else ''}: what each call decided waits for a "
            "person's approval before anything is sent or written back.",
            f"An approval not given within {quantity(pb.review_timeout_days, 'day')} closes "
            "the case.",
        ]
        if n
        else ["No first-runs review: what a call decides is acted on at once."]
    )
    auto = [_OUTCOMES.get(o, o.value) for o in pb.outcomes.automatic]
    held = [_OUTCOMES.get(o, o.value) for o in pb.outcomes.review]
    lines.append(f"Acted on automatically: {', '.join(auto) or 'nothing'}.")
    lines.append(f"Always waits for a person: {', '.join(held) or 'nothing'}.")
    return lines


def _thresholds(pb: Playbook) -> list[str]:
    return [
        f"A case still unpaid {quantity(pb.give_up_after_days, 'day')} after it opened is "
        "closed as given up.",
        f"When billing and the CRM match the customer with less than "
        f"{pb.match_confidence_threshold:.0%} confidence, nothing is written and a person "
        "checks the match first.",
    ]


def _channels(pb: Playbook) -> list[str]:
    prefs = [{"email": "email", "whatsapp": "WhatsApp"}[c] for c in pb.channel_preference]
    return [
        "Payment links and reminders go by the first channel the customer can receive, in "
        f"this order: {', '.join(prefs)}. A channel the customer asks for on the call comes "
        "first.",
        f"Email subject: “{pb.templates.email_subject}”.",
    ]


def _version(pb: Playbook) -> list[str]:
    return [f"These are the rules of playbook version {pb.version}."]


#: (id, title, lines, the playbook keys shown raw in that section).
_SECTIONS: tuple[tuple[str, str, Callable[[Playbook], list[str]], tuple[str, ...]], ...] = (
    ("version", "Playbook", _version, ("version",)),
    (
        "calling_hours",
        "Calling hours and days",
        _calling,
        ("calling.window", "calling.recording_notice"),
    ),
    (
        "attempts",
        "Attempt limits and retry spacing",
        _attempts,
        ("calling.max_attempts", "calling.retry_after_hours"),
    ),
    ("coverage", "Who is covered", _coverage, ("triggers", "segments")),
    (
        "high_value",
        "High-value and sensitive accounts",
        _high_value,
        ("high_value_threshold", "sensitive_tiers"),
    ),
    ("promises", "Promises to pay", _promises, ("longest_promise_days", "promise_grace_days")),
    ("escalation", "Escalation routing", _escalation, ("escalation",)),
    (
        "review_first",
        "Review before acting",
        _review_first,
        ("review_first_runs", "review_timeout_days", "outcomes"),
    ),
    (
        "thresholds",
        "Giving up and matching",
        _thresholds,
        ("give_up_after_days", "match_confidence_threshold"),
    ),
    ("channels", "Channels and messages", _channels, ("channel_preference", "templates")),
)


def _shown(value: object) -> str:
    """A leaf as the YAML file would spell it: ``09:00``, ``[mon, tue]``, ``true``, ``24``."""
    if isinstance(value, time):
        return hhmm(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return str(value)


def flatten(data: dict[Any, Any], prefix: str = "") -> dict[str, str]:
    """``{"calling.window.start": "09:00", ...}``: every leaf of the playbook as text."""
    flat: dict[str, str] = {}
    for key, value in data.items():
        path = f"{prefix}{_shown(key)}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = _shown(value)
    return flat


def _under(key: str, prefixes: tuple[str, ...]) -> bool:
    return any(key == p or key.startswith(f"{p}.") for p in prefixes)


def rules(playbook: Playbook) -> list[RuleSection]:
    """The playbook's rules, section by section, as sentences plus the raw keys they read."""
    flat = flatten(playbook.model_dump())
    return [
        RuleSection(
            id=ident,
            title=title,
            lines=describe(playbook),
            raw={k: v for k, v in flat.items() if _under(k, keys)},
        )
        for ident, title, describe, keys in _SECTIONS
    ]
