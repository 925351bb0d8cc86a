"""``recoup baseline import FILE.csv`` and ``recoup baseline show``: the pre-launch baseline.

The cohort view compares Recoup's first runs and steady state with what happened to failed
invoices before it (docs/baseline.md). ``import`` checks the whole file first and changes
nothing when any row is wrong, printing the first problems with their line and column;
``show`` prints the baseline's figures, as the dashboard's cohort view will show them.

The main app registers this as ``app.add_typer(baseline_app, name="baseline")``; the settings
and error helpers are imported from :mod:`recoup.cli` when a command runs, not at import time,
because ``recoup.cli`` imports this module.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from recoup.domain.errors import RecoupError

if TYPE_CHECKING:
    from recoup.store.baseline import BaselineFileError

baseline_app = typer.Typer(
    help="The pre-launch baseline: failed invoices from before Recoup (docs/baseline.md).",
    no_args_is_help=True,
)
err = Console(stderr=True)
#: How many of a bad file's problems ``import`` prints; the rest are counted.
SHOWN_ERRORS = 20
#: Messages printed as written: no highlighting, no wrapping inside a line to fix.
_PLAIN: dict[str, Any] = {"highlight": False, "soft_wrap": True}

_Database = Annotated[str | None, typer.Option(help="Database URL (default: settings).")]
_Json = Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")]


@baseline_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV of failed invoices (docs/baseline.md).")],
    database: _Database = None,
    as_json: _Json = False,
) -> None:
    """Import failed invoices from before launch; a file with any error changes nothing."""
    from recoup.cli import _fail, migrated_database
    from recoup.store.baseline import BaselineFileError, import_csv

    try:
        with migrated_database(database) as db, db.session() as session:
            report = import_csv(session, file, datetime.now(UTC))
    except BaselineFileError as exc:
        _print_problems(exc)
        raise typer.Exit(code=2) from None
    except RecoupError as exc:  # e.g. the file cannot be read: one line, exit 2 as elsewhere
        raise _fail(exc) from None
    if as_json:
        sys.stdout.write(json.dumps(report.as_dict()) + "\n")
        return
    Console().print(
        f"{report.file}: {report.rows} invoices: {report.inserted} new, {report.updated} "
        f"updated, {report.unchanged} unchanged (batch {report.batch})",
        **_PLAIN,
    )
    if len(report.currencies) > 1:
        err.print(
            f"[yellow]warning:[/] several currencies ({', '.join(report.currencies)}): the "
            "baseline's amounts add them up as they are",
            **_PLAIN,
        )


def _print_problems(exc: BaselineFileError) -> None:
    for problem in exc.errors[:SHOWN_ERRORS]:
        err.print(f"[bold red]error:[/] {exc.path.name}: {problem}", **_PLAIN)
    hidden = exc.total - min(len(exc.errors), SHOWN_ERRORS)
    if hidden > 0:
        err.print(f"... and {hidden} more problem(s)", **_PLAIN)
    err.print("nothing was imported: fix the file and run the command again", **_PLAIN)


@baseline_app.command("show")
def show(
    segment: Annotated[str | None, typer.Option(help="Only this segment.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this account owner.")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    database: _Database = None,
    as_json: _Json = False,
) -> None:
    """The baseline's figures, as the dashboard's cohort view shows them."""
    from recoup.cli import migrated_database
    from recoup.store.baseline import summary

    with migrated_database(database) as db, db.session() as session:
        figures = summary(session, datetime.now(UTC), segment, owner, source)
    if as_json:
        sys.stdout.write(json.dumps(figures) + "\n")
        return
    table = Table(title="Baseline: failed invoices before Recoup", show_header=False)
    for key, value in figures.items():
        table.add_row(key, "n/a" if value is None else str(value))
    Console().print(table)
    if figures["cases"] == 0:
        err.print("no baseline yet: run `recoup baseline import FILE.csv`", **_PLAIN)
