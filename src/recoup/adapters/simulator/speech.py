"""How a persona sounds: punctuation, case, hesitations, card numbers and amounts read aloud.

Speech-to-text rarely returns tidy sentences, so the same intent reaches the agent as
"Yes, speaking." from one caller and "um yeah speaking" from the next. Card numbers come in as
grouped digits, one long run, or spoken words; all of them are Stripe test numbers (Luhn-valid,
never real cards), so the agent's card-data detector and the transcript redactor get exercised
on realistic input without a real card ever entering the system.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal
from enum import StrEnum

#: (brand, digits, grouping) for Stripe's public test cards; every one passes the Luhn check.
TEST_CARDS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("visa", "4242424242424242", (4, 4, 4, 4)),
    ("visa_debit", "4000056655665556", (4, 4, 4, 4)),
    ("mastercard", "5555555555554444", (4, 4, 4, 4)),
    ("mastercard_debit", "5200828282828210", (4, 4, 4, 4)),
    ("amex", "378282246310005", (4, 6, 5)),
    ("discover", "6011111111111117", (4, 4, 4, 4)),
)
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_FILLERS = ("um, ", "uh, ", "um ", "oh, ", "right, ", "hmm, ", "so, ", "well, ")
_WEEKDAY = re.compile(r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b")
_SYMBOLS = {"usd": "$", "cad": "$", "aud": "$", "gbp": "£", "eur": "€"}


class Style(StrEnum):
    """A speaker's transcript style, fixed per persona so one caller sounds consistent."""

    PROPER = "proper"  # "Yes, speaking."
    CASUAL = "casual"  # "yes, speaking"
    RUSHED = "rushed"  # "yes speaking"


def _groups(digits: str, sizes: tuple[int, ...]) -> list[str]:
    out, start = [], 0
    for size in sizes:
        out.append(digits[start : start + size])
        start += size
    return out


def read_card(rng: random.Random) -> tuple[str, str]:
    """A test card as a caller reads it: ``(brand, spoken)``, in digits or in words."""
    brand, digits, sizes = rng.choice(TEST_CARDS)
    groups = _groups(digits, sizes)
    form = rng.randint(0, 3)
    if form == 0:
        return brand, " ".join(groups)
    if form == 1:
        return brand, digits
    zero = rng.choice(("zero", "oh"))
    worded = [" ".join(zero if d == "0" else DIGIT_WORDS[int(d)] for d in g) for g in groups]
    return brand, (", " if form == 2 else " ").join(worded)


def read_expiry(rng: random.Random) -> str:
    """A card expiry as said aloud: "12/28" or "oh nine twenty-nine"."""
    month, year = rng.randint(1, 12), rng.randint(27, 31)
    if rng.random() < 0.5:
        return f"{month:02d}/{year}"
    spoken_month = f"oh {DIGIT_WORDS[month]}" if month < 10 else str(month)
    return f"{spoken_month} {year}"


def say_amount(amount: Decimal, currency: str) -> str:
    """"$249" or "249 dollars": how a customer quotes a price back."""
    whole = amount.quantize(Decimal(1))
    symbol = _SYMBOLS.get(currency, "")
    return f"{symbol}{whole}" if symbol else f"{whole} {currency.upper()}"


def voice(text: str, style: Style, rng: random.Random, filler_rate: float = 0.2) -> str:
    """Roughen a tidy template into transcript-like speech in the persona's style.

    Fillers ("um", "uh") are added only to casual and rushed speakers: a proper speaker stays
    tidy so that some transcripts look like clean dictation, as real ones sometimes do.
    """
    if style is Style.PROPER:
        text = _WEEKDAY.sub(lambda m: m.group(0).capitalize(), text)
        return text[:1].upper() + text[1:]
    out = text.lower()
    out = re.sub(r"[.!]+(\s|$)", r"\1" if style is Style.RUSHED else r",\1", out).strip(" ,")
    if style is Style.RUSHED:
        out = re.sub(r"[,?]", "", out)
    if rng.random() < filler_rate:
        out = rng.choice(_FILLERS) + out
    return out.replace("  ", " ")
