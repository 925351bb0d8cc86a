"""Loaders for the third-party corpora in ../shared, as cases our scorer can run.

Each corpus states its answers its own way (Duckling values and intervals, Recognizers-Text
past-and-future readings, NLU++ slot dictionaries); the loaders turn them into one shape, a
``DateCase`` or an ``IntentCase``, keeping the source's reference time so relative dates resolve
as the corpus authors meant. What a case *means* for us (promise-style or not, which of our
labels an intent becomes) is decided here, once, from the corpus alone, never from our answers.
Shapes and provenance: ../shared/SOURCES.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from recoup.evaluation.promise_kinds import promise_kind

DATES = Path("corpora/dates")
INTENTS = Path("corpora/intents")
#: Slots whose values are days; a sentence with two of them names more than one date.
_DATE_SLOTS = frozenset({"date", "date_from", "date_to", "date_period"})


@dataclass(frozen=True)
class DateCase:
    """One expression to resolve. ``expected`` is the day, or the first day of ``window``
    (``expected <= answer < window_end``) when the corpus gives a span such as "end of the
    month"; ``None`` means no date should be found. ``kind`` is set for promise-style cases."""

    source: str
    text: str
    expression: str
    now: datetime
    expected: date | None
    window_end: date | None = None
    day_level: bool = True
    kind: str | None = None

    def reachable(self) -> bool:
        """False when every right answer is today or earlier, which a promise never is."""
        last = self.window_end - timedelta(days=1) if self.window_end else self.expected
        return last is None or last > self.now.date()

    def correct(self, answer: date | None) -> bool:
        if self.window_end is not None and self.expected is not None:
            return answer is not None and self.expected <= answer < self.window_end
        return answer == self.expected


@dataclass(frozen=True)
class IntentCase:
    """One utterance with the label it should earn, and the corpus label it came from."""

    source: str
    text: str
    expected: str
    source_label: str


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a JSON-lines file; a malformed row is an error naming the file and line."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{number}: expected a JSON object")
            yield row


def _promise(kind: str | None, now: datetime, expected: date | None) -> str | None:
    """Keep the kind only when a customer could promise it: a day strictly after today
    (today is paying now), or no date at all (an impossible one like "feb 30")."""
    if kind is None or (expected is not None and expected <= now.date()):
        return None
    return kind


def _day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).date()


def duckling_case(row: dict[str, Any]) -> DateCase | None:
    """A Duckling corpus row; None for open intervals (ASAP, "after 5"), which name no day,
    and for years before the common era ("2014 BC"), which no Python date holds."""
    try:
        return _duckling_case(row)
    except ValueError:
        return None


def _duckling_case(row: dict[str, Any]) -> DateCase | None:
    now = datetime.fromisoformat(row["reference_time"])
    want = row["expected"]
    if "value" in want:
        start = _day(want["value"])
        end = start + timedelta(days=7) if want["grain"] == "week" else None
    elif "from" in want and "to" in want:
        start, end = _day(want["from"]), _day(want["to"])
        if want["grain"] in ("second", "minute", "hour"):  # "by EOM": from now until then
            start = end - timedelta(days=1)
    else:
        return None
    kind = None if "Holiday" in want["type"] else promise_kind(row["expression"])
    return DateCase(
        source="duckling", text=row["expression"], expression=row["expression"], now=now,
        expected=start, window_end=end, day_level=want["grain"] == "day",
        kind=_promise(kind, now, start),
    )  # fmt: skip


def load_duckling(path: Path) -> list[DateCase]:
    """Either Duckling file (the whole time corpus or its day/week/month subset)."""
    return [case for row in read_jsonl(path) if (case := duckling_case(row)) is not None]


def load_duckling_negative(path: Path) -> list[DateCase]:
    """Expressions Duckling must not read as a time; none of them is a day to promise."""
    data = json.loads(path.read_text(encoding="utf-8"))
    now = datetime.fromisoformat(data["reference_time"])
    return [
        DateCase(source="duckling_negative", text=e, expression=e, now=now, expected=None)
        for e in data["expressions"]
    ]


def _recognizers_expected(values: list[dict[str, Any]]) -> date | None:
    """The day Recognizers-Text resolves to. An ambiguous date ("on Friday") comes with a
    past and a future reading; a promise is the future one, the latest. "not resolved"
    (February 30th) is no date."""
    days = [date.fromisoformat(v["value"]) for v in values if _is_day(v.get("value"))]
    return max(days) if days else None


