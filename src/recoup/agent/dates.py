"""Promise dates from what a customer says ("I can pay next Friday").

Conventions (all relative to *today in the customer's zone*: ``tz`` if it names a zone, else the
offset of ``now``; a naive ``now`` with a ``tz`` is read as UTC). A promise date is always
strictly after today: "today" or "now" is paying now, not a promise, so it gives ``None``.

- "friday", "this friday", "on friday": the next Friday to come, never today.
- "next friday", "the following friday", "friday next week": the Friday of next calendar
  week (weeks start on Monday); said on a Wednesday it is nine days away, said on a Sunday
  five. "friday after next": a week after "friday".
- "next week": Monday of next week. "after the weekend": the next Monday.
- "the 15th", "on the fifteenth": the next 15th to come (skipping months without that day).
- "12/2": US month/day, the next such date to come; "12/2/2027" is taken as written.
- "december 4", "4th of dec": the next such date; with a year, as written (via dateparser).
- "end of the month": its last day (next month's if today is the last day);
  "end of next month" likewise; "first of next month", "start of next month": the 1st.
- "tomorrow" +1, "the day after tomorrow" +2, "in N days" +N, "in a week" +7, "in two weeks",
  "two weeks from now", "a fortnight" +14.
- A weekday or day of month said alongside must agree with the date ("Friday the 5th" when
  the 5th is a Thursday gives None), and compositional phrases we do not model ("the last
  Friday of October") give None rather than a guess from one of their words.
- Vague answers ("after the holidays", "payday", "when I get paid", "next month", "soon")
  give ``None`` and ``needs_date_clarification`` is true, so the agent asks for a date.

dateparser reads the month-name dates (abbreviations, word order, years); our rules do the rest
because dateparser 1.5 misses "end of the month" and "first of next month" and reads
"next friday" on a Wednesday as this week's. It is imported lazily (~200 ms the first time);
``warm_up`` lets a worker pay that at start rather than on a live call.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from recoup.agent.spoken_days import cardinal_days

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WD = "(" + "|".join(_WEEKDAYS) + ")"
_MONTHS = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_COUNTS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "couple of": 2, "a couple of": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_ORDINALS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
    "eighteenth", "nineteenth", "twentieth",
)  # fmt: skip
_VAGUE = re.compile(
    r"\b(holidays?|christmas|payday|pay day|get paid|paycheck|pay check|salary|pension|wages?"
    r"|benefits|next month"
    r"|soon|later|few days|few weeks|couple (of )?(days|weeks)|some ?time|when i can"
    r"|not sure when|(end|rest) of (this|the) week|this week)\b"
)
_COUNT = r"(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten)"

_UNSURE = re.compile(
    rf"\b(closest|easter|last day|(1st|2nd|3rd|4th|5th|last) {_WD}|{_WD} (of|in) {_MONTHS}"
    r"|couple of (days|weeks)|(later|end|rest) (of |in )?(this|the) week|\w+ or \w+ (days|weeks))"
)
_DAY_WORDS = rf"({_WD}|tomorrow|today|the \d{{1,2}}(?:st|nd|rd|th)|\d{{1,2}}/\d{{1,2}})"
#: A day named only to be ruled out ("12/2, not friday"): the other one named is the date.
RULED_OUT = re.compile(
    r"\b(not|no not|never said|did not say|didn t say|rather than|instead of"
    rf"|(can ?not|can t|could not|couldn t) (do|make)( it)?) (on |by |this |next )?{_DAY_WORDS}"
)
#: "monday or tuesday": the first day named is the one to hold the customer to.
_EITHER = re.compile(rf"\b{_WD} or (?:on )?{_WD}\b")

Resolver = Callable[[re.Match[str], date], date | None]


def local_today(now: datetime, tz: str | None) -> date:
    """Today where the customer is: ``tz`` if it is a known zone, else ``now``'s own offset."""
    if tz:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            return now.date()
        aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        return aware.astimezone(zone).date()
    return now.date()


_ORDINAL_VALUE = {word: i for i, word in enumerate(_ORDINALS, start=1)} | {"thirtieth": 30}
_SPOKEN_ORDINAL = re.compile(rf"\b(?:(twenty|thirty) )?({'|'.join(_ORDINAL_VALUE)})\b")


def _normalise(text: str) -> str:
    """Lowercase, spoken ordinals as digits ("twenty first" -> "21st"), no stray punctuation."""
    s = re.sub(r"[^a-z0-9/ ]", " ", text.lower().replace("-", " "))
    s = cardinal_days(re.sub(r"\bfirst thing\b", "", s))
    s = _SPOKEN_ORDINAL.sub(_ordinal, s)
    s = re.sub(rf"\b({_MONTHS}) the (\d)", r"\1 \3", s)  # "november the 12th"
    s = RULED_OUT.sub(" ", _EITHER.sub(r"\1", s))
    return re.sub(r"\s+", " ", s).strip()


def _ordinal(m: re.Match[str]) -> str:
    tens = {"twenty": 20, "thirty": 30}.get(m.group(1) or "", 0)
    day = tens + _ORDINAL_VALUE[m.group(2)]
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(day % 10 if day not in (11, 12, 13) else 0, "th")
    return f"{day}{suffix}"


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _COUNTS[word]


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _next_week(today: date, weekday: int) -> date:
    return today - timedelta(days=today.weekday()) + timedelta(days=7 + weekday)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _end_of_month(m: re.Match[str], today: date) -> date:
    first = _add_months(today, 1 if m.group(1) == "next" else 0)
    end = _month_end(first.year, first.month)
    if end > today:
        return end
    following = _add_months(today, 1)
    return _month_end(following.year, following.month)


