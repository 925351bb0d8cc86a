"""Dates the way people say them on the phone, paired with the calendar date they mean.

The agent has to turn "next tuesday" or "the 15th" into a date and check it against the
longest promise the playbook allows. Generating the phrase *and* its meaning together gives
every simulated promise a ground truth, so a benchmark can score the agent's date parsing and
policy checks rather than just whether it said something. "next <weekday>" means the next
occurrence after today, as dateparser reads it.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_ORDINAL_WORDS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
    "eighteenth", "nineteenth", "twentieth", "twenty-first", "twenty-second", "twenty-third",
    "twenty-fourth", "twenty-fifth", "twenty-sixth", "twenty-seventh", "twenty-eighth",
    "twenty-ninth", "thirtieth", "thirty-first",
)


@dataclass(frozen=True)
class SpokenDate:
    """A phrase such as ``"next tuesday"`` and the date it means."""

    text: str
    when: date


def ordinal(day: int, rng: random.Random) -> str:
    """``15`` as "15th" or "fifteenth": people say both, and the agent must read both."""
    if rng.random() < 0.4:
        return _ORDINAL_WORDS[day - 1]
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _end_of_month(today: date, months_ahead: int) -> date:
    year, month = divmod(today.month - 1 + months_ahead, 12)
    year, month = today.year + year, month + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def _weekday(today: date, rng: random.Random) -> SpokenDate:
    """"friday", "this friday", "next monday" or "friday the 5th", 2-7 days out.

    "next" is only used when the day falls in the following week, where both readings of the
    phrase agree; "this" only when it falls later in the current week.
    """
    offset = rng.randint(2, 7)
    when = today + timedelta(days=offset)
    forms = ["{d}", "on {d}", "{d} the {o}"] if offset < 7 else ["{d} the {o}"]
    forms.append("this {d}" if when.weekday() > today.weekday() else "next {d}")
    form = rng.choice(forms)
    return SpokenDate(form.format(d=WEEKDAYS[when.weekday()], o=ordinal(when.day, rng)), when)


def _day_of_month(today: date, rng: random.Random) -> SpokenDate:
    """"the 15th": a day of the month 3-13 days out, never ambiguous with this month's past."""
    when = today + timedelta(days=rng.randint(3, 13))
    return SpokenDate(f"the {ordinal(when.day, rng)}", when)


def _relative(today: date, rng: random.Random) -> SpokenDate:
    """"tomorrow", "in ten days", "in two weeks" and kin."""
    days = rng.choice((1, 1, 3, 5, 7, 10, 14))
    text = {1: "tomorrow", 7: rng.choice(("in a week", "a week from today")),
            14: rng.choice(("in two weeks", "two weeks from now"))}.get(days)
    return SpokenDate(text or f"in {NUMBERS[days]} days", today + timedelta(days=days))


def _month_end(today: date, rng: random.Random) -> SpokenDate:
    """"end of the month", falling back to a weekday when the month ends too soon or too late."""
    when = _end_of_month(today, 0)
    if not 2 <= (when - today).days <= 14:
        return _weekday(today, rng)
    return SpokenDate(rng.choice(("end of the month", "the end of the month", "end of month")),
                      when)


def _far(today: date, rng: random.Random) -> SpokenDate:
    """Beyond the usual 14-day limit: "in six weeks", "end of next month", "the 3rd of March"."""
    pick = rng.randint(0, 2)
    if pick == 0:
        weeks = rng.randint(3, 8)
        return SpokenDate(f"in {NUMBERS[weeks]} weeks", today + timedelta(weeks=weeks))
    if pick == 1 and (_end_of_month(today, 1) - today).days > 14:
        return SpokenDate("end of next month", _end_of_month(today, 1))
    when = today + timedelta(days=rng.randint(20, 60))
    month = calendar.month_name[when.month]
    return SpokenDate(f"the {ordinal(when.day, rng)} of {month}", when)


_NEAR: tuple[Callable[[date, random.Random], SpokenDate], ...] = (
    _weekday, _weekday, _day_of_month, _relative, _relative, _month_end,
)


def draw_spoken_date(today: date, rng: random.Random, *, far: bool = False) -> SpokenDate:
    """A promise date as a customer says it: within 14 days of ``today`` unless ``far``."""
    if far:
        return _far(today, rng)
    return rng.choice(_NEAR)(today, rng)
