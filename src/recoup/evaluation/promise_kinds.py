"""Which third-party date expressions a customer could say as a promise to pay.

The shared corpora test date recognisers on everything from "at 9:30pm" to "the ides of March".
A promise to pay is a day a customer names: a weekday, tomorrow, in a week, the 15th, December
4, the end of the month. ``promise_kind`` classifies an expression by its *shape* alone, with
whole-expression patterns, so the subset is chosen without looking at what our parser makes of
it: a selection tuned on our own answers would measure nothing. Anything with a time of day,
a range, a holiday or season, a past marker, or a date built on another date ("three days after
Easter") fits no pattern and is left out; so is a month or year alone, which no one can record
as a promise day.
"""

from __future__ import annotations

import re

_WD = (
    r"(?:monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thur|thu|friday|fri"
    r"|saturday|sat|sunday|sun)"
)
_MONTH = (
    r"(?:january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug"
    r"|september|sept|sep|october|oct|november|nov|december|dec)"
)
_SPOKEN = (
    r"(?:(?:twenty|thirty)[ -])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth"
    r"|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth"
    r"|eighteenth|nineteenth|twentieth|thirtieth|one|two|three|four|five|six|seven|eight|nine)"
)
_ORD = rf"(?:\d{{1,2}}(?:st|nd|rd|th)|{_SPOKEN})"
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_SPOKEN})"  # beside a month name a bare number will do
_NUM = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a couple of)"
_YEAR = r"(?:,? (?:of |in )?\d{4})"
_THIS_NEXT = (
    r"(?:this|next|the next|the following|following|coming|the coming|this coming|upcoming"
    r"|this upcoming)"
)

_KINDS: tuple[tuple[str, str], ...] = (
    ("relative_day",
     rf"(?:the )?day after tomorrow|tomorrows?|tmrw|(?:in )?{_NUM} days?"
     r"(?: from (?:now|today)| hence| time)?"),
    ("relative_week",
     rf"{_THIS_NEXT} week|(?:in )?{_NUM} weeks?(?: from (?:now|today)| hence"
     r"|'s time| time)?|(?:in )?a fortnight(?:'s time)?"
     rf"|(?:at )?(?:the )?(?:beginning|start) of {_THIS_NEXT} week"),
    ("end_of_week", rf"(?:at )?(?:the )?end of (?:this|current|the|{_THIS_NEXT}) week"),
    ("end_of_month",
     rf"(?:at )?(?:the )?(?:end of (?:(?:the |this |next |current |the next )?month|{_MONTH})"
     r"|eom)"),
    ("weekday",
     rf"(?:{_THIS_NEXT} )?{_WD}\.?(?: (?:of )?(?:next|this|the following) week| after next"
     rf"| coming)?|(?:next|this|the following) week {_WD}\.?"),
    ("month_day",
     rf"(?:{_WD}\.?,? (?:the )?)?(?:{_MONTH}\.?,?(?: the)? ?{_DAY}"
     rf"|(?:the )?{_DAY}(?: day)? (?:of )?{_MONTH}\.?){_YEAR}?(?:,? {_WD}\.?)?"
     rf"|(?:{_WD}\.?,? )?\d{{1,2}} ?[/.-] ?\d{{1,2}}(?: ?[/.-] ?(?:\d{{4}}|\d{{2}}))?"),
    ("day_of_month",
     rf"(?:{_WD}\.?,? )?(?:the )?{_ORD}(?: day)?(?: of (?:the )?(?:next|this|current) month"
     rf"| (?:this|next) month)?|(?:the )?\d{{1,2}} of (?:the )?(?:next|this|current) month"
     rf"|the \d{{1,2}}|{_WD}\.? \d{{1,2}}"),
)  # fmt: skip
_COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in _KINDS)
_LEAD = re.compile(r"^(?:on|by|for|around|about|before|until|till|no later than)\s+")
_TRAIL = re.compile(r"[\s.,!?;:]+$")

KINDS: tuple[str, ...] = tuple(kind for kind, _ in _KINDS)


def clean(expression: str) -> str:
    """Lowercase, one space between words, typographic apostrophes plain, and without the
    words that only frame a date ("on", "by", "before") or trailing punctuation."""
    s = " ".join(expression.lower().replace("\u2019", "'").split()).replace(" ,", ",")
    s = _TRAIL.sub("", s)
    while (stripped := _LEAD.sub("", s)) != s:
        s = stripped
    return s


def promise_kind(expression: str) -> str | None:
    """The kind of promise-style date the whole expression is, or None if it is not one."""
    s = clean(expression)
    return next((kind for kind, pattern in _COMPILED if pattern.fullmatch(s)), None)
