"""The dialog state machine: one outbound call, from greeting to disposition.

Stages: ``verify`` (is this the customer?) -> ``resolution`` (pay now or agree a date) and the
stages that complete it: ``channel`` and ``confirm_link``; ``date`` and ``confirm_promise``;
``dispute_detail``. Whatever the stage, an opt-out, a request for a person, a reply that is not
English or card details read out are handled first: they are the customer's rights or our
safety, and must never wait for the flow to reach them.

Guardrails live in code, not only in the wording of the lines:
- nothing about the debt is said before the customer is verified (``_emit`` raises
  ``PolicyViolationError`` otherwise); a third party hears a name, the company and a
  callback request;
- a reply understood with confidence under ``CONFIDENCE_FLOOR`` is never acted on: it is asked
  again, and after ``UNCLEAR_IN_A_ROW`` such replies in a row or ``UNCLEAR_TOTAL`` in all the call
  ends in review; so does a call that passes ``MAX_CUSTOMER_TURNS``;
- a promise date beyond ``longest_promise_days`` is not accepted on the call but sent to review;
- the transcript only ever holds redacted customer text.
"""

from __future__ import annotations

import re
from datetime import datetime

from recoup.agent.dates import local_today
from recoup.agent.flow import AgentTurn, Result
from recoup.agent.notes import summary_and_next
from recoup.agent.stages import DISPUTE, Stages
from recoup.agent.understand import Understanding, understand
from recoup.domain.errors import PolicyViolationError
from recoup.domain.models import (
    CallRequest,
    Disposition,
    Outcome,
    ReviewReason,
    TranscriptTurn,
    TriggerKind,
    Urgency,
)

MAX_CUSTOMER_TURNS = 20
_DEBT = re.compile(
    r"\b(payments?|pay|paid|balance|owe\w*|invoices?|debts?|overdue|amount|bill\w*|due)\b|[$€£]",
    re.IGNORECASE,
)
_HIGH_URGENCY = frozenset({TriggerKind.UPCOMING_SUSPENSION, TriggerKind.SUBSCRIPTION_UNPAID})
_DATED_REVIEWS = frozenset({ReviewReason.PROMISE_OUT_OF_POLICY, ReviewReason.HARDSHIP})


#: The dialog's stages whose replies a learned model was trained on, by its turn name.
_MODEL_TURNS = {"resolution": "ask_resolution", "verify": "greet_verify",
                "confirm_link": "confirm", "confirm_promise": "confirm"}  # fmt: skip

