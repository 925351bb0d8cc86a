"""``recoup users``: who may sign in to the console.

Every command brings the schema up to date first, so ``recoup users add`` is the first thing
an operator can run on a fresh database. Passwords come from a hidden prompt (typed twice) or,
for scripts, one line on stdin with ``--password-stdin``; never from an argument, where they
would land in shell history and ``ps``. A mistake (bad role or email, short password,
duplicate or unknown email) prints one line and exits 2 having changed nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from recoup.console import auth
from recoup.store.db import Database

users_app = typer.Typer(
    help="Console users: add, list, disable, set passwords.", no_args_is_help=True
)
err = Console(stderr=True)

DatabaseOpt = Annotated[str | None, typer.Option(help="Database URL (default: settings).")]
PasswordStdinOpt = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from one line of stdin.")
]


def _fail(exc: Exception) -> typer.Exit:
    from recoup.cli import _fail

    return _fail(exc)


@contextmanager
def _database(database: str | None) -> Iterator[Database]:
    """Imported when a command runs: ``recoup.cli`` registers this module."""
    from recoup.cli import migrated_database

    with migrated_database(database) as db:
        yield db


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users_app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="Sign-in email (stored lower-cased).")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(auth.ROLES)}.")],
    name: Annotated[
        str, typer.Option(help="Display name; an owner's must match cases' owner name.")
    ] = "",
    password_stdin: PasswordStdinOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """Add an active user. The role and email are checked before the password is asked."""
    try:
        cleaned = auth.normalise_email(email)
        auth.check_role(role)
    except auth.UserError as exc:
        raise _fail(exc) from None
    with _database(database) as db:
        with db.session() as session:
            exists = auth.find_user(session, cleaned) is not None
        if exists:
            raise _fail(auth.UserError(f"a user with email {cleaned!r} already exists"))
        password = _read_password(password_stdin)
        try:
            with db.session() as session:
                auth.add_user(session, cleaned, role, password, datetime.now(UTC), name=name)
        except auth.UserError as exc:
            raise _fail(exc) from None
    err.print(f"added {cleaned} ({role})", highlight=False)


@users_app.command("list")
def list_users(database: DatabaseOpt = None) -> None:
    """Everyone who may sign in (or could, before being disabled). Hashes are never shown."""
    with _database(database) as db, db.session() as session:
        rows = [
            (u.email, u.name, u.role, "yes" if u.active else "no", _when(u.last_login_at))
            for u in auth.list_users(session)
        ]
    if not rows:
        err.print("no users yet: add one with `recoup users add EMAIL --role admin`")
        return
    table = Table(title="Console users")
    for column in ("email", "name", "role", "active", "last sign-in"):
        table.add_column(column, overflow="fold")  # wrap, never cut, a long email
    for row in rows:
        table.add_row(*row)
    Console().print(table)


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at is not None else "never"


@users_app.command("disable")
def disable(
    email: Annotated[str, typer.Argument(help="The user's email.")],
    database: DatabaseOpt = None,
) -> None:
    """Stop a user signing in; their open sessions end at once."""
    try:
        with _database(database) as db, db.session() as session:
            user = auth.disable_user(session, email)
            cleaned = user.email
    except auth.UserError as exc:
        raise _fail(exc) from None
    err.print(f"disabled {cleaned}; their sessions are ended", highlight=False)


@users_app.command("set-password")
def set_password(
    email: Annotated[str, typer.Argument(help="The user's email.")],
    password_stdin: PasswordStdinOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """Give a user a new password; their open sessions end."""
    with _database(database) as db:
        with db.session() as session:
            known = auth.find_user(session, email) is not None
        if not known:
            raise _fail(auth.UserError(f"no user with email {email.strip().lower()!r}"))
        password = _read_password(password_stdin)
        try:
            with db.session() as session:
                cleaned = auth.set_password(session, email, password).email
        except auth.UserError as exc:
            raise _fail(exc) from None
    err.print(f"password changed for {cleaned}; their sessions are ended", highlight=False)