def _is_day(value: object) -> bool:
    return isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-"


def recognizers_case(text: str, now: str, span: str, values: list[dict[str, Any]]) -> DateCase:
    """A sentence whose one datetime is a single date (type ``datetimeV2.date``)."""
    reference = datetime.fromisoformat(now)
    expected = _recognizers_expected(values)
    kind = _promise(promise_kind(span), reference, expected)
    return DateCase("recognizers", text, span, reference, expected, kind=kind)


def load_recognizers_model(path: Path) -> list[DateCase]:
    """DateTimeModel spec rows with exactly one result, and that result a single date."""
    cases = []
    for row in read_jsonl(path):
        results = row["results"]
        if len(results) != 1:
            continue
        result = results[0]
        if (result.get("TypeName") or result.get("Typename")) != "datetimeV2.date":
            continue
        values = result.get("Resolution", {}).get("values", [])
        cases.append(
            recognizers_case(row["input"], row["reference_datetime"], result["Text"], values)
        )
    return cases


def load_recognizers_subset(path: Path) -> list[DateCase]:
    """The single-date subset file; only its ``datetimeV2.date`` rows are day-level."""
    return [
        recognizers_case(row["input"], row["reference_datetime"], row["span_text"], row["values"])
        for row in read_jsonl(path)
        if row["type"] == "datetimeV2.date"
    ]


def load_nlupp_dates(path: Path) -> list[DateCase]:
    """NLU++ ``date`` slots (a single day; ``date_from``/``date_to`` are ranges). A sentence
    with another date slot besides is kept as day-level but not as a promise: which of its
    dates a promise names is not written down."""
    rows = list(read_jsonl(path))
    slots: dict[str, int] = {}
    for row in rows:
        if row["slot"] in _DATE_SLOTS:
            slots[row["text"]] = slots.get(row["text"], 0) + 1
    cases = []
    for row in rows:
        if row["slot"] != "date":
            continue
        now = datetime.fromisoformat(row["reference_datetime"])
        value = row["value"]
        expected = date(value["year"], value["month"], value["day"]) if isinstance(
            value, dict) else None  # fmt: skip
        kind = promise_kind(row["span_text"]) if slots[row["text"]] == 1 else None
        cases.append(DateCase("nlupp", row["text"], row["span_text"], now, expected,
                              kind=_promise(kind, now, expected)))  # fmt: skip
    return cases


def unique(cases: list[DateCase]) -> list[DateCase]:
    """Cases in first-seen order without repeats (the subset files repeat their parents)."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    for case in cases:
        key = (case.source, case.text, case.now, case.expected, case.window_end)
        if key not in seen:
            seen.add(key)
            kept.append(case)
    return kept


#: NLU++ general intents that answer a yes/no question; a hand-off request wins over either
#: ("no, let me talk to a person"), as it does in the dialog.
_CONFIRM = (("handoff", "human"), ("affirm", "yes"), ("deny", "no"))
#: BANKING77 labels that say, in a bank's words, what a customer says to a collector. Left
#: out: fees and exchange-rate questions, card and transfer problems, and a bare extra charge
#: on the statement (half of those ask what it is rather than contest it).
BANKING77: dict[str, str] = {
    "card_payment_not_recognised": "dispute",
    "direct_debit_payment_not_recognised": "dispute",
    "transaction_charged_twice": "dispute",
    "request_refund": "dispute",  # the engine reads "refund" as contesting the charge
    "terminate_account": "cancel",
}


def load_nlupp_confirm(path: Path) -> list[IntentCase]:
    """NLU++ turns labelled affirm, deny or handoff, as replies to a yes/no question."""
    cases = []
    for row in read_jsonl(path):
        intents = set(row["intents"])
        if {"affirm", "deny"} <= intents and "handoff" not in intents:
            continue  # both at once: no single answer to score
        label = next((ours for theirs, ours in _CONFIRM if theirs in intents), None)
        if label is not None:
            source = next(theirs for theirs, ours in _CONFIRM if ours == label)
            cases.append(IntentCase("nlupp_confirm", row["text"], label, source))
    return cases


def load_banking77(path: Path) -> list[IntentCase]:
    """BANKING77 rows (train and test alike: nothing here is trained) whose label maps."""
    return [
        IntentCase("banking77", row["text"], BANKING77[row["label"]], row["label"])
        for row in read_jsonl(path)
        if row["label"] in BANKING77
    ]
