"""Speech: test cards read aloud stay Luhn-valid in every form; styles roughen text as meant."""

from __future__ import annotations

import random
import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from recoup.adapters.simulator import BehaviourKind, generate_population
from recoup.adapters.simulator.speech import (
    DIGIT_WORDS,
    TEST_CARDS,
    Style,
    read_card,
    say_amount,
    voice,
)

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=ZoneInfo("America/New_York"))


def _digits(text: str) -> str:
    """Digits in a line, whether said as numerals or as words ("oh" is zero)."""
    words = {w: str(i) for i, w in enumerate(DIGIT_WORDS)} | {"oh": "0"}
    tokens = re.findall(r"[a-z]+|\d", text.lower())
    return "".join(words.get(t, t) for t in tokens if t.isdigit() or t in words)


def _luhn(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_card_readers_read_luhn_valid_test_cards() -> None:
    readers = [
        (p.behaviour.detail, p.replies)
        for p in generate_population(300, 3, NOW)
        if p.behaviour is not None and p.behaviour.kind is BehaviourKind.CARD_THEN_LINK
    ]
    assert len(readers) >= 5
    by_brand = {brand: digits for brand, digits, _ in TEST_CARDS}
    forms = set()
    for brand, replies in readers:
        line = replies["ask_resolution"][0]
        assert by_brand[str(brand)] in _digits(line), line
        assert replies["warn_card_data"]
        forms.add("digits" if re.search(r"\d{4}", line) else "words")
    assert forms == {"words", "digits"}


def test_every_test_card_is_luhn_valid() -> None:
    for _, digits, sizes in TEST_CARDS:
        assert _luhn(digits), digits
        assert sum(sizes) == len(digits)
    assert not _luhn("4242424242424241")


def test_read_card_forms_all_carry_the_number() -> None:
    rng = random.Random(5)
    cards = {digits for _, digits, _ in TEST_CARDS}
    spoken = [read_card(rng)[1] for _ in range(200)]
    assert all(_digits(text) in cards for text in spoken)
    assert any(" " not in text for text in spoken)
    assert any(re.fullmatch(r"[\d ]+", text) and " " in text for text in spoken)
    assert any("oh" in text.split() for text in spoken)
    assert any("zero" in text.split() for text in spoken)


def test_voice_styles() -> None:
    rng = random.Random(1)
    assert voice("yes, speaking.", Style.PROPER, rng) == "Yes, speaking."
    assert voice("on friday.", Style.PROPER, rng) == "On Friday."
    line = "Yes, speaking. Who is this?"
    assert voice(line, Style.CASUAL, rng, 0) == "yes, speaking, who is this?"
    assert voice(line, Style.RUSHED, rng, 0) == "yes speaking who is this"
    hesitant = voice("Okay.", Style.RUSHED, rng, 1).split()
    assert hesitant[0].strip(",") in {"um", "uh", "oh", "right", "hmm", "so", "well"}
    assert hesitant[-1] == "okay"


def test_say_amount() -> None:
    assert say_amount(Decimal("249.00"), "usd") == "$249"
    assert say_amount(Decimal("8640.00"), "gbp") == "£8640"
    assert say_amount(Decimal("10.40"), "chf") == "10 CHF"
