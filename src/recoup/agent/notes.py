"""What the agent writes down after a call: a two-sentence summary and the next action.

Whoever acts next (finance, the account owner, the reminder job) reads these instead of the
transcript, so the summary names the invoice, the amount and what the customer said or wants,
and the next action is one imperative a person or a job can carry out.
"""

from __future__ import annotations

import re
from datetime import date

from recoup.agent.lines import format_amount
from recoup.domain.models import (
    CaseContext,
    Disposition,
    EscalationReason,
    Outcome,
    ReviewReason,
)

_REVIEW_NOTES: dict[ReviewReason, tuple[str, str]] = {
    ReviewReason.CLAIMED_PAID: (
        "They say it is already paid{said}; check for the payment before any further contact.",
        "finance to verify the claimed payment",
    ),
    ReviewReason.HARDSHIP: (
        "They described financial hardship{said}.",
        "finance to review hardship options",
    ),
    ReviewReason.PROMISE_OUT_OF_POLICY: (
        "They offered to pay by {promise}, beyond the promise limit, which was not accepted.",
        "finance to approve or refuse a promise for {promise}",
    ),
    ReviewReason.LANGUAGE: (
        "The customer did not speak English, so nothing was agreed.",
        "arrange a call in the customer's language",
    ),
    ReviewReason.POLICY_EXCEPTION: (
        "They want to pay but no email or WhatsApp contact is on file.",
        "find a contact channel and send the payment link",
    ),
    ReviewReason.LOW_CONFIDENCE: (
        "The agent could not understand the replies well enough to act.",
        "review the transcript and call again",
    ),
}
_ESCALATION_NOTES: dict[EscalationReason, tuple[str, str]] = {
    EscalationReason.DISPUTE: ("They dispute the charge{said}.", "finance to review dispute"),
    EscalationReason.CANCELLATION: (
        "They asked to cancel{said}.",
        "account owner to handle the cancellation",
    ),
    EscalationReason.CONTRACT_CHANGE: (
        "They asked to change their plan or contract{said}.",
        "account owner to discuss the plan change",
    ),
    EscalationReason.HUMAN_REQUESTED: (
        "They asked to speak with a person.",
        "finance to call the customer back",
    ),
    EscalationReason.HIGH_VALUE: ("The case needs a person.", "finance to take over the case"),
}
_OUTCOME_NOTES: dict[Outcome, tuple[str, str]] = {
    Outcome.LINK_SENT: (
        "They asked for a secure payment link by {channel}.",
        "send payment link by {channel}",
    ),
    Outcome.PROMISE_RECORDED: ("They promised to pay by {promise}.", "remind on {promise}"),
    Outcome.CALLBACK_SCHEDULED: ("They asked to be called back{when}.", "call back{when}"),
    Outcome.DO_NOT_CONTACT: (
        "They asked not to be contacted again.",
        "stop all calls to this customer",
    ),
    Outcome.WRONG_PARTY: (
        "Someone else answered and only a callback request was left; nothing was disclosed.",
        "retry later and check the phone number",
    ),
    Outcome.VOICEMAIL_LEFT: (
        "A voicemail asking for a callback was left, without details of the debt.",
        "call again later",
    ),
    Outcome.NO_ANSWER: ("Nobody answered the call.", "call again later"),
}


def short_phrase(text: str, words: int = 14) -> str:
    """The first words of what the customer said, enough to quote as a reason."""
    cut = re.sub(r"\s+", " ", text).strip().split(" ")[:words]
    return " ".join(cut).rstrip(".,;!?") if cut != [""] else ""


def summary_and_next(
    case: CaseContext, d: Disposition, *, hung_up: bool, callback: date | None
) -> tuple[str, str]:
    """Two sentences for whoever acts next, and that next action. ``callback`` is the day the
    customer asked to be called back on, which is not a promise and so not ``promise_date``."""
    inv = case.invoice
    amount = format_amount(inv.amount, inv.currency, case.account.locale)
    first = (
        f"{case.account.name} was called about invoice {inv.number} for {amount}, "
        f"due {inv.due_date.isoformat()}."
    )
    if hung_up and d.outcome in (Outcome.REVIEW, Outcome.NO_ANSWER):
        return f"{first} They hung up before a next step was agreed.", "call again later"
    second, action = _notes(d)
    said = f' ("{d.objection}")' if d.objection else ""
    slots = {
        "said": said,
        "channel": d.channel.value if d.channel else "email",
        "promise": d.promise_date.isoformat() if d.promise_date else "an unstated date",
        "when": f" on {callback.isoformat()}" if callback else " later",
    }
    return f"{first} {second.format(**slots)}", action.format(**slots)


def _notes(d: Disposition) -> tuple[str, str]:
    if d.review_reason is not None:
        return _REVIEW_NOTES.get(d.review_reason, ("It needs review.", "review the case"))
    if d.escalation is not None:
        return _ESCALATION_NOTES[d.escalation.reason]
    return _OUTCOME_NOTES.get(d.outcome, ("The call ended.", "review the call"))
