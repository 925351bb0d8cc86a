"""The behaviour mix: who picks up, what they want, and what they do once the call is over.

The weights are a plausible book of failed SaaS payments, not measured data: most reachable
customers simply pay once they have a link, a sizeable minority needs time, and a long tail
disputes, cancels, opts out, is in hardship, or is not the right person. The aftermath fields
(opening and paying the link, keeping a promise) let a world simulation emit the payments the
agent's outcomes should lead to, so recovery rates in a demo respond to agent quality.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from recoup.adapters.simulator.persona import AnswerMode, Behaviour, BehaviourKind
from recoup.adapters.simulator.spoken_dates import SpokenDate
from recoup.domain.models import Channel

K = BehaviourKind

ANSWER_WEIGHTS: dict[AnswerMode, float] = {
    AnswerMode.HUMAN: 0.65, AnswerMode.VOICEMAIL: 0.15,
    AnswerMode.NO_ANSWER: 0.15, AnswerMode.BUSY: 0.05,
}

#: kind -> (weight among humans, P(opens link), P(pays | opened), pay delay range in hours)
KIND_TABLE: dict[BehaviourKind, tuple[float, float, float, tuple[float, float]]] = {
    K.PAY_NOW: (0.22, 0.95, 0.9, (0.05, 6.0)),
    K.PROMISE: (0.18, 0.8, 0.0, (0.0, 0.0)),  # paying is decided by keeps_promise
    K.QUESTION_THEN_PAY: (0.08, 0.9, 0.85, (0.1, 12.0)),
    K.CARD_THEN_LINK: (0.05, 0.9, 0.85, (0.05, 4.0)),
    K.DISPUTE: (0.09, 0.3, 0.0, (0.0, 0.0)),
    K.CANCEL: (0.05, 0.3, 0.2, (2.0, 72.0)),
    K.OPT_OUT: (0.04, 0.2, 0.5, (6.0, 96.0)),
    K.HARDSHIP: (0.06, 0.4, 0.1, (48.0, 240.0)),
    K.CLAIMS_PAID: (0.05, 0.4, 0.0, (0.0, 0.0)),
    K.WRONG_PARTY: (0.05, 0.0, 0.0, (0.0, 0.0)),
    K.HUMAN: (0.05, 0.6, 0.5, (12.0, 72.0)),
    K.CALLBACK: (0.08, 0.7, 0.6, (2.0, 48.0)),
}

DETAILS: dict[BehaviourKind, tuple[str, ...]] = {
    K.DISPUTE: ("charged_twice", "wrong_plan", "price_rise", "never_received"),
    K.QUESTION_THEN_PAY: ("amount", "identity", "legit", "which_invoice"),
    K.HARDSHIP: ("job_loss", "slow_business", "medical", "payroll"),
    K.CLAIMS_PAID: ("bank_transfer", "card", "accountant"),
}

#: Share of promises said beyond the 14-day limit, and how often promises are kept.
FAR_PROMISE_SHARE = 0.12
KEEP_PROMISE = 0.65


def draw_answers(rng: random.Random) -> AnswerMode:
    """Who picks up: a person about two times in three, as on real outbound B2B calls."""
    return rng.choices(list(ANSWER_WEIGHTS), weights=list(ANSWER_WEIGHTS.values()))[0]


def draw_kind(rng: random.Random) -> BehaviourKind:
    """The customer's intent, weighted by ``KIND_TABLE``."""
    kinds = list(KIND_TABLE)
    return rng.choices(kinds, weights=[KIND_TABLE[k][0] for k in kinds])[0]


def draw_detail(kind: BehaviourKind, rng: random.Random) -> str | None:
    """The sub-case (which dispute, which question) for kinds that have one."""
    options = DETAILS.get(kind)
    return rng.choice(options) if options else None


def draw_channel(has_whatsapp: bool, rng: random.Random) -> Channel:
    """Where the customer wants the link: WhatsApp for about half of those who have it."""
    return Channel.WHATSAPP if has_whatsapp and rng.random() < 0.5 else Channel.EMAIL


def draw_behaviour(
    kind: BehaviourKind, rng: random.Random, *, now: datetime, timezone: str,
    channel: Channel, detail: str | None, promise: SpokenDate | None,
) -> Behaviour:
    """The aftermath of the call for this kind: link opened or paid, promise kept or broken."""
    _, p_open, p_pay, (low, high) = KIND_TABLE[kind]
    opens = rng.random() < p_open
    pays = opens and rng.random() < p_pay
    late = _late_days(kind, rng)
    behaviour = Behaviour(
        kind=kind, opens_link=opens, pays_via_link=pays,
        pay_delay_hours=round(rng.uniform(low, high), 2) if pays else 0.0,
        pays_late_days=late, channel=channel, detail=detail,
    )
    if promise is None:
        return behaviour
    return _with_promise(behaviour, rng, now.astimezone(ZoneInfo(timezone)), promise)


def _late_days(kind: BehaviourKind, rng: random.Random) -> float | None:
    """Payments outside the link: claimed payments that really were in transit, hardship."""
    if kind is K.CLAIMS_PAID and rng.random() < 0.4:
        return round(rng.uniform(0.5, 3.0), 2)
    if kind is K.HARDSHIP and rng.random() < 0.3:
        return round(rng.uniform(14.0, 45.0), 2)
    return None


def _with_promise(
    base: Behaviour, rng: random.Random, local_now: datetime, promise: SpokenDate
) -> Behaviour:
    """Keepers pay through the link during the promised day; breakers pay late or never."""
    keeps = rng.random() < (KEEP_PROMISE if (promise.when - local_now.date()).days <= 14 else 0.5)
    update: dict[str, object] = {"promise_date": promise.when, "keeps_promise": keeps}
    if keeps:
        due = datetime.combine(promise.when, time(rng.randint(8, 20)), local_now.tzinfo)
        hours = max((due - local_now) / timedelta(hours=1), 0.5)
        update |= {"opens_link": True, "pays_via_link": True, "pay_delay_hours": round(hours, 2)}
    else:
        late = round(rng.uniform(1.0, 10.0), 2) if rng.random() < 0.55 else None
        update |= {"pays_via_link": False, "pay_delay_hours": 0.0, "pays_late_days": late}
    return base.model_copy(update=update)
