"""Turn a behaviour into a reply script: which line the persona says for each agent act.

Scripts are keyed by act, not by turn number, so they survive an agent that reorders its
questions. Most acts get a second line so a repeated question is answered consistently (the
same date, the same dispute) rather than ending the call; anything unexpected falls to a couple
of neutral "*" fillers, after which the persona hangs up, bounding a confused agent.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from recoup.adapters.simulator import phrases as p
from recoup.adapters.simulator.persona import BehaviourKind
from recoup.adapters.simulator.speech import Style, voice

Script = dict[str, list[str]]


@dataclass
class Talk:
    """One persona's voice: its RNG, style and the slot values its templates may use."""

    rng: random.Random
    style: Style
    slots: dict[str, str] = field(default_factory=dict)

    def say(self, *banks: p.Bank) -> str:
        """One line: a template from each bank, joined, filled and voiced."""
        text = " ".join(self.rng.choice(bank).format(**self.slots) for bank in banks)
        return voice(text, self.style, self.rng)

    def lines(self, bank: p.Bank, count: int = 2) -> list[str]:
        """``count`` different phrasings from one bank, for an act asked more than once."""
        picked = self.rng.sample(bank, min(count, len(bank)))
        return [voice(t.format(**self.slots), self.style, self.rng) for t in picked]

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability


def _base(talk: Talk, channel_bank: p.Bank) -> Script:
    """The lines every human persona has: verification, acknowledgements, goodbye."""
    return {
        "greet_verify": [talk.say(p.VERIFY)],
        "disclose": [talk.say(p.ACK)],
        "ask_channel": talk.lines(channel_bank),
        "confirm": talk.lines(p.YES),
        "close": [talk.say(p.BYE)],
        "voicemail": [],
        "*": talk.lines(p.FILLERS),
    }


def _pay_now(talk: Talk) -> Script:
    reason = p.REASON_OPENERS.get(talk.slots["reason"], p.REASON_OPENERS["card_declined"])
    first = talk.say(reason, p.PAY_NOW) if talk.chance(0.5) else talk.say(p.PAY_NOW)
    return {"ask_resolution": [first, talk.say(p.PAY_NOW)]}


def _promise(talk: Talk) -> Script:
    opener = p.PROMISE_VAGUE if talk.chance(0.4) else p.PROMISE_WITH_DATE
    return {
        "ask_resolution": [talk.say(opener), talk.say(p.PROMISE_WITH_DATE)],
        "ask_date": [talk.say(p.DATE_ANSWER), talk.say(p.DATE_INSIST)],
    }


def _dispute(talk: Talk) -> Script:
    reason = talk.slots["detail"]
    return {
        "ask_resolution": talk.lines(p.DISPUTE_OPENERS[reason]),
        "ask_dispute_detail": talk.lines(p.DISPUTE_DETAILS[reason]),
    }


def _question_then_pay(talk: Talk) -> Script:
    question = p.QUESTIONS[talk.slots["detail"]]
    return {
        "ask_resolution": [talk.say(question), talk.say(p.PAY_NOW)],
        "answer_question": [talk.say(p.AFTER_ANSWER), talk.say(p.ACK)],
    }


def _card_then_link(talk: Talk) -> Script:
    return {
        "ask_resolution": [talk.say(p.CARD_READ), talk.say(p.PAY_NOW)],
        "warn_card_data": [talk.say(p.AFTER_CARD_WARNING), talk.say(p.ACK)],
    }


def _wrong_party(talk: Talk) -> Script:
    more = talk.lines(p.WRONG_PARTY_MORE, 3)
    return {"greet_verify": [talk.say(p.WRONG_PARTY), more[0]], "*": more[1:]}


def _opt_out(talk: Talk) -> Script:
    if talk.chance(0.3):
        return {"greet_verify": [talk.say(p.VERIFY, p.OPT_OUT)], "*": [talk.say(p.OPT_OUT)]}
    return {"ask_resolution": talk.lines(p.OPT_OUT)}


def _callback(talk: Talk) -> Script:
    script = {"ask_resolution": talk.lines(p.CALLBACK), "ask_date": talk.lines(p.CALLBACK_WHEN)}
    if talk.chance(0.3):
        script["greet_verify"] = [talk.say(p.VERIFY, p.CALLBACK)]
    return script


def _simple(bank: p.Bank, date_bank: p.Bank | None = None) -> Callable[[Talk], Script]:
    """A behaviour that states one position and repeats it however the agent asks."""

    def build(talk: Talk) -> Script:
        script = {"ask_resolution": talk.lines(bank)}
        if date_bank is not None:
            script["ask_date"] = talk.lines(date_bank)
        return script

    return build


_BUILDERS: dict[BehaviourKind, Callable[[Talk], Script]] = {
    BehaviourKind.PAY_NOW: _pay_now,
    BehaviourKind.PROMISE: _promise,
    BehaviourKind.DISPUTE: _dispute,
    BehaviourKind.CANCEL: _simple(p.CANCEL),
    BehaviourKind.OPT_OUT: _opt_out,
    BehaviourKind.QUESTION_THEN_PAY: _question_then_pay,
    BehaviourKind.CARD_THEN_LINK: _card_then_link,
    BehaviourKind.HARDSHIP: _simple(p.HARDSHIP, p.HARDSHIP_DATE),
    BehaviourKind.CLAIMS_PAID: _simple(p.CLAIMS_PAID),
    BehaviourKind.WRONG_PARTY: _wrong_party,
    BehaviourKind.HUMAN: _simple(p.HUMAN),
    BehaviourKind.CALLBACK: _callback,
}


def build_replies(kind: BehaviourKind, talk: Talk, channel_bank: p.Bank) -> Script:
    """The full act -> lines script for a human persona of this ``kind``.

    ``talk.slots`` must hold ``reason`` (the invoice's failure reason) and ``detail`` (the
    behaviour's detail) besides the template slots; ``channel_bank`` is the persona's choice of
    link channel, so every channel answer in the script agrees with ``Behaviour.channel``.
    """
    return _base(talk, channel_bank) | _BUILDERS[kind](talk)
