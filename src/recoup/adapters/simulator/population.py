"""A seeded synthetic book of failed payments: hundreds of distinct customers, reproducibly.

The demo and the benchmarks need many customers who differ the way real ones do (country,
plan, amount, failure reason, temperament, phrasing) yet come out identical for the same
seed, so a regression in the agent shows up as a changed number rather than as noise. All
randomness flows from one ``random.Random(seed)``; nothing reads the clock or global state.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from recoup.adapters.simulator import phrases
from recoup.adapters.simulator.behaviour import (
    FAR_PROMISE_SHARE,
    draw_answers,
    draw_behaviour,
    draw_channel,
    draw_detail,
    draw_kind,
)
from recoup.adapters.simulator.identities import (
    Identity,
    draw_colleague,
    draw_identity,
    draw_owner,
)
from recoup.adapters.simulator.persona import (
    Behaviour,
    BehaviourKind,
    Persona,
    PersonaAccount,
    PersonaInvoice,
)
from recoup.adapters.simulator.regions import PhoneBook, Region, Zone, pick_region
from recoup.adapters.simulator.scripts import Script, Talk, build_replies
from recoup.adapters.simulator.speech import Style, read_card, read_expiry, say_amount
from recoup.adapters.simulator.spoken_dates import draw_spoken_date
from recoup.domain.models import Channel

#: tier -> (share of accounts, monthly list prices before tax). Enterprise mostly tops $5,000.
TIERS: dict[str, tuple[float, tuple[int, ...]]] = {
    "starter": (0.55, (19, 29, 39, 49, 79, 99, 149, 199)),
    "growth": (0.30, (249, 399, 499, 799, 1200, 1490, 1990, 2490)),
    "enterprise": (0.15, (3600, 5400, 7200, 9600, 12000, 18000, 24000, 48000)),
}
#: Stripe decline codes and how often each causes a failed renewal.
FAILURE_REASONS: dict[str, float] = {
    "card_declined": 0.30, "insufficient_funds": 0.25, "expired_card": 0.25,
    "card_velocity_exceeded": 0.10, "fraudulent": 0.10,
}
STYLES: dict[Style, float] = {Style.PROPER: 0.4, Style.CASUAL: 0.35, Style.RUSHED: 0.25}


def generate_population(n: int, seed: int, now: datetime) -> list[Persona]:
    """``n`` personas, identical for the same ``(n, seed, now)``; ``now`` must be tz-aware.

    Persona ``i`` depends only on the seed and the ones before it, so a larger ``n`` extends
    a smaller population instead of reshuffling it.
    """
    if n < 0:
        raise ValueError(f"population size must be >= 0, got {n}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    rng = random.Random(seed)
    phones = PhoneBook(rng)
    return [_persona(i, rng, now, phones) for i in range(n)]


def _persona(index: int, rng: random.Random, now: datetime, phones: PhoneBook) -> Persona:
    """One persona: records first, then who answers, then intent, script and aftermath."""
    region = pick_region(rng)
    zone = rng.choice(region.zones)
    tier = rng.choices(list(TIERS), weights=[share for share, _ in TIERS.values()])[0]
    identity = draw_identity(region, tier, rng)
    account = _account(identity, tier, region, zone, phones, rng)
    today = now.astimezone(ZoneInfo(zone.name)).date()
    invoice = _invoice(index, tier, region, today, now, rng)
    answers = draw_answers(rng)
    behaviour, replies = _conduct(identity, account, invoice, now, rng)
    return Persona(account=account, invoice=invoice, now=now, answers=answers,
                   replies=replies, behaviour=behaviour)


def _account(identity: Identity, tier: str, region: Region, zone: Zone,
             phones: PhoneBook, rng: random.Random) -> PersonaAccount:
    """The CRM side: contact details local to the zone, WhatsApp for some, an owner for most."""
    phone = phones.draw(zone)
    whatsapp: str | None = None
    if rng.random() < region.whatsapp_share:
        whatsapp = phone if rng.random() < 0.85 else phones.draw(zone)
    return PersonaAccount(
        name=identity.name, company=identity.company, tier=tier, phone=phone,
        email=identity.email, whatsapp=whatsapp, timezone=zone.name,
        owner=draw_owner(tier, rng),
    )


def _invoice(index: int, tier: str, region: Region, today: date, now: datetime,
             rng: random.Random) -> PersonaInvoice:
    """The failed invoice: a list price plus local tax, due a few days ago."""
    base = Decimal(rng.choice(TIERS[tier][1]))
    amount = (base * (1 + rng.choice(region.tax_rates))).quantize(Decimal("0.01"))
    reasons = list(FAILURE_REASONS)
    return PersonaInvoice(
        number=f"INV-{now:%y%m}-{index + 1:05d}", amount=amount, currency=region.currency,
        due_date=today - timedelta(days=rng.randint(1, 7)),
        failure_reason=rng.choices(reasons, weights=list(FAILURE_REASONS.values()))[0],
        prior_failures=rng.choices((0, 1, 2, 3), weights=(35, 35, 20, 10))[0],
    )


def _conduct(identity: Identity, account: PersonaAccount, invoice: PersonaInvoice,
             now: datetime, rng: random.Random) -> tuple[Behaviour, Script]:
    """Intent, the aftermath it leads to, and the lines that express it on the call."""
    kind = draw_kind(rng)
    brand, card = read_card(rng)
    detail = brand if kind is BehaviourKind.CARD_THEN_LINK else draw_detail(kind, rng)
    channel = draw_channel(account.whatsapp is not None, rng)
    tz = account.timezone or "UTC"
    promise = None
    if kind is BehaviourKind.PROMISE:
        today = now.astimezone(ZoneInfo(tz)).date()
        promise = draw_spoken_date(today, rng, far=rng.random() < FAR_PROMISE_SHARE)
    behaviour = draw_behaviour(kind, rng, now=now, timezone=tz, channel=channel,
                               detail=detail, promise=promise)
    style = rng.choices(list(STYLES), weights=list(STYLES.values()))[0]
    talk = Talk(rng, style, {
        "first": identity.first, "colleague": draw_colleague(identity, rng),
        "relation": rng.choice(phrases.RELATIONS), "date": promise.text if promise else "",
        "card": card, "expiry": read_expiry(rng), "reason": invoice.failure_reason or "",
        "amount": say_amount(invoice.amount, invoice.currency), "detail": detail or "",
    })
    bank = phrases.CHANNEL_WHATSAPP if channel is Channel.WHATSAPP else phrases.CHANNEL_EMAIL
    return behaviour, build_replies(kind, talk, bank)
