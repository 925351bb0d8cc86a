"""Spoken promise dates: every phrase means the date recorded as its ground truth."""

from __future__ import annotations

import calendar
import random
import re
from datetime import date

import pytest

from recoup.adapters.simulator.spoken_dates import (
    NUMBERS,
    WEEKDAYS,
    SpokenDate,
    draw_spoken_date,
    ordinal,
)

_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_TEENS = (
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
)
ORDINAL_WORDS = (
    {word: i + 1 for i, word in enumerate(_UNITS)}
    | {word: i + 10 for i, word in enumerate(_TEENS)}
    | {"twentieth": 20, "thirtieth": 30, "thirty-first": 31}
    | {f"twenty-{word}": 21 + i for i, word in enumerate(_UNITS)}
)


def _draws(today: date, far: bool, count: int = 300) -> list[SpokenDate]:
    rng = random.Random(11)
    return [draw_spoken_date(today, rng, far=far) for _ in range(count)]


def _day_said(text: str) -> int | None:
    """The day of the month in "the 15th" / "the fifteenth", if the phrase names one."""
    digits = re.search(r"the (\d{1,2})(st|nd|rd|th)", text)
    if digits:
        return int(digits.group(1))
    words = re.search(r"the ([a-z-]+)", text)
    return ORDINAL_WORDS.get(words.group(1)) if words else None


def _check(today: date, said: SpokenDate) -> None:
    """Independent reading of each phrase shape against the recorded date."""
    text, offset = said.text, (said.when - today).days
    assert offset >= 1, said
    if text == "tomorrow":
        assert offset == 1
    if m := re.fullmatch(r"in (\w+) (days|weeks)", text):
        assert offset == NUMBERS.index(m.group(1)) * (7 if m.group(2) == "weeks" else 1)
    if text in ("in a week", "a week from today"):
        assert offset == 7
    if "two weeks" in text:
        assert offset == 14
    if "end of" in text:
        assert said.when.day == calendar.monthrange(said.when.year, said.when.month)[1]
        years, month0 = divmod(today.month - 1 + (1 if "next" in text else 0), 12)
        assert (said.when.year, said.when.month) == (today.year + years, month0 + 1), said
    for name in WEEKDAYS:
        if name in text:
            assert said.when.weekday() == WEEKDAYS.index(name), said
    if text.startswith("next "):
        assert said.when.weekday() <= today.weekday()
    if text.startswith("this "):
        assert said.when.weekday() > today.weekday()
    day = _day_said(text)
    if day is not None:
        assert said.when.day == day, said


@pytest.mark.parametrize(
    "today", [date(2026, 11, 24), date(2026, 12, 26), date(2027, 2, 20), date(2027, 5, 31)]
)
def test_near_dates_mean_what_they_say(today: date) -> None:
    draws = _draws(today, far=False)
    for said in draws:
        _check(today, said)
        assert (said.when - today).days <= 14, said
    assert len({d.text for d in draws}) > 40


@pytest.mark.parametrize("today", [date(2026, 11, 24), date(2027, 1, 31)])
def test_far_dates_are_beyond_two_weeks(today: date) -> None:
    for said in _draws(today, far=True):
        _check(today, said)
        assert (said.when - today).days > 14, said


def test_ordinal_suffixes_and_words() -> None:
    rng = random.Random(0)
    days = (1, 2, 3, 11, 12, 13, 21, 22, 31)
    said = {day: {ordinal(day, rng) for _ in range(40)} for day in days}
    assert said[1] == {"1st", "first"}
    assert said[2] == {"2nd", "second"}
    assert said[3] == {"3rd", "third"}
    assert {"11th", "12th", "13th"} <= said[11] | said[12] | said[13]
    assert said[21] == {"21st", "twenty-first"}
    assert "22nd" in said[22]
    assert said[31] == {"31st", "thirty-first"}


def test_today_weekday_never_called_this_or_plain() -> None:
    today = date(2026, 11, 24)
    for said in _draws(today, far=False):
        if (said.when - today).days == 7 and WEEKDAYS[today.weekday()] in said.text:
            assert said.text.startswith("next ") or " the " in said.text, said
