"""The mechanics under the dialog: call state, lines with the case filled in, asking, ending.

Split from ``stages`` (the decisions) and ``dialog`` (the public API and bookkeeping) so each of
the three reads on its own. Nothing here knows which stage follows which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from recoup.agent.lines import Lines, failure_reason, format_amount, format_date
from recoup.agent.understand import Understanding
from recoup.domain.models import CallRequest, Channel, Escalation, Outcome, ReviewReason

CONFIDENCE_FLOOR = 0.6
UNCLEAR_IN_A_ROW = 2
UNCLEAR_TOTAL = 3
#: Intents that decide an outcome by themselves (unlike "yes", which confirms one).
SUBSTANTIVE = frozenset(
    {"pay_now", "promise_to_pay", "already_paid", "dispute", "cancel", "change_plan", "hardship",
     "callback", "wrong_party", "opt_out", "human"}
)  # fmt: skip
_PROMPTS = {  # stage -> (act, line)
    "verify": ("greet_verify", "verify_again"), "resolution": ("ask_resolution", "ask_resolution"),
    "channel": ("ask_channel", "ask_channel"), "confirm_link": ("confirm", "confirm_link"),
    "date": ("ask_date", "ask_date"), "confirm_promise": ("confirm", "confirm_promise"),
    "dispute_detail": ("ask_dispute_detail", "ask_dispute_detail"),
}  # fmt: skip
CHANNEL_WORDS = {Channel.EMAIL: "email", Channel.WHATSAPP: "WhatsApp"}


@dataclass(frozen=True)
class AgentTurn:
    """What the agent says next; ``done`` once it has ended the call."""

    act: str
    text: str
    done: bool = False


@dataclass
class Result:
    """How the call ended, as decided during it."""

    outcome: Outcome
    intent: str = "other"
    confidence: float = 1.0
    escalation: Escalation | None = None
    review: ReviewReason | None = None
    callback: date | None = None


class Flow:
    """State of one call and the moves every stage shares."""

    def __init__(self, request: CallRequest, today: date) -> None:
        self.request = request
        self.today = today
        self.lines = Lines(request.call_id)
        self.stage = "new"
        self.verified = False
        self.result: Result | None = None
        self.decisive: Understanding | None = None
        self.channel: Channel | None = None
        self.promise: date | None = None
        self.objection: str | None = None
        self.first_name = (request.case.account.name.split() or [""])[0]
        self._unclear_row = 0
        self._unclear_total = 0

    def say(self, key: str, **extra: str) -> str:
        """A line with the case's slots filled in."""
        account, invoice = self.request.case.account, self.request.case.invoice
        number = self.request.callback_number
        slots = {
            "name": account.name, "first": self.first_name,
            "company": self.request.company_name, "invoice": invoice.number,
            "amount": format_amount(invoice.amount, invoice.currency, account.locale),
            "due": format_date(invoice.due_date, account.locale),
            "at": f" at {number}" if number else "",
            "reason": failure_reason(invoice.failure_reason),
            "channel": CHANNEL_WORDS[self.channel] if self.channel else "email",
            "date": format_date(self.promise, account.locale) if self.promise else "",
        }  # fmt: skip
        return self.lines.say(key, **(slots | extra))

    def prompt(self, stage: str, prefix: str = "") -> AgentTurn:
        """Move to ``stage`` and ask its question, after ``prefix`` if any."""
        self.stage = stage
        act, key = _PROMPTS[stage]
        return AgentTurn(act, f"{prefix} {self.say(key)}".strip())

    def finish(
        self,
        u: Understanding,
        key: str,
        outcome: Outcome,
        *,
        intent: str | None = None,
        escalation: Escalation | None = None,
        review: ReviewReason | None = None,
        callback: date | None = None,
    ) -> AgentTurn:
        """End the call with ``outcome``. A confirming "yes" credits the reply it confirmed;
        the confidence is the weaker of the two, so a shaky confirmation shows."""
        source = u if u.intent in SUBSTANTIVE or self.decisive is None else self.decisive
        self.result = Result(
            outcome=outcome,
            intent=intent or source.intent,
            confidence=min(u.confidence, source.confidence),
            escalation=escalation,
            review=review,
            callback=callback,
        )
        self.stage = "ended"
        locale = self.request.case.account.locale
        when = f"on {format_date(callback, locale)}" if callback else "later"
        return AgentTurn("close", self.say(key, when=when), done=True)

    def unclear(self, u: Understanding, prefix: str = "") -> AgentTurn:
        """Ask again, or end in review once the limits are reached: never guess."""
        self._unclear_row += 1
        self._unclear_total += 1
        if self._unclear_row >= UNCLEAR_IN_A_ROW or self._unclear_total >= UNCLEAR_TOTAL:
            return self.finish(
                u, "close_low_confidence", Outcome.REVIEW, intent=u.intent,
                review=ReviewReason.LOW_CONFIDENCE,
            )  # fmt: skip
        return self.prompt(self.stage, prefix or self.say("not_heard"))

    def understood(self) -> None:
        """A reply was understood: the in-a-row count of unclear replies starts again."""
        self._unclear_row = 0
