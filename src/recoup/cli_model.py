"""``recoup model``: rebuild the shipped intent model and measure it on sets it never saw.

``train`` writes one model per turn into ``src/recoup/agent/learned/`` by default (run it from
a source checkout after changing a dev set; a test fails until the files match the data).
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

from recoup.agent.learned.model import TrainingConfig, model_file
from recoup.agent.learned.training import CONTEXT_LABELS, TRAINING_SPLITS, build, cross_validate
from recoup.evaluation.datasets import DatasetError

model_app = typer.Typer(help="The learned intent model: train it, cross-validate it.",
                        no_args_is_help=True)  # fmt: skip
out = Console()
_PACKAGE_DIR = Path(__file__).parent / "agent" / "learned"
ContextOption = Annotated[
    str | None, typer.Option(help=f"One turn ({', '.join(CONTEXT_LABELS)}); default: all.")
]


def _contexts(value: str | None) -> list[str]:
    if value is None:
        return list(CONTEXT_LABELS)
    if value not in CONTEXT_LABELS:
        raise typer.BadParameter(f"unknown turn {value!r}; choose from {', '.join(CONTEXT_LABELS)}")
    return [value]


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
    context: ContextOption = None,
    out_dir: Annotated[
        Path, typer.Option("--out-dir", help="Where to write the model files.")
    ] = _PACKAGE_DIR,
    epochs: Annotated[int, typer.Option(min=1)] = TrainingConfig.epochs,
    temperature: Annotated[float, typer.Option(min=0.05)] = TrainingConfig.temperature,
) -> None:
    """Train each turn's intent model on our dev sets and write it."""
    config = TrainingConfig(epochs=epochs, temperature=temperature)
    for name in _contexts(context):
        target = out_dir / model_file(name)
        try:
            with out.status(f"training the {name} model..."):
                model = build(target, _splits(splits), config, name)
        except (DatasetError, ValueError) as exc:
            out.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(code=2) from None
        out.print(f"wrote {target} ({target.stat().st_size // 1024} KiB, {len(model.weights)} "
                  f"terms, fingerprint {model.fingerprint})")  # fmt: skip


@model_app.command("crossval")
def crossval_command(
    splits: SplitsOption = ",".join(TRAINING_SPLITS),
    context: Annotated[
        str, typer.Option(help=f"The turn ({', '.join(CONTEXT_LABELS)}).")
    ] = "ask_resolution",
    epochs: Annotated[int, typer.Option(min=1)] = TrainingConfig.epochs,
) -> None:
    """Leave each dev set out in turn: rules, model and mix, on replies the model never saw."""
    names = _splits(splits)
    _contexts(context)
    try:
        with Progress(console=out, transient=True) as bar:
            task = bar.add_task("folds", total=len(names))
            folds, temperature = cross_validate(
                names, TrainingConfig(epochs=epochs),
                progress=lambda name: bar.update(task, advance=1, description=f"without {name}"),
                context=context,
            )  # fmt: skip
    except (DatasetError, ValueError) as exc:
        out.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=2) from None
    floors = sorted(folds[0].mixed) if folds else []
    table = Table(title=f"accuracy on the set left out ({context})")
    for column in ("left out", "n", "rules", "model", *(f"mix, floor {t}" for t in floors)):
        table.add_column(column, justify="right")
    for f in folds:
        table.add_row(f.held_out, str(f.n), f"{f.rules:.1%}", f"{f.model:.1%}",
                      *(f"{f.mixed[t]:.1%}" for t in floors))  # fmt: skip
    out.print(table)
    out.print(f"best temperature over all folds: {temperature} (TrainingConfig.temperature)")
