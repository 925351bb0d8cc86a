"""Agent commands of the CLI (``understand``, ``eval``), registered on the main Typer app.

``recoup understand`` is the rule engine as a filter: JSON lines in, JSON lines out, in order,
so it can be scripted against transcripts or compared with another model. It stops at the first
bad line (exit 2, the line number on stderr) after writing the answers for every line before it:
stopping keeps the output aligned with the input, and what was already written stays valid.

``recoup eval`` scores the understanding on our labelled sets and on the shared third-party
corpora. Machine-readable output goes to stdout (``--json``); messages go to stderr.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from recoup.agent.dates import warm_up
from recoup.agent.understand import Understanding, understand
from recoup.evaluation.datasets import SPLITS, DatasetError, load_split, parse_now, parse_zone
from recoup.evaluation.labels import intent_label

if TYPE_CHECKING:
    from recoup.evaluation.shared import SharedReport

err = Console(stderr=True)
_SHARED_HELP = (
    "The shared corpora directory (default: ../shared beside the repository or the current "
    "directory; skipped when absent)."
)


class Split(StrEnum):
    DEV = "dev"
    DEV2 = "dev2"
    DEV3 = "dev3"
    DEV4 = "dev4"
    DEV5 = "dev5"
    DEV6 = "dev6"
    DEV7 = "dev7"
    DEV8 = "dev8"
    DEV9 = "dev9"
    DEV10 = "dev10"
    DEV11 = "dev11"
    DEV12 = "dev12"
    DEV13 = "dev13"
    HELDOUT = "heldout"
    HELDOUT2 = "heldout2"
    ALL = "all"


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def parse_request(line: str) -> tuple[str | None, datetime, str | None]:
    """One input line: ``{"text": ..., "now": ISO 8601, "tz": IANA zone (optional)}``.
    ``text`` may be null (silence, as on a call); it may not be missing."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from None
    if not isinstance(row, dict):
        raise ValueError("expected a JSON object")
    if "text" not in row:
        raise ValueError("missing 'text'")
    if row["text"] is not None and not isinstance(row["text"], str):
        raise ValueError("'text' must be a string")
    return row["text"], parse_now(row.get("now")), parse_zone(row.get("tz"))


def understanding_json(u: Understanding) -> dict[str, object]:
    """The public shape of one answer; the intent in the twelve labels others score with."""
    return {
        "intent": intent_label(u.intent),
        "confidence": u.confidence,
        "promise_date": u.promise_date.isoformat() if u.promise_date else None,
        "amount": f"{u.amount:.2f}" if u.amount is not None else None,
        "channel": u.channel,
        "card_data": u.card_data,
        "redacted_text": u.redacted_text,
    }


def understand_command() -> None:
    """Read JSON lines on stdin ({"text", "now", "tz"?}); write one JSON line per input line,
    in order. Blank lines are skipped. A bad line stops the run with exit 2, after the
    answers to the lines before it."""
    warm_up()  # dateparser's first call costs ~200 ms; pay it before the first line
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            text, now, tz = parse_request(line)
        except ValueError as exc:
            raise _fail(f"line {number}: {exc}") from None
        sys.stdout.write(json.dumps(understanding_json(understand(text, now, tz))) + "\n")
        sys.stdout.flush()  # a reader on a pipe gets each answer as soon as it exists


def register(app: typer.Typer) -> None:
    """Add the agent commands to ``app``."""
    app.command("understand")(understand_command)
    app.command("eval")(eval_command)
    from recoup.cli_model import model_app

    app.add_typer(model_app, name="model")


def eval_command(
    split: Annotated[Split, typer.Option(help="Which of our labelled sets to score.")] = Split.DEV,
    shared: Annotated[Path | None, typer.Option(help=_SHARED_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Score understanding: intents, promise dates, card data and speed, on our sets and on
    the shared corpora."""
    from recoup.evaluation.evaluate import score_split
    from recoup.evaluation.report import render

    root, skipped = _shared_root(shared)  # a bad --shared fails before any scoring
    warm_up()  # so the first utterance's time is the engine's, not dateparser's import
    names = list(SPLITS) if split is Split.ALL else [split.value]
    try:
        reports = [score_split(name, load_split(name)) for name in names]
    except DatasetError as exc:
        raise _fail(str(exc)) from None
    shared_report = _score_shared(root) if root else None
    if as_json:
        out: dict[str, object] = {"splits": {r.name: r.as_dict() for r in reports}}
        out["shared"] = shared_report.as_dict() if shared_report else {"skipped": skipped}
        sys.stdout.write(json.dumps(out) + "\n")
    else:
        render(Console(), reports, shared_report)


def _shared_root(explicit: Path | None) -> tuple[Path | None, str | None]:
    """Where the shared corpora are, or why they are skipped. A directory named on the
    command line must exist (a typo should not pass for "skipped"); the default may not."""
    from recoup.evaluation.shared import default_shared

    if explicit is not None and not explicit.is_dir():
        raise _fail(f"--shared {explicit}: not a directory")
    root = explicit or default_shared()
    if root is None:
        message = "../shared not found beside the repository or the current directory; skipped"
        err.print(f"[yellow]note:[/] {message}", highlight=False, soft_wrap=True)
        return None, message
    return root, None


def _score_shared(root: Path) -> SharedReport:
    """Score the corpora; a file in an unexpected shape is an error naming the directory."""
    from recoup.evaluation.shared import score_shared

    try:
        return score_shared(root)
    except (ValueError, KeyError, TypeError) as exc:
        raise _fail(f"shared corpora under {root}: {exc!r}") from None
