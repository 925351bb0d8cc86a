"""The evaluation as Rich tables, for a person at a terminal (``--json`` is for machines).

A rate with nothing to divide by prints as "n/a", so an empty group never passes for 0% or 100%.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich import box
from rich.console import Console
from rich.table import Table

from recoup.evaluation.evaluate import DateReport, IntentCorpusReport, SetReport
from recoup.evaluation.scoring import Classification, Tally
from recoup.evaluation.shared import SharedReport

#: Three letters a label, so a fourteen-label confusion matrix fits 80 columns.
_SHORT = {
    "pay_now": "pay", "promise_to_pay": "prm", "already_paid": "pd", "dispute": "dsp",
    "cancel": "cnc", "hardship": "hrd", "callback": "cb", "wrong_party": "wp",
    "opt_out": "opt", "human": "hum", "question": "q", "other": "oth",
}  # fmt: skip


def pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.1%}"


def ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} ms"


def _tally_row(name: str, t: Tally) -> tuple[str, str, str, str]:
    return name, str(t.n), str(t.correct), pct(t.accuracy)


def tally_table(title: str, tallies: Mapping[str, Tally], first: str = "label") -> Table:
    """One row per group: how many, how many right, the share."""
    table = Table(title=title)
    for column in (first, "n", "correct", "accuracy"):
        table.add_column(column, justify="left" if column == first else "right")
    for name, t in tallies.items():
        table.add_row(*_tally_row(name, t))
    return table


def short(label: str) -> str:
    return _SHORT.get(label, label[:3])


def confusion_table(title: str, scores: Classification) -> Table:
    """Rows are the expected label, columns what was read; only labels ever expected get a
    row, but every label read gets a column, so a stray reading still shows."""
    legend = ", ".join(f"{short(x)}={x}" for x in scores.labels if short(x) != x)
    caption = f"rows: expected; columns: read. {legend}"
    table = Table(title=title, caption=caption, box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0))
    table.add_column("")
    for label in scores.labels:
        table.add_column(short(label), justify="right")
    for expected in scores.labels:
        row = scores.confusion[expected]
        if sum(row.values()):
            table.add_row(short(expected), *(str(n) if n else "." for n in row.values()))
    return table


def summary_table(report: SetReport) -> Table:
    """The headline figures of one split."""
    table = Table(title=f"{report.name}: {report.intents.overall.n} utterances", show_header=False)
    card = report.card_data
    rows = (
        ("intent accuracy", pct(report.intents.overall.accuracy)),
        ("promise-date accuracy", f"{pct(report.dates.accuracy)} of {report.dates.n}"),
        ("channel accuracy", f"{pct(report.channels.accuracy)} of {report.channels.n}"),
        ("card data precision", f"{pct(card.precision)} ({card.tp} of {card.tp + card.fp})"),
        ("card data recall", f"{pct(card.recall)} ({card.tp} of {card.tp + card.fn})"),
        ("mean per utterance", ms(report.latency.mean_ms)),
        ("p95 per utterance", ms(report.latency.p95_ms)),
    )
    for name, value in rows:
        table.add_row(name, value)
    return table


def set_tables(report: SetReport) -> Iterable[Table]:
    yield summary_table(report)
    yield tally_table(f"{report.name}: by turn", report.contexts, first="context")
    yield tally_table(f"{report.name}: accuracy per label", report.intents.per_label)
    yield confusion_table(f"{report.name}: confusion", report.intents)


def date_tables(dates: DateReport) -> Iterable[Table]:
    """Per source: the promise-style subset, every day-level case, and those a promise parser
    can get right at all (not today or in the past); then the subset by kind."""
    table = Table(title="shared date corpora")
    for column in ("source", "promise-style", "day-level", "day-level, future only"):
        table.add_column(column, justify="left" if column == "source" else "right")
    reachable = dates.reachable()
    for source in sorted(dates.day_level.keys() | dates.promise.keys()):
        cells = (dates.promise.get(source), dates.day_level.get(source), reachable.get(source))
        table.add_row(source, *(f"{pct(t.accuracy)} of {t.n}" if t else "-" for t in cells))
    n = dates.negative
    table.caption = f"not a date (Duckling negatives): {pct(n.accuracy)} of {n.n} give none"
    yield table
    yield tally_table("promise-style subset by kind", dates.kinds, first="kind")


def intent_tables(name: str, report: IntentCorpusReport) -> Iterable[Table]:
    yield tally_table(f"{name}: accuracy per source label", report.by_source_label)
    yield confusion_table(f"{name}: confusion ({pct(report.scores.overall.accuracy)} "
                          f"of {report.scores.overall.n})", report.scores)  # fmt: skip


def render(console: Console, splits: list[SetReport], shared: SharedReport | None) -> None:
    """Print every table, our splits first."""
    for report in splits:
        for table in set_tables(report):
            console.print(table)
    if shared is None:
        return
    if shared.dates is not None:
        for table in date_tables(shared.dates):
            console.print(table)
    for name, corpus in shared.intents.items():
        for table in intent_tables(name, corpus):
            console.print(table)
    for note in shared.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
