"""Slots of a reply besides its intent: the amount named, the channel asked for, and whether
it is English at all. Pure functions of the text, kept apart from the intent logic."""

from __future__ import annotations

import re
from decimal import Decimal

from recoup.agent import intents as ix
from recoup.agent.intents import ChannelName


def channel(spoken: str) -> ChannelName | None:
    """The channel named last and not refused ("not email, WhatsApp")."""
    named: list[tuple[int, ChannelName]] = []
    for pattern, name in ix.CHANNELS:
        for m in pattern.finditer(spoken):
            if not re.search(r"\b(not|no|rather not)( by| via)? $", spoken[: m.start()]):
                named.append((m.start(), name))
    return max(named)[1] if named else None


_AMOUNT = re.compile(
    r"[$£€]\s?(\d[\d,]*(?:\.\d{1,2})?)"
    r"|\b(\d[\d,]*(?:\.\d{1,2})?)\s?(?:dollars|bucks|euros?|pounds|usd|eur|gbp)\b",
    re.IGNORECASE,
)
_UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_NUMBER_WORDS = {w: i for i, w in enumerate(_UNITS)} | {w: 10 * i for i, w in enumerate(_TENS, 2)}
_WORD_AMOUNT = re.compile(
    rf"\b((?:(?:{'|'.join(_NUMBER_WORDS)}|a|hundred|thousand|and) )+)"
    r"(?:dollars|bucks|euros?|pounds)"
)


def amount(raw: str, spoken: str) -> Decimal | None:
    """An amount the customer names ("$100", "250 dollars", "a hundred bucks")."""
    m = _AMOUNT.search(raw)
    if m:
        return Decimal((m.group(1) or m.group(2)).replace(",", ""))
    words = _WORD_AMOUNT.search(spoken)
    value = _words_value(words.group(1).split()) if words else 0
    return Decimal(value) if value else None


def _words_value(words: list[str]) -> int:
    total = current = 0
    for word in words:
        if word in _NUMBER_WORDS:
            current += _NUMBER_WORDS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total, current = total + max(current, 1) * 1000, 0
    return total + current


def english(raw: str) -> bool:
    """False when the reply is clearly Spanish, French or German (the words that set them
    apart, plus their accents), so the agent hands over rather than guessing."""
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", raw.lower())
    foreign = max(sum(w in vocab for w in words) for vocab in ix.FOREIGN)
    foreign += min(2, len(re.findall(r"[ñ¿¡ßäöüçéèàêâîôûœ]", raw.lower())))
    english = sum(w in ix.ENGLISH for w in words)
    if len(words) <= 2:
        return foreign == 0 or english > 0
    return not (foreign >= 2 and foreign > english)
