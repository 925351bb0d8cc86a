"""The shared corpora as one scored report: find ../shared, load what is there, score it.

../shared sits beside the checkout on development machines and not at all in most other places,
so a missing directory or file is a note in the report, not a failure: the figures that can be
computed still are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from recoup.evaluation import corpora as cx
from recoup.evaluation.evaluate import DateReport, IntentCorpusReport, score_dates, score_intents
from recoup.evaluation.labels import confirm_reading, intent_label

#: NLU++'s reference time; intent corpora carry none of their own.
INTENT_NOW = datetime(2022, 3, 15, 9, 0, tzinfo=UTC)
T = TypeVar("T")


def default_shared() -> Path | None:
    """../shared beside the repository (for an editable install), else beside the cwd."""
    here = Path(__file__).resolve()
    candidates = [Path.cwd().parent / "shared"]
    if len(here.parents) > 3 and (here.parents[3] / "pyproject.toml").is_file():
        candidates.insert(0, here.parents[3].parent / "shared")
    return next((c for c in candidates if c.is_dir()), None)


@dataclass(frozen=True)
class SharedReport:
    """Scores on the shared corpora, with a note for every file that was not there."""

    root: Path
    dates: DateReport | None
    intents: dict[str, IntentCorpusReport]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "root": str(self.root),
            "dates": self.dates.as_dict() if self.dates else None,
            "intents": {k: v.as_dict() for k, v in self.intents.items()},
            "notes": self.notes,
        }


def _load(root: Path, name: Path, loader: Callable[[Path], list[T]], notes: list[str]) -> list[T]:
    path = root / name
    if not path.is_file():
        notes.append(f"{path}: not found, skipped")
        return []
    return loader(path)


def date_cases(root: Path, notes: list[str]) -> list[cx.DateCase]:
    """Every date corpus as cases, repeats between a corpus and its subset dropped."""
    d = cx.DATES
    found = [
        *_load(root, d / "duckling_en_time_corpus.jsonl", cx.load_duckling, notes),
        *_load(root, d / "duckling_en_day_week_month_subset.jsonl", cx.load_duckling, notes),
        *_load(root, d / "duckling_en_time_negative.json", cx.load_duckling_negative, notes),
        *_load(root, d / "recognizers_text_en_datetimemodel.jsonl", cx.load_recognizers_model,
               notes),
        *_load(root, d / "recognizers_text_en_single_date_subset.jsonl",
               cx.load_recognizers_subset, notes),
        *_load(root, d / "nlupp_date_time_slots.jsonl", cx.load_nlupp_dates, notes),
    ]  # fmt: skip
    return cx.unique(found)


def score_shared(root: Path) -> SharedReport:
    """Score every shared corpus found under ``root``."""
    notes: list[str] = []
    cases = date_cases(root, notes)
    i = cx.INTENTS
    confirm = _load(root, i / "nlupp_call_control_intents_subset.jsonl",
                    cx.load_nlupp_confirm, notes)  # fmt: skip
    banking = _load(root, i / "banking77_payment_relevant.jsonl", cx.load_banking77, notes)
    intents = {}
    if confirm:
        intents["nlupp_confirm"] = score_intents(confirm, confirm_reading, INTENT_NOW, "confirm")
    if banking:
        intents["banking77"] = score_intents(banking, lambda u: intent_label(u.intent), INTENT_NOW)
    return SharedReport(root, score_dates(cases) if cases else None, intents, notes)
