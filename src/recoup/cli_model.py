"""``recoup model``: rebuild the shipped intent model and measure it on sets it never saw.

``train`` writes ``src/recoup/agent/learned/intent_model.json.gz`` by default (run it from a
source checkout after changing a dev set; a test fails until the file matches the data).
``crossval`` trains once per dev set with that set left out and prints the accuracy of the
rules, the model and their mix on it, with a progress bar: each fold takes tens of seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from recoup.agent.learned.model import MODEL_FILE, TrainingConfig
from recoup.agent.learned.training import TRAINING_SPLITS, build, cross_validate
from recoup.evaluation.datasets import DatasetError

model_app = typer.Typer(help="The learned intent model: train it, cross-validate it.",
                        no_args_is_help=True)  # fmt: skip
out = Console()
_DEFAULT_OUT = Path(__file__).parent / "agent" / "learned" / MODEL_FILE


def _splits(value: str) -> list[str]:
    names = [s.strip() for s in value.split(",") if s.strip()]
    if not names:
        raise typer.BadParameter("name at least one split")
    return names


SplitsOption = Annotated[
    str, typer.Option(help="Comma-separated dev sets to learn from (never heldout).")
]


@model_app.command("train")
def train_command(
    splits: SplitsOption = ",".join(TRAINING_SPLITS),
    output: Annotated[Path, typer.Option("--out", help="Where to write the model.")] = _DEFAULT_OUT,
    epochs: Annotated[int, typer.Option(min=1)] = TrainingConfig.epochs,
    temperature: Annotated[float, typer.Option(min=0.05)] = TrainingConfig.temperature,
) -> None:
    """Train the intent model on our dev sets and write it."""
    try:
        with out.status("training..."):
            model = build(output, _splits(splits), TrainingConfig(epochs=epochs,
                                                                  temperature=temperature))
    except (DatasetError, ValueError) as exc:
        out.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=2) from None
    out.print(f"wrote {output} ({output.stat().st_size // 1024} KiB, {len(model.weights)} terms,"
              f" fingerprint {model.fingerprint})")  # fmt: skip


@model_app.command("crossval")
def crossval_command(
    splits: SplitsOption = ",".join(TRAINING_SPLITS),
    epochs: Annotated[int, typer.Option(min=1)] = TrainingConfig.epochs,
) -> None:
    """Leave each dev set out in turn: rules, model and mix, on replies the model never saw."""
    names = _splits(splits)
    try:
        with Progress(console=out, transient=True) as bar:
            task = bar.add_task("folds", total=len(names))
            folds, temperature = cross_validate(
                names, TrainingConfig(epochs=epochs),
                progress=lambda name: bar.update(task, advance=1, description=f"without {name}"),
            )  # fmt: skip
    except (DatasetError, ValueError) as exc:
        out.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=2) from None
    floors = sorted(folds[0].mixed) if folds else []
    table = Table(title="accuracy on the set left out (ask_resolution)")
    for column in ("left out", "n", "rules", "model", *(f"mix, floor {t}" for t in floors)):
        table.add_column(column, justify="right")
    for f in folds:
        table.add_row(f.held_out, str(f.n), f"{f.rules:.1%}", f"{f.model:.1%}",
                      *(f"{f.mixed[t]:.1%}" for t in floors))  # fmt: skip
    out.print(table)
    out.print(f"best temperature over all folds: {temperature} (TrainingConfig.temperature)")
