"""Run the understanding on labelled cases and score it: our sets and the shared corpora.

Our sets go through ``understand`` end to end, as a live call would, and are read in the turn
they answer (``labels.reading``). The shared date corpora go through ``parse_promise_date``
alone: they test resolving a date, not whether a sentence promises one ("I could not transfer
on Thursday" names a Thursday all the same).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from recoup.agent.dates import parse_promise_date
from recoup.agent.understand import Understanding, understand
from recoup.evaluation import corpora as cx
from recoup.evaluation.datasets import Utterance
from recoup.evaluation.labels import CONFIRM_LABELS, LABELS, VERIFY_LABELS, reading
from recoup.evaluation.promise_kinds import KINDS
from recoup.evaluation.scoring import (
    Classification,
    Latency,
    PrecisionRecall,
    Tally,
    classify,
    latency,
    precision_recall,
    tally,
)

#: The twelve labels, then the answers of yes/no turns, each once.
LABEL_ORDER = tuple(dict.fromkeys((*LABELS, *CONFIRM_LABELS, *VERIFY_LABELS)))


def _timed(
    text: str, now: datetime, tz: str | None, context: str
) -> tuple[Understanding, float]:
    started = time.perf_counter()
    u = understand(text, now, tz, context)
    return u, (time.perf_counter() - started) * 1000


@dataclass(frozen=True)
class SetReport:
    """Everything measured on one of our splits."""

    name: str
    intents: Classification
    contexts: dict[str, Tally]
    dates: Tally
    channels: Tally
    card_data: PrecisionRecall
    latency: Latency

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.intents.overall.n,
            "accuracy": self.intents.overall.accuracy,
            "intents": self.intents.as_dict(),
            "contexts": {k: v.as_dict() for k, v in self.contexts.items()},
            "dates": self.dates.as_dict(),
            "channels": self.channels.as_dict(),
            "card_data": self.card_data.as_dict(),
            "latency": self.latency.as_dict(),
        }


def score_split(name: str, rows: Sequence[Utterance]) -> SetReport:
    """Understand every row once, timing each call, and score every field it labels."""
    pairs: list[tuple[str, str]] = []
    contexts: dict[str, list[tuple[str, str]]] = {}
    dates: list[tuple[date | None, date | None]] = []
    channels: list[tuple[str | None, str | None]] = []
    cards: list[tuple[bool, bool]] = []
    timings: list[float] = []
    for row in rows:
        u, ms = _timed(row.text, row.now, row.tz, row.context)
        pair = (row.label, reading(u, row.context))
        pairs.append(pair)
        contexts.setdefault(row.context, []).append(pair)
        if row.has_date:
            dates.append((row.promise_date, u.promise_date))
        if row.has_channel:
            channels.append((row.channel, u.channel))
        cards.append((row.card_data, u.card_data))
        timings.append(ms)
    return SetReport(
        name=name, intents=classify(pairs, LABEL_ORDER),
        contexts={k: tally(v) for k, v in sorted(contexts.items())}, dates=tally(dates),
        channels=tally(channels), card_data=precision_recall(cards), latency=latency(timings),
    )  # fmt: skip


@dataclass(frozen=True)
class DateReport:
    """Date resolution per source: on the promise-style subset, on every day-level case
    (``unreachable`` of which only accept today or a past day, which a promise never is, so
    the parser gives None by design), and on expressions that are no date at all."""

    promise: dict[str, Tally]
    day_level: dict[str, Tally]
    unreachable: dict[str, int]
    kinds: dict[str, Tally]
    negative: Tally
    misses: list[dict[str, str | None]] = field(default_factory=list)

    def reachable(self) -> dict[str, Tally]:
        """Day-level accuracy over the cases a promise parser can get right at all."""
        return {k: Tally(v.n - self.unreachable.get(k, 0), v.correct)
                for k, v in self.day_level.items()}  # fmt: skip

    def as_dict(self) -> dict[str, object]:
        return {
            "promise": {k: v.as_dict() for k, v in self.promise.items()},
            "day_level": {k: v.as_dict() for k, v in self.day_level.items()},
            "day_level_unreachable": self.unreachable,
            "day_level_reachable": {k: v.as_dict() for k, v in self.reachable().items()},
            "promise_kinds": {k: v.as_dict() for k, v in self.kinds.items()},
            "negative": self.negative.as_dict(),
            "promise_misses": self.misses,
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def score_dates(cases: Sequence[cx.DateCase]) -> DateReport:
    """Resolve every case once and sort the outcome into the report's groups."""
    groups = _DateGroups()
    for case in cases:
        groups.add(case, parse_promise_date(case.text, case.now))
    return groups.report()


@dataclass
class _DateGroups:
    """Outcomes gathered per group while the cases run."""

    promise: dict[str, list[bool]] = field(default_factory=dict)
    day: dict[str, list[bool]] = field(default_factory=dict)
    kind: dict[str, list[bool]] = field(default_factory=dict)
    unreachable: dict[str, int] = field(default_factory=dict)
    negative: list[bool] = field(default_factory=list)
    misses: list[dict[str, str | None]] = field(default_factory=list)

    def add(self, case: cx.DateCase, answer: date | None) -> None:
        ok = case.correct(answer)
        if case.source == "duckling_negative":
            self.negative.append(ok)
            return
        if case.kind is not None:
            for group, name in ((self.promise, case.source), (self.promise, "all"),
                                (self.kind, case.kind)):  # fmt: skip
                group.setdefault(name, []).append(ok)
            if not ok:
                self.misses.append(
                    {
                        "source": case.source,
                        "text": case.text,
                        "expected": _iso(case.expected),
                        "answer": _iso(answer),
                    }
                )
        if case.day_level:
            for name in (case.source, "all"):
                self.day.setdefault(name, []).append(ok)
                self.unreachable[name] = self.unreachable.get(name, 0) + (not case.reachable())

    def report(self) -> DateReport:
        return DateReport(
            promise={k: _count(v) for k, v in self.promise.items()},
            day_level={k: _count(v) for k, v in self.day.items()},
            unreachable=self.unreachable,
            kinds={k: _count(self.kind[k]) for k in KINDS if k in self.kind},
            negative=_count(self.negative), misses=self.misses,
        )  # fmt: skip


def _count(oks: Sequence[bool]) -> Tally:
    return Tally(len(oks), sum(oks))


@dataclass(frozen=True)
class IntentCorpusReport:
    """One intent corpus: our labels scored, and accuracy per label of the source corpus."""

    scores: Classification
    by_source_label: dict[str, Tally]

    def as_dict(self) -> dict[str, object]:
        by_source = {k: v.as_dict() for k, v in self.by_source_label.items()}
        return {**self.scores.as_dict(), "by_source_label": by_source}


def score_intents(
    cases: Sequence[cx.IntentCase],
    read: Callable[[Understanding], str],
    now: datetime,
    context: str = "ask_resolution",
) -> IntentCorpusReport:
    """Understand each utterance as a reply in ``context`` and read it with ``read``."""
    pairs: list[tuple[str, str]] = []
    by_source: dict[str, list[tuple[str, str]]] = {}
    for case in cases:
        pair = (case.expected, read(understand(case.text, now, context=context)))
        pairs.append(pair)
        by_source.setdefault(case.source_label, []).append(pair)
    return IntentCorpusReport(
        classify(pairs, LABEL_ORDER), {k: tally(v) for k, v in sorted(by_source.items())}
    )
