"""Metrics on (expected, predicted) pairs: pure functions, so they are tested on hand-made data.

A rate whose denominator is zero is ``None``, never 0.0 or 1.0: "no card numbers were flagged"
must read as "precision undefined", not as a perfect or a failed detector.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date


def ratio(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide by."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Tally:
    """How many cases, and how many of them were right."""

    n: int = 0
    correct: int = 0

    @property
    def accuracy(self) -> float | None:
        return ratio(self.correct, self.n)

    def as_dict(self) -> dict[str, object]:
        return {"n": self.n, "correct": self.correct, "accuracy": self.accuracy}


def tally(pairs: Iterable[tuple[object, object]]) -> Tally:
    """Exact-match accuracy of (expected, predicted) pairs; ``None`` equals only ``None``."""
    n = correct = 0
    for expected, predicted in pairs:
        n += 1
        correct += expected == predicted
    return Tally(n, correct)


@dataclass(frozen=True)
class Classification:
    """Per-label accuracy (recall of each expected label), overall accuracy, and the confusion
    matrix as ``confusion[expected][predicted]``; ``labels`` orders rows and columns."""

    labels: tuple[str, ...]
    per_label: dict[str, Tally]
    overall: Tally
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.overall.n,
            "accuracy": self.overall.accuracy,
            "per_label": {k: v.as_dict() for k, v in self.per_label.items()},
            "labels": list(self.labels),
            "confusion": self.confusion,
        }


def classify(pairs: Sequence[tuple[str, str]], order: Sequence[str] = ()) -> Classification:
    """Score labelled predictions. Labels come in ``order`` first, then any others (a label
    predicted but never expected still gets a column) alphabetically."""
    seen = {label for pair in pairs for label in pair}
    known = tuple(dict.fromkeys(x for x in order if x in seen))
    labels = known + tuple(sorted(seen - set(order)))
    counts = Counter(pairs)
    confusion = {e: {p: counts[(e, p)] for p in labels} for e in labels}
    per_label = {
        e: Tally(sum(row.values()), row[e]) for e, row in confusion.items() if sum(row.values())
    }
    return Classification(labels, per_label, tally(pairs), confusion)


@dataclass(frozen=True)
class PrecisionRecall:
    """A yes/no detector (card data read out) against the truth."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float | None:
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return ratio(self.tp, self.tp + self.fn)

    def as_dict(self) -> dict[str, object]:
        return {
            "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
            "precision": self.precision, "recall": self.recall,
        }  # fmt: skip


def precision_recall(pairs: Iterable[tuple[bool, bool]]) -> PrecisionRecall:
    """Count (expected, predicted) flags into a confusion of two."""
    counts = Counter(pairs)
    return PrecisionRecall(
        tp=counts[(True, True)], fp=counts[(False, True)],
        fn=counts[(True, False)], tn=counts[(False, False)],
    )  # fmt: skip


@dataclass(frozen=True)
class Latency:
    """Milliseconds per utterance: the mean, and the 95th percentile by nearest rank (the
    smallest sample with at least 95% of samples at or below it), which is a real sample
    rather than an interpolation between two."""

    n: int
    mean_ms: float | None
    p95_ms: float | None

    def as_dict(self) -> dict[str, object]:
        return {"n": self.n, "mean_ms": self.mean_ms, "p95_ms": self.p95_ms}


def latency(samples_ms: Sequence[float]) -> Latency:
    """Summarise per-utterance timings."""
    if not samples_ms:
        return Latency(0, None, None)
    ordered = sorted(samples_ms)
    rank = math.ceil(0.95 * len(ordered))
    return Latency(len(ordered), sum(ordered) / len(ordered), ordered[rank - 1])


def within(day: date | None, start: date, end: date) -> bool:
    """True when ``start <= day < end``; the end of a reference interval is exclusive."""
    return day is not None and start <= day < end