def _day_of_month(m: re.Match[str], today: date) -> date | None:
    """The next date whose day of month is the number said (the 31st skips short months)."""
    day = int(m.group(1))
    if not 1 <= day <= 31:
        return None
    for ahead in range(3):
        first = _add_months(today, ahead)
        if day <= calendar.monthrange(first.year, first.month)[1]:
            candidate = first.replace(day=day)
            if candidate > today:
                return candidate
    return None


def _month_day(m: re.Match[str], today: date) -> date | None:
    """US month/day, next occurrence; with a year, taken as written."""
    month, day, year = int(m.group(1)), int(m.group(2)), m.group(3)
    try:
        if year:
            return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate > today else date(today.year + 1, month, day)
    except ValueError:
        return None


def _month_name(m: re.Match[str], today: date) -> date | None:
    """A month-name date: dateparser reads the span, we keep it in the future."""
    import dateparser  # lazy: the first call costs ~200 ms

    base = datetime.combine(today, datetime.min.time())
    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": base}
    span = m.group(0).replace(" in ", " ")
    parsed = dateparser.parse(span, languages=["en"], settings=settings)
    if parsed is None:
        return None
    found = parsed.date()
    has_year = re.search(r"\b\d{4}\b", m.group(0)) is not None
    if found <= today and not has_year:
        return _month_day_of(found, today.year + 1)
    return found


def _month_day_of(found: date, year: int) -> date | None:
    try:
        return found.replace(year=year)
    except ValueError:  # 29 February
        return None


_RULES: tuple[tuple[str, Resolver], ...] = (
    (r"\bday after tomorrow\b", lambda m, t: t + timedelta(days=2)),
    (r"\btomorrow\b", lambda m, t: t + timedelta(days=1)),
    (r"\bend of (?:(next|the|this) )?month\b", _end_of_month),
    (r"\b(?:first|1st|start|beginning) of (?:the )?next month\b", lambda m, t: _add_months(t, 1)),
    (rf"\b{_WD} after next\b",
     lambda m, t: _next_weekday(t, _WEEKDAYS.index(m.group(1))) + timedelta(days=7)),
    (rf"\b(?:next|following) {_WD}\b|\b{_WD} (?:of )?next week\b",
     lambda m, t: _next_week(t, _WEEKDAYS.index(m.group(1) or m.group(2)))),
    (r"\bnext week\b", lambda m, t: _next_week(t, 0)),
    (r"\bafter the weekend\b", lambda m, t: _next_weekday(t, 0)),
    (r"\b(?:by|till|until|before|over|on|at|for|this|the) (?:the )?weekend\b",
     lambda m, t: _next_weekday(t, 5)),
    (rf"\b{_MONTHS} \d{{1,2}}(?:st|nd|rd|th)?(?: (?:in )?\d{{4}})?\b", _month_name),
    (rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTHS}(?: (?:in )?\d{{4}})?\b", _month_name),
    (rf"\b{_WD}\b", lambda m, t: _next_weekday(t, _WEEKDAYS.index(m.group(1)))),
    (r"\b(?:in )?(?:a )?fortnight\b", lambda m, t: t + timedelta(days=14)),
    (rf"\b(?:in )?{_COUNT} weeks?(?! ago)(?: from (?:now|today))?\b",
     lambda m, t: t + timedelta(days=7 * _count(m.group(1)))),
    (rf"\b(?:in )?{_COUNT} days?(?! ago)(?: from (?:now|today))?\b",
     lambda m, t: t + timedelta(days=_count(m.group(1)))),
    (r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b", _month_day),
    (r"\b(?:the|on|by|until|before) (\d{1,2})(?:st|nd|rd|th)\b", _day_of_month),
)  # fmt: skip
_COMPILED = tuple((re.compile(p), resolve) for p, resolve in _RULES)


def parse_promise_date(text: str, now: datetime, tz: str | None = None) -> date | None:
    """The date a customer names, strictly after today in their zone, or None."""
    today = local_today(now, tz)
    spoken = _normalise(text)
    if _UNSURE.search(spoken):
        return None  # "the last friday of october": better to ask than to guess
    for pattern, resolve in _COMPILED:
        m = pattern.search(spoken)
        if m:
            found = resolve(m, today)
            ok = found is not None and found > today and _consistent(spoken, found)
            return found if ok else None
    return None


def _consistent(spoken: str, found: date) -> bool:
    """A weekday or day of month said alongside must match: "Friday the 5th" when the 5th is
    a Thursday is a slip to ask about, not a date to pick one half of."""
    weekdays = {_WEEKDAYS.index(w) for w in re.findall(_WD, spoken)}
    days = {int(d) for d in re.findall(r"\b(\d{1,2})(?:st|nd|rd|th)\b", spoken)}
    days |= {int(m.group(2)) for m in re.finditer(rf"\b{_MONTHS} (\d{{1,2}})\b", spoken)}
    return weekdays <= {found.weekday()} and days <= {found.day}


def needs_date_clarification(text: str) -> bool:
    """True when the customer gave a time too vague to record ("after the holidays")."""
    return bool(_VAGUE.search(_normalise(text)))


def warm_up() -> None:
    """Import dateparser and parse once, so the ~200 ms first call is not on a live call."""
    parse_promise_date("december 4", datetime.now(UTC))
