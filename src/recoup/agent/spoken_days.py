"""Days of the month said as plain numbers: "pay it on the fifteen" means the 15th.

``dates`` reads spoken ordinals ("the fifteenth"); people also say the cardinal where a day goes,
so after "on the", "by the", "before the", "until the" a cardinal is rewritten as its ordinal
before the date rules run. "twenty one" becomes "twenty first"; "on the twenty first" is left be.
"""

from __future__ import annotations

import re

_CARDINAL = {
    "one": "first", "two": "second", "three": "third", "four": "fourth", "five": "fifth",
    "six": "sixth", "seven": "seventh", "eight": "eighth", "nine": "ninth", "ten": "tenth",
    "eleven": "eleventh", "twelve": "twelfth", "thirteen": "thirteenth",
    "fourteen": "fourteenth", "fifteen": "fifteenth", "sixteen": "sixteenth",
    "seventeen": "seventeenth", "eighteen": "eighteenth", "nineteen": "nineteenth",
    "twenty": "twentieth", "thirty": "thirtieth",
}  # fmt: skip
_NOT_A_DAY = r"(\w+(st|nd|rd|th)|hundred|thousand|dollars?|pounds?|quid|bucks|euros?|percent|days)"
_CARDINAL_DAY = re.compile(
    r"\b(on|by|before|until|till) the ((?:twenty |thirty )?(?:"
    + "|".join(_CARDINAL)
    + rf"))\b(?! {_NOT_A_DAY}\b)"
)


def _as_ordinal(m: re.Match[str]) -> str:
    *tens, unit = m.group(2).split()
    return " ".join((m.group(1), "the", *tens, _CARDINAL[unit]))


def cardinal_days(text: str) -> str:
    """``text`` (lowercase, spoken form) with a cardinal day after "on the" as an ordinal."""
    return _CARDINAL_DAY.sub(_as_ordinal, text)
