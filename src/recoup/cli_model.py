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

from recoup.agent.learned.model import CARD_MODEL, TrainingConfig, model_file
from recoup.agent.learned.training import (
    MODEL_LABELS,
    TRAINING_SPLITS,
    CardFold,
    build,
    cross_validate,
    cross_validate_card,
)
from recoup.evaluation.datasets import DatasetError

model_app = typer.Typer(help="The learned intent model: train it, cross-validate it.",
                        no_args_is_help=True)  # fmt: skip
out = Console()
_PACKAGE_DIR = Path(__file__).parent / "agent" / "learned"
ContextOption = Annotated[
    str | None,
    typer.Option(help=f"One model ({', '.join(MODEL_LABELS)}); default: all."),
]


def _contexts(value: str | None) -> list[str]:
    if value is None:
        return list(MODEL_LABELS)
    if value not in MODEL_LABELS:
        raise typer.BadParameter(f"unknown model {value!r}; choose from {', '.join(MODEL_LABELS)}")
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
        str, typer.Option(help=f"The model ({', '.join(MODEL_LABELS)}).")
    ] = "ask_resolution",
    epochs: Annotated[int, typer.Option(min=1)] = TrainingConfig.epochs,
) -> None:
    """Leave each dev set out in turn: rules, model and mix, on replies the model never saw."""
    names = _splits(splits)
    _contexts(context)
    try:
        with Progress(console=out, transient=True) as bar:
            task = bar.add_task("folds", total=len(names))

            def advance(name: str) -> None:
                bar.update(task, advance=1, description=f"without {name}")

            config = TrainingConfig(epochs=epochs)
            if context == CARD_MODEL:
                card_folds = cross_validate_card(names, config, progress=advance)
            else:
                folds, temperature = cross_validate(names, config, progress=advance,
                                                    context=context)  # fmt: skip
    except (DatasetError, ValueError) as exc:
        out.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=2) from None
    if context == CARD_MODEL:
        out.print(_card_table(card_folds))
        return
    floors = sorted(folds[0].mixed) if folds else []
    table = Table(title=f"accuracy on the set left out ({context})")
    for column in ("left out", "n", "rules", "model", *(f"mix, floor {t}" for t in floors)):
        table.add_column(column, justify="right")
    for f in folds:
        table.add_row(f.held_out, str(f.n), f"{f.rules:.1%}", f"{f.model:.1%}",
                      *(f"{f.mixed[t]:.1%}" for t in floors))  # fmt: skip
    out.print(table)
    out.print(f"best temperature over all folds: {temperature} (TrainingConfig.temperature)")


def _card_table(folds: list[CardFold]) -> Table:
    """Precision and recall of card data per set left out, and over all of them."""
    table = Table(title="card data on the set left out: rules, then rules with the card model")
    for column in ("left out", "n", "rules P", "rules R", "mix P", "mix R"):
        table.add_column(column, justify="right")

    def pr(c: tuple[int, int, int]) -> tuple[str, str]:
        tp, fp, fn = c
        return f"{tp / max(1, tp + fp):.1%}", f"{tp / max(1, tp + fn):.1%}"

    total = CardFold("all", sum(f.n for f in folds),
                     tuple(map(sum, zip(*(f.rules for f in folds), strict=True))),  # type: ignore[arg-type]
                     tuple(map(sum, zip(*(f.mixed for f in folds), strict=True))))  # type: ignore[arg-type]  # fmt: skip
    for f in [*folds, total]:
        table.add_row(f.held_out, str(f.n), *pr(f.rules), *pr(f.mixed))
    return table