class Dialog(Stages):
    """One call. ``open`` once, ``hear`` each reply, then read ``disposition``."""

    def __init__(self, request: CallRequest, now: datetime) -> None:
        super().__init__(request, local_today(now, request.case.account.timezone))
        self._now = now
        self._transcript: list[TranscriptTurn] = []
        self._last: AgentTurn | None = None
        self._heard = 0
        self._card = False
        self._upset = False
        self._hung_up = False

    def open(self, pickup: str) -> AgentTurn:
        """The first words: the disclosure and greeting, or the voicemail message."""
        if self._last is not None:
            raise RuntimeError("the call is already open")
        if pickup == "voicemail":
            self.result = Result(Outcome.VOICEMAIL_LEFT)
            return self._emit(AgentTurn("voicemail", self.say("voicemail"), done=True))
        if pickup != "human":
            raise ValueError(f"pickup must be 'human' or 'voicemail', not {pickup!r}")
        parts = [self.say("disclose")]
        if self.request.recording_notice:
            parts.append(self.say("recording"))
        parts.append(self.say("greet_verify"))
        self.stage = "verify"
        return self._emit(AgentTurn("greet_verify", " ".join(parts), done=False))

    def hear(self, text: str | None) -> AgentTurn:
        """The agent's answer to one customer reply (``None`` or "" for silence)."""
        if self._last is None:
            raise RuntimeError("open the call before hearing replies")
        if self._last.done:
            return self._last
        return self.respond(self.read(text))

    def read(self, text: str | None) -> Understanding:
        """One reply understood as the current stage expects it, without acting on it.

        Split from ``respond`` so that a telephony adapter can weigh the recogniser's own
        confidence in before the dialog acts, and can store what was understood (redacted) to
        rebuild the call in another process by replaying it (``recoup.agent.resume``).
        """
        # A learned model reads a reply only in the turn it was trained on.
        context = _MODEL_TURNS.get(self.stage, self.stage)
        return understand(text, self._now, self.request.case.account.timezone, context)

    def respond(self, u: Understanding) -> AgentTurn:
        """The agent's answer to a reply already understood. It depends only on ``u`` and on
        what came before, so the same understandings replayed into a fresh ``Dialog`` for the
        same request, pickup and ``now`` leave it in the same state."""
        if self._last is None:
            raise RuntimeError("open the call before hearing replies")
        if self._last.done:
            return self._last
        self._heard += 1
        self._card |= u.card_data
        self._upset |= u.upset
        act = u.intent if u.redacted_text.strip() else "silence"
        self._transcript.append(TranscriptTurn(speaker="customer", act=act, text=u.redacted_text))
        if self._heard > MAX_CUSTOMER_TURNS:
            step = self.finish(u, "close_low_confidence", Outcome.REVIEW,
                               review=ReviewReason.LOW_CONFIDENCE)  # fmt: skip
        else:
            step = self.route(u)
        return self._emit(step)

    def hang_up(self) -> None:
        """The customer hung up. Before verification that is as good as no answer; after it,
        a dispute already heard still goes to finance and anything else to review."""
        if self.result is not None:
            return
        self._hung_up = True
        if self._last is not None:
            self._last = AgentTurn(self._last.act, self._last.text, done=True)
        if self.stage == "dispute_detail":
            self.finish(self.decisive or _SILENT, "close_dispute", Outcome.ESCALATED,
                        escalation=DISPUTE)  # fmt: skip
        elif self.verified:
            self.finish(_SILENT, "close_low_confidence", Outcome.REVIEW,
                        review=ReviewReason.LOW_CONFIDENCE)  # fmt: skip
        else:
            self.result = Result(Outcome.NO_ANSWER)

    @property
    def transcript(self) -> tuple[TranscriptTurn, ...]:
        """The call so far, customer lines redacted."""
        return tuple(self._transcript)

    def disposition(self) -> Disposition:
        """The record of the call; valid once the agent ended it or the customer hung up."""
        r = self.result
        if r is None:
            raise RuntimeError("the call is still in progress")
        dated = r.outcome is Outcome.PROMISE_RECORDED or r.review in _DATED_REVIEWS
        d = Disposition(
            call_id=self.request.call_id,
            outcome=r.outcome,
            escalation=r.escalation,
            review_reason=r.review,
            promise_date=self.promise if dated else None,
            channel=self.channel if r.outcome is Outcome.LINK_SENT else None,
            card_data_detected=self._card,
            intent=r.intent,
            confidence=r.confidence,
            urgency=self._urgency(),
            objection=self.objection,
            transcript=tuple(self._transcript),
        )
        summary, action = summary_and_next(
            self.request.case, d, hung_up=self._hung_up, callback=r.callback
        )
        return d.model_copy(update={"summary": summary, "next_action": action})

    def _urgency(self) -> Urgency:
        high = self.request.case.trigger_kind in _HIGH_URGENCY or self._upset
        return Urgency.HIGH if high else Urgency.NORMAL

    def _emit(self, turn: AgentTurn) -> AgentTurn:
        """Say ``turn``: refuse any mention of the debt to someone not yet verified."""
        if not self.verified:
            scrubbed = turn.text.replace(self.request.case.account.name, "")
            scrubbed = scrubbed.replace(self.request.company_name, "")
            if _DEBT.search(scrubbed) or self.request.case.invoice.number in scrubbed:
                raise PolicyViolationError(f"debt mentioned before verification: {turn.text!r}")
        self._transcript.append(TranscriptTurn(speaker="agent", act=turn.act, text=turn.text))
        self._last = turn
        return turn


_SILENT = Understanding(intent="other", confidence=0.0)

__all__ = ["AgentTurn", "Dialog"]
