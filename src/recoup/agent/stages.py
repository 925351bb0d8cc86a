"""The decisions of a call: where each understood reply leads, and when the call ends.

One handler per stage. Every handler after verification falls back on ``_common``, so a
customer can change course anywhere ("actually, I already paid" while choosing a channel).
A reply under the confidence floor is never acted on: ``unclear`` asks again or ends in review.
"""

from __future__ import annotations

import re
from dataclasses import replace

from recoup.agent.flow import CHANNEL_WORDS, CONFIDENCE_FLOOR, SUBSTANTIVE, AgentTurn, Flow
from recoup.agent.notes import short_phrase
from recoup.agent.understand import Topic, Understanding, normalise
from recoup.domain.models import (
    Channel,
    Escalation,
    EscalationReason,
    Outcome,
    ReviewReason,
    Team,
)

DISPUTE = Escalation(team=Team.FINANCE, reason=EscalationReason.DISPUTE)
_HUMAN = Escalation(team=Team.FINANCE, reason=EscalationReason.HUMAN_REQUESTED)
_OWNER = Team.ACCOUNT_OWNER
_CLOSES: dict[str, tuple[str, Outcome, Escalation | None, ReviewReason | None]] = {
    "already_paid": ("close_claimed_paid", Outcome.REVIEW, None, ReviewReason.CLAIMED_PAID),
    "hardship": ("close_hardship", Outcome.REVIEW, None, ReviewReason.HARDSHIP),
    "cancel": ("close_cancel", Outcome.ESCALATED,
               Escalation(team=_OWNER, reason=EscalationReason.CANCELLATION), None),
    "change_plan": ("close_contract_change", Outcome.ESCALATED,
                    Escalation(team=_OWNER, reason=EscalationReason.CONTRACT_CHANGE), None),
    "callback": ("close_callback", Outcome.CALLBACK_SCHEDULED, None, None),
}  # fmt: skip
_ANSWERS = {
    "amount": "answer_amount", "invoice": "answer_invoice", "due_date": "answer_due_date",
    "reason": "answer_reason", "legitimacy": "answer_legitimacy", "caller": "answer_caller",
}  # fmt: skip
_REASONED = re.compile(r"\b(because|until|can not|when i get paid|payday|paycheck)\b")
_CHANNEL_REPLIES = frozenset({"pay_now", "yes", "no"})


