"""Our labelled utterance sets: ``data/utterances_{dev,dev2,heldout}.jsonl`` in the package.

Each line is one customer reply with the turn it answers and what it should be read as:
``{"id", "text", "context", "intent", "now", "tz", "promise_date"?, "channel"?, "card_data"}``.
``promise_date`` and ``channel`` are optional *keys*: a row without the key does not score the
field, a row with ``null`` expects nothing to be found. Rows are checked as they load, so a typo
in a label fails loudly with its line instead of quietly counting as a miss.

``dev`` and ``dev2`` (a second set by another writer, for new wording) are for looking at and
improving against; ``heldout`` is only ever scored, so its figure says how the rules do on
replies nobody tuned them on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from recoup.evaluation.labels import CONFIRM_LABELS, CONTEXTS, LABELS, VERIFY_LABELS, Context

SPLITS = (
    "dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11",
    "dev12", "dev13", "heldout", "heldout2",
)  # fmt: skip
#: The splits only ever scored: no rule, threshold or model may learn from them.
HELD_OUT = ("heldout", "heldout2")
_ALLOWED: dict[str, tuple[str, ...]] = {
    "ask_resolution": LABELS,
    "confirm": CONFIRM_LABELS,
    "greet_verify": VERIFY_LABELS,
}


class DatasetError(ValueError):
    """A labelled file that cannot be scored as it stands; the message names file and line."""


@dataclass(frozen=True)
class Utterance:
    """One labelled reply. ``has_date``/``has_channel`` say whether the row scores the field."""

    id: str
    text: str
    context: Context
    label: str
    now: datetime
    tz: str | None
    card_data: bool
    promise_date: date | None = None
    has_date: bool = False
    channel: str | None = None
    has_channel: bool = False


def parse_now(value: object) -> datetime:
    """An ISO 8601 instant such as ``2026-11-24T15:00:00-05:00``."""
    if not isinstance(value, str):
        raise ValueError("'now' must be an ISO 8601 date-time string")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'now' is not an ISO 8601 date-time: {value!r}") from None


def parse_zone(value: object) -> str | None:
    """An IANA zone name, or None. An unknown zone is an error here: the parser would quietly
    fall back on the offset of ``now``, which hides a typo that shifts every date."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("'tz' must be an IANA time zone name")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


def split_file(split: str) -> Traversable:
    """Where a split lives in the installed package."""
    return resources.files("recoup.evaluation").joinpath("data", f"utterances_{split}.jsonl")


def missing_splits(splits: tuple[str, ...] = SPLITS) -> list[str]:
    return [s for s in splits if not split_file(s).is_file()]


def load_split(split: str) -> list[Utterance]:
    """Every row of one split, checked; ``DatasetError`` names the first bad line."""
    if split not in SPLITS:
        raise DatasetError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
    source = split_file(split)
    if not source.is_file():
        raise DatasetError(f"{source}: not found")
    rows = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(utterance(json.loads(line)))
            except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
                raise DatasetError(f"utterances_{split}.jsonl:{number}: {exc}") from None
    return rows


def utterance(row: Any) -> Utterance:
    """One row, checked field by field."""
    if not isinstance(row, dict):
        raise ValueError("expected a JSON object")
    context, label = _context(row.get("context")), row.get("intent")
    if label not in _ALLOWED[context]:
        raise ValueError(f"label {label!r} is not one of {', '.join(_ALLOWED[context])}")
    if not isinstance(row.get("text"), str) or not isinstance(row.get("card_data"), bool):
        raise ValueError("'text' must be a string and 'card_data' true or false")
    promise = row.get("promise_date")
    return Utterance(
        id=str(row.get("id", "")), text=row["text"], context=context, label=label,
        now=parse_now(row.get("now")), tz=parse_zone(row.get("tz")), card_data=row["card_data"],
        promise_date=date.fromisoformat(promise) if promise is not None else None,
        has_date="promise_date" in row, channel=row.get("channel"),
        has_channel="channel" in row,
    )  # fmt: skip


def _context(value: object) -> Context:
    for context in CONTEXTS:
        if value == context:
            return context
    raise ValueError(f"unknown context {value!r}")
