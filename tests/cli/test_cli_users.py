"""``recoup users``: add, list, disable, set-password, on a fresh SQLite file each time.

The commands run through a small Typer app of the test's own, so these tests do not depend on
how the main ``recoup`` app registers them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from argon2 import PasswordHasher
from click.testing import Result
from sqlalchemy import func, select
from typer.testing import CliRunner

from recoup.cli_users import users_app
from recoup.console import auth
from recoup.console.security import wall_now
from recoup.store.db import Database
from recoup.store.tables_console import ConsoleSessionRow, UserRow

PASSWORD = "correct horse battery"

app = typer.Typer()
app.add_typer(users_app, name="users")


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "users.sqlite"


def users(db_file: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(
        app, ["users", *args, "--database", f"sqlite:///{db_file}"], input=stdin
    )


def rows(db_file: Path) -> list[UserRow]:
    db = Database(f"sqlite:///{db_file}")
    try:
        with db.session() as s:
            return list(s.scalars(select(UserRow).order_by(UserRow.email)))
    finally:
        db.dispose()


def one_line_error(result: Result, text: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:")
    assert text in lines[0]


def test_add_on_a_fresh_database_then_list(db_file: Path) -> None:
    added = users(
        db_file,
        "add",
        "Dana@Example.com",
        "--role",
        "owner",
        "--name",
        "Dana Whitfield",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    assert "added dana@example.com (owner)" in added.stderr
    prompted = users(
        db_file, "add", "ops@example.com", "--role", "admin", stdin=f"{PASSWORD}x\n{PASSWORD}x\n"
    )
    assert prompted.exit_code == 0, prompted.output
    assert PASSWORD not in prompted.output  # hidden input is not echoed
    (dana, ops) = sorted(rows(db_file), key=lambda u: u.email)
    assert (dana.email, dana.name, dana.role, dana.active) == (
        "dana@example.com",
        "Dana Whitfield",
        "owner",
        True,
    )
    assert auth.verify_password(dana.password_hash, PASSWORD)
    assert auth.verify_password(ops.password_hash, PASSWORD + "x")

    listed = users(db_file, "list")
    assert listed.exit_code == 0, listed.output
    for text in ("dana@example.com", "Dana Whitfield", "owner", "ops@example.com", "admin"):
        assert text in listed.stdout
    assert "never" in listed.stdout
    assert "$argon2" not in listed.output
    assert dana.password_hash not in listed.output


def test_list_shows_the_last_sign_in(db_file: Path) -> None:
    users(
        db_file,
        "add",
        "fin@example.com",
        "--role",
        "finance",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    db = Database(f"sqlite:///{db_file}")
    with db.session() as s:
        assert auth.authenticate(s, "fin@example.com", PASSWORD, wall_now()) is not None
    db.dispose()
    listed = users(db_file, "list")
    assert wall_now().strftime("%Y-%m-%d") in listed.stdout
    assert "never" not in listed.stdout


def test_list_on_an_empty_database(db_file: Path) -> None:
    listed = users(db_file, "list")
    assert listed.exit_code == 0
    assert "no users yet" in listed.stderr


def test_bad_role_is_one_line_and_changes_nothing(db_file: Path) -> None:
    result = users(
        db_file,
        "add",
        "dana@example.com",
        "--role",
        "superuser",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    one_line_error(result, "unknown role 'superuser'; choose one of: admin, finance, owner")
    assert not db_file.exists()  # refused before the database was even opened
    result = users(
        db_file,
        "add",
        "not-an-email",
        "--role",
        "viewer",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    one_line_error(result, "not a valid email address")
    assert not db_file.exists()


def test_short_password_and_duplicate_email(db_file: Path) -> None:
    short = users(
        db_file,
        "add",
        "dana@example.com",
        "--role",
        "owner",
        "--password-stdin",
        stdin="too short\n",
    )
    one_line_error(short, "password too short: at least 12 characters")
    assert rows(db_file) == []
    users(
        db_file,
        "add",
        "dana@example.com",
        "--role",
        "owner",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    again = users(
        db_file,
        "add",
        "DANA@example.com",
        "--role",
        "admin",
        "--password-stdin",
        stdin="another long password\n",
    )
    one_line_error(again, "a user with email 'dana@example.com' already exists")
    (dana,) = rows(db_file)
    assert dana.role == "owner"
    assert auth.verify_password(dana.password_hash, PASSWORD)


def test_disable_ends_sign_in_and_sessions(db_file: Path) -> None:
    users(
        db_file,
        "add",
        "dana@example.com",
        "--role",
        "owner",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    db = Database(f"sqlite:///{db_file}")
    with db.session() as s:
        user = auth.authenticate(s, "dana@example.com", PASSWORD, wall_now())
        assert user is not None
        token, _ = auth.open_session(s, user, wall_now())
    disabled = users(db_file, "disable", "Dana@example.com")
    assert disabled.exit_code == 0, disabled.output
    with db.session() as s:
        assert auth.session_user(s, token, wall_now()) is None
        assert s.scalar(select(func.count()).select_from(ConsoleSessionRow)) == 0
        assert auth.authenticate(s, "dana@example.com", PASSWORD, wall_now()) is None
    db.dispose()
    (dana,) = rows(db_file)
    assert not dana.active
    assert "no" in users(db_file, "list").stdout
    one_line_error(users(db_file, "disable", "ghost@example.com"), "no user with email")


def test_set_password(db_file: Path) -> None:
    users(
        db_file,
        "add",
        "dana@example.com",
        "--role",
        "owner",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    changed = users(
        db_file,
        "set-password",
        "dana@example.com",
        "--password-stdin",
        stdin="a brand new passphrase\n",
    )
    assert changed.exit_code == 0, changed.output
    (dana,) = rows(db_file)
    assert auth.verify_password(dana.password_hash, "a brand new passphrase")
    assert not auth.verify_password(dana.password_hash, PASSWORD)
    prompted = users(
        db_file,
        "set-password",
        "dana@example.com",
        stdin="prompted passphrase\nprompted passphrase\n",
    )
    assert prompted.exit_code == 0, prompted.output
    (dana,) = rows(db_file)
    assert auth.verify_password(dana.password_hash, "prompted passphrase")
    short = users(db_file, "set-password", "dana@example.com", "--password-stdin", stdin="short\n")
    one_line_error(short, "password too short")
    (dana,) = rows(db_file)
    assert auth.verify_password(dana.password_hash, "prompted passphrase")
    unknown = users(
        db_file,
        "set-password",
        "ghost@example.com",
        "--password-stdin",
        stdin="a brand new passphrase\n",
    )
    one_line_error(unknown, "no user with email 'ghost@example.com'")