class Stages(Flow):
    """Stage handlers; each takes an understood reply and returns the agent's next turn."""

    def route(self, u: Understanding) -> AgentTurn:
        """The customer's rights and safety first, whatever the stage; then the stage."""
        if u.confidence >= CONFIDENCE_FLOOR:
            self.understood()
        if u.intent == "opt_out":
            return self.finish(u, "close_opt_out", Outcome.DO_NOT_CONTACT)
        if u.intent == "human":
            return self.finish(u, "close_human", Outcome.ESCALATED, escalation=_HUMAN)
        if not u.language_ok:
            return self.finish(u, "close_language", Outcome.REVIEW, review=ReviewReason.LANGUAGE)
        if u.card_data:
            nxt = self.prompt("verify") if self.stage == "verify" else self._dispatch(u)
            return AgentTurn("warn_card_data", f"{self.say('warn_card_data')} {nxt.text}", nxt.done)
        return self._dispatch(u)

    def _dispatch(self, u: Understanding) -> AgentTurn:
        if self.stage == "verify":
            return self._verify(u)
        if u.intent == "question" and u.confidence >= CONFIDENCE_FLOOR:
            return self._answer(u)
        handler = {
            "resolution": self._resolution, "channel": self._channel_stage,
            "confirm_link": self._confirm_link, "date": self._date,
            "confirm_promise": self._confirm_promise, "dispute_detail": self._dispute_detail,
        }[self.stage]  # fmt: skip
        return handler(u)

    def _verify(self, u: Understanding) -> AgentTurn:
        """Only a name, the company and a callback request until the customer confirms."""
        sure = u.confidence >= CONFIDENCE_FLOOR
        if sure and u.intent in ("wrong_party", "no"):
            return self.finish(u, "close_wrong_party", Outcome.WRONG_PARTY, intent="wrong_party")
        if sure and u.intent == "callback":
            return self.finish(u, "close_callback", Outcome.CALLBACK_SCHEDULED,
                               callback=u.promise_date)  # fmt: skip
        if u.intent == "hold":
            return AgentTurn("hold", self.say("hold"))
        if u.intent == "greeting":
            return self.prompt("verify")
        if self._is_customer(u):
            return self._verified(u)
        if u.intent == "question" and u.question_topic is not None:
            return self.prompt("verify", self._pre_answer(u))
        return self.unclear(u)

    def _verified(self, u: Understanding) -> AgentTurn:
        """The neutral reminder, then whatever the customer already said. A question asked
        while confirming ("yes, what's this about?") is answered in the same breath, and the
        turn stays an ``ask_resolution``: its last words are that question."""
        self.verified = True
        self.stage = "resolution"
        reminder = self.say("reminder")
        topic = u.question_topic
        if u.intent == "question" and topic is not None and topic not in ("invoice", "repeat"):
            return self.prompt("resolution", f"{reminder} {self._answer_text(topic)}")
        if u.intent in SUBSTANTIVE and u.confidence >= CONFIDENCE_FLOOR:
            nxt = self._dispatch(u)
            return AgentTurn(nxt.act, f"{reminder} {nxt.text}", nxt.done)
        return self.prompt("resolution", reminder)

    def _is_customer(self, u: Understanding) -> bool:
        """A yes to "may I speak with Dana?", or "this is Dana" / "Dana speaking"."""
        first = re.escape(normalise(self.first_name))
        said = normalise(u.redacted_text)
        named = bool(first) and re.search(
            rf"\b(this is|it is|i am) {first}\b(?! is)|\b{first} (here|speaking)\b", said
        )
        return bool(named) or (u.answer == "yes" and u.confidence >= CONFIDENCE_FLOOR)

    def _pre_answer(self, u: Understanding) -> str:
        """Answers safe for anyone who picks up: who calls, how to check, recording."""
        topic = u.question_topic
        if topic in ("caller", "legitimacy"):
            return self.say("answer_caller" if topic == "caller" else "pre_legitimacy")
        if topic == "recording":
            return self._recording_answer()
        return "" if topic == "repeat" else self.say("only_with_customer")

    def _recording_answer(self) -> str:
        recorded = self.request.recording_notice
        return self.say("answer_recorded" if recorded else "answer_not_recorded")

    def _answer(self, u: Understanding) -> AgentTurn:
        """Answer from the case, then ask again where the call was."""
        topic = u.question_topic
        if topic is None:
            return self.unclear(u, self.say("answer_unknown"))
        if topic == "repeat":
            return self.prompt(self.stage)
        return AgentTurn("answer_question", self.prompt(self.stage, self._answer_text(topic)).text)

    def _answer_text(self, topic: Topic) -> str:
        return self._recording_answer() if topic == "recording" else self.say(_ANSWERS[topic])

    def _common(self, u: Understanding) -> AgentTurn:
        """What any stage after verification does with a change of course."""
        if u.confidence < CONFIDENCE_FLOOR:
            return self.unclear(u, self.say("answer_unknown") if u.intent == "question" else "")
        if u.intent in SUBSTANTIVE:
            self.decisive = u
        if u.intent == "pay_now":
            return self._offer_link(u)
        if u.intent == "promise_to_pay":
            return self._take_date(u)
        if u.intent == "dispute":
            self.objection = short_phrase(u.redacted_text)
            return self.prompt("dispute_detail")
        if u.intent not in _CLOSES:
            return self.unclear(u)
        key, outcome, escalation, review = _CLOSES[u.intent]
        self.objection = short_phrase(u.redacted_text)
        if u.intent == "hardship":
            self.promise = u.promise_date  # a date offered despite hardship, for review
        callback = u.promise_date if u.intent == "callback" else None
        return self.finish(u, key, outcome, escalation=escalation, review=review, callback=callback)

    def _resolution(self, u: Understanding) -> AgentTurn:
        """A yes to "shall I send a link?" is paying now; a no asks for a date."""
        if u.confidence >= CONFIDENCE_FLOOR and u.intent == "yes":
            self.decisive = replace(u, intent="pay_now")
            return self._offer_link(u)
        if u.confidence >= CONFIDENCE_FLOOR and u.intent == "no":
            return self.prompt("date")
        return self._common(u)

    def _offer_link(self, u: Understanding, wanted: Channel | None = None) -> AgentTurn:
        """Pick the channel: the one asked for if we have it, the only one we have, or ask."""
        account = self.request.case.account
        whatsapp = account.whatsapp or account.phone  # where messaging sends WhatsApp too
        available = [c for c, to in ((Channel.EMAIL, account.email),
                                     (Channel.WHATSAPP, whatsapp)) if to]  # fmt: skip
        if not available:
            return self.finish(u, "close_no_channel", Outcome.REVIEW,
                               review=ReviewReason.POLICY_EXCEPTION)  # fmt: skip
        wanted = wanted or (Channel(u.channel) if u.channel else None)
        if wanted is None and len(available) > 1:
            return self.prompt("channel")
        self.channel = wanted if wanted in available else available[0]
        if wanted is None or wanted in available:
            return self.prompt("confirm_link")
        missing = self.say("no_such_channel", wanted=CHANNEL_WORDS[wanted])
        return self.prompt("confirm_link", missing)

    def _channel_stage(self, u: Understanding) -> AgentTurn:
        """A named channel, or email when the customer has no preference."""
        if u.channel is not None and u.intent in _CHANNEL_REPLIES:
            return self._offer_link(u)
        if u.confidence >= CONFIDENCE_FLOOR and u.intent == "yes":
            return self._offer_link(u, Channel.EMAIL)
        return self._common(u)

    def _confirm_link(self, u: Understanding) -> AgentTurn:
        if u.channel is not None and u.intent in _CHANNEL_REPLIES and u.channel != self.channel:
            return self._offer_link(u)
        sure = u.confidence >= CONFIDENCE_FLOOR
        if sure and u.answer == "yes" and u.intent in ("yes", "pay_now"):
            return self.finish(u, "close_link", Outcome.LINK_SENT)
        if sure and u.intent == "no":
            return self.prompt("resolution")
        return self._common(u)

    def _take_date(self, u: Understanding) -> AgentTurn:
        """A date within policy is confirmed; a later one goes to review; none is asked for."""
        if self.objection is None and _REASONED.search(normalise(u.redacted_text)):
            self.objection = short_phrase(u.redacted_text)
        if u.promise_date is None:
            self.stage = "date"
            return AgentTurn("ask_date", self.say("clarify_date" if u.needs_date_clarification
                                                  else "ask_date"))  # fmt: skip
        self.promise = u.promise_date
        if (u.promise_date - self.today).days > self.request.longest_promise_days:
            return self.finish(u, "close_out_of_policy", Outcome.REVIEW,
                               review=ReviewReason.PROMISE_OUT_OF_POLICY)  # fmt: skip
        return self.prompt("confirm_promise")

    def _date(self, u: Understanding) -> AgentTurn:
        if u.promise_date is None and u.needs_date_clarification:
            turn = self.unclear(u)  # counts, so "payday" over and over still ends
            return turn if turn.done else AgentTurn("ask_date", self.say("clarify_date"))
        return self._common(u)

    def _confirm_promise(self, u: Understanding) -> AgentTurn:
        sure = u.confidence >= CONFIDENCE_FLOOR
        if u.promise_date is not None and u.promise_date != self.promise:
            return self._common(u)
        if sure and u.answer == "yes" and u.intent in ("yes", "promise_to_pay"):
            return self.finish(u, "close_promise", Outcome.PROMISE_RECORDED)
        if sure and u.intent == "no":
            return self.prompt("date")
        return self._common(u)

    def _dispute_detail(self, u: Understanding) -> AgentTurn:
        """Whatever the customer says is the detail finance needs; then escalate."""
        self.objection = short_phrase(u.redacted_text) or self.objection
        source = self.decisive or u
        return self.finish(source, "close_dispute", Outcome.ESCALATED, escalation=DISPUTE)
