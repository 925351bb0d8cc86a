"""The ``recoup`` command: demo, simulate, serve, worker, ingest, db, playbook, doctor, users,
baseline.

Machine-readable output goes to stdout (``--json``); progress bars and human messages go to
stderr, so ``recoup demo --json | jq`` works. Errors of the user's making (a bad file, a typo in
a setting) print one clear line and exit 2, with no traceback.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic_settings import SettingsError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from recoup import logs
from recoup.domain.errors import ConfigError, RecoupError
from recoup.settings import Settings, load_settings

if TYPE_CHECKING:
    from recoup.store.db import Database

app = typer.Typer(
    help="Recover failed payments with polite, AI-led phone calls.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
playbook_app = typer.Typer(help="Launch rules.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(playbook_app, name="playbook")
err = Console(stderr=True)

#: Simulated seconds per real second in the demo: two days a second.
DEMO_CLOCK_SPEED = 172_800.0


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@contextmanager
def migrated_database(database: str | None) -> Iterator[Database]:
    """The application database from settings (or ``--database``), brought to the newest
    schema first, so ``recoup users add`` or ``baseline import`` can be the first command on
    a fresh machine; a bad URL or an unreachable server is one line and exit 2."""
    from sqlalchemy.exc import SQLAlchemyError

    from recoup.store.db import Database
    from recoup.store.migrate import upgrade

    settings = _settings(quiet=True, database_url=database)
    try:
        upgrade(settings.database_url)
    except SQLAlchemyError as exc:
        raise _fail(RecoupError(f"cannot open the database: {exc}")) from None
    db = Database(settings.database_url)
    try:
        yield db
    finally:
        db.dispose()


def _settings(quiet: bool = False, **overrides: Any) -> Settings:
    try:
        settings = load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except RecoupError as exc:
        raise _fail(exc) from None
    logs.configure("WARNING" if quiet else settings.log_level)
    return settings


def _print_summary(summary: dict[str, Any]) -> None:
    table = Table(title="Recoup demo: success metrics", show_header=False)
    for key, value in summary.items():
        table.add_row(key, json.dumps(value) if isinstance(value, dict) else str(value))
    Console().print(table)


@app.command()
def demo(
    cases: Annotated[int, typer.Option(min=1, max=2000, help="How many failed payments.")] = 40,
    seed: Annotated[int, typer.Option(help="Seed of the simulated customers.")] = 7,
    database: Annotated[str | None, typer.Option(help="Database URL (default: settings).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Run a seeded batch of failed payments through the real durable workflow."""
    from recoup import demo as demo_mod
    from recoup import wiring

    settings = _settings(quiet=True, database_url=database)
    if settings.clock_speed == 1.0 and settings.clock_origin is None:
        settings = settings.model_copy(update={"clock_speed": DEMO_CLOCK_SPEED})
    try:
        started = wiring.start(settings)
    except RecoupError as exc:
        raise _fail(exc) from None
    try:
        with Progress(
            TextColumn("cases closed"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=as_json,
        ) as bar:
            task = bar.add_task("cases", total=cases)
            summary = demo_mod.run(
                started, cases, seed, lambda p: bar.update(task, completed=p.closed)
            )
    finally:
        wiring.stop(started)
    if as_json:
        sys.stdout.write(json.dumps(summary) + "\n")
    else:
        _print_summary(summary)


@app.command()
def simulate(
    personas: Annotated[list[Path], typer.Argument(help="Persona JSON files.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines (the default).")] = True,
) -> None:
    """One simulated call per persona file; one disposition per line, in order."""
    from recoup.simulate import simulate_file

    for path in personas:
        try:
            disposition = simulate_file(path)
        except RecoupError as exc:
            raise _fail(exc) from None
        sys.stdout.write(json.dumps(disposition.model_dump(mode="json")) + "\n")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """The API (webhooks, links, JSON API) with an in-process worker."""
    import uvicorn

    from recoup import wiring
    from recoup.api.app import create_app

    settings = _settings()
    try:
        started = wiring.start(settings)
    except RecoupError as exc:
        raise _fail(exc) from None
    try:
        uvicorn.run(create_app(settings, started.runtime), host=host, port=port, log_level="info")
    finally:
        wiring.stop(started)


@app.command()
def worker() -> None:
    """A worker process: runs and recovers case workflows until stopped (SIGTERM or Ctrl-C)."""
    from recoup import wiring

    settings = _settings()
    try:
        started = wiring.start(settings)
    except RecoupError as exc:
        raise _fail(exc) from None
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    err.print(f"worker {settings.executor_id} running", highlight=False)
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        wiring.stop(started)


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="JSON lines of billing events (docs/ingest.md).")],
) -> None:
    """Record events from another billing system; the whole file is checked first."""
    from recoup import wiring
    from recoup.ingest_file import read_events
    from recoup.workflows.ingest import ingest as ingest_one

    settings = _settings()
    try:
        events = read_events(file)
        started = wiring.start(settings)
    except RecoupError as exc:
        raise _fail(exc) from None
    counts: dict[str, int] = {}
    try:
        rt = started.runtime
        with Progress(console=err) as bar:
            for trigger in bar.track(events, description="ingesting"):
                status = ingest_one(rt, trigger).status
                counts[status] = counts.get(status, 0) + 1
    finally:
        wiring.stop(started)
    sys.stdout.write(json.dumps({"events": len(events), **counts}) + "\n")


@db_app.command("upgrade")
def db_upgrade(
    database: Annotated[str | None, typer.Option(help="Database URL (default: settings).")] = None,
) -> None:
    """Create or migrate the application schema."""
    from recoup.store.migrate import upgrade

    settings = _settings(database_url=database)
    upgrade(settings.database_url)
    err.print("database is up to date")


@playbook_app.command("check")
def playbook_check(file: Annotated[Path, typer.Argument(help="Playbook YAML file.")]) -> None:
    """Validate a playbook; errors name the key and the line."""
    from recoup.playbook import load_playbook

    try:
        playbook = load_playbook(file)
    except RecoupError as exc:
        raise _fail(exc) from None
    err.print(
        f"{file}: ok ({len(playbook.triggers)} triggers, "
        f"review first {playbook.review_first_runs} runs)",
        highlight=False,
    )


@app.command()
def doctor(
    no_probe: Annotated[
        bool, typer.Option("--no-probe", help="Read the settings only; contact nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Check the settings and reach every enabled integration; exit 1 if any needs work."""
    from recoup import doctor as checkup

    try:
        settings = load_settings()
    except (ConfigError, SettingsError) as exc:  # rows naming the keys, not an exit-2 error
        checks = checkup.settings_failure(exc)
    else:
        logs.configure("WARNING")
        checks = checkup.run_checks(settings, probe=not no_probe)
    checkup.show(checks, as_json)
    raise typer.Exit(checkup.exit_code(checks))


def _register_agent_commands() -> None:
    from recoup import cli_agent
    from recoup.cli_baseline import baseline_app
    from recoup.cli_users import users_app

    cli_agent.register(app)
    app.add_typer(users_app, name="users")
    app.add_typer(baseline_app, name="baseline")


_register_agent_commands()


def main() -> None:
    """Entry point for ``python -m recoup``."""
    app()
