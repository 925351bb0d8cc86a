"""Console people and sessions (recoup.console.auth) against a real, migrated database."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from recoup.console import auth
from recoup.console.auth import (
    MAX_SESSION_AGE,
    ROLES,
    SignedIn,
    UserError,
    add_user,
    authenticate,
    can,
    close_session,
    disable_user,
    hash_password,
    open_session,
    session_user,
    set_password,
    verify_password,
)
from recoup.store.db import Database
from recoup.store.migrate import upgrade
from recoup.store.tables_console import ConsoleSessionRow, UserRow

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


class CountingHasher(PasswordHasher):
    """Argon2 at the lowest cost (tests stay fast), counting verifications."""

    def __init__(self, time_cost: int = 1) -> None:
        super().__init__(time_cost=time_cost, memory_cost=8, parallelism=1)
        self.verifications = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verifications += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    cheap = CountingHasher()
    monkeypatch.setattr(auth, "_hasher", cheap)
    return cheap


@pytest.fixture
def db(sqlite_url: str, hasher: CountingHasher) -> Iterator[Database]:
    upgrade(sqlite_url)
    database = Database(sqlite_url)
    yield database
    database.dispose()


@pytest.fixture
def both_db(db_url: str, hasher: CountingHasher) -> Iterator[Database]:
    """The same, on SQLite and on PostgreSQL."""
    upgrade(db_url)
    database = Database(db_url)
    yield database
    database.dispose()


def make_user(db: Database, email: str = "dana@example.com", role: str = "owner") -> int:
    with db.session() as s:
        return add_user(s, email, role, PASSWORD, NOW, name="Dana Whitfield").id


def user_count(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(UserRow)) or 0


def test_permissions_per_role() -> None:
    allowed = {
        "admin": {"view", "export", "work_queue", "dry_run", "manage_users"},
        "finance": {"view", "export", "work_queue", "dry_run"},
        "owner": {"view", "export", "work_queue"},
        "viewer": {"view", "export"},
    }
    for role in ROLES:
        for action in auth.PERMISSIONS:
            assert can(role, action) is (action in allowed[role]), (role, action)
    assert not can("intruder", "view")
    signed = SignedIn(user_id=1, email="v@example.com", name="", role="viewer", csrf_token="t")
    assert signed.can("export")
    assert not signed.can("work_queue")
    with pytest.raises(ValueError, match="unknown action"):
        can("admin", "work_queeu")


def test_hash_round_trip_and_wrong_password(hasher: CountingHasher) -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "!")
    assert not verify_password("not a hash", PASSWORD)
    assert hash_password(PASSWORD) != stored  # salted


def test_add_user_cleans_and_checks_before_writing(db: Database) -> None:
    with db.session() as s:
        user = add_user(s, "  Dana@Example.COM ", "owner", PASSWORD, NOW, name=" Dana ")
        assert (user.email, user.name, user.role, user.active) == (
            "dana@example.com",
            "Dana",
            "owner",
            True,
        )
        assert user.password_hash != PASSWORD
    bad: list[tuple[dict[str, Any], str]] = [
        ({"role": "superuser"}, "unknown role 'superuser'"),
        ({"email": "not-an-email"}, "not a valid email"),
        ({"email": "a@b"}, "not a valid email"),
        ({"email": "a..b@example.com"}, "not a valid email"),
        ({"email": "a b@example.com"}, "not a valid email"),
        ({"password": "elevenchars"}, "at least 12"),
        ({"email": "DANA@example.com"}, "already exists"),
    ]
    for change, message in bad:
        args = {"email": "new@example.com", "role": "viewer", "password": PASSWORD, **change}
        with pytest.raises(UserError, match=message), db.session() as s:
            add_user(s, args["email"], args["role"], args["password"], NOW)
    assert user_count(db) == 1
    assert issubclass(UserError, ValueError)


def test_authenticate_checks_password_and_records_sign_in(
    both_db: Database, hasher: CountingHasher
) -> None:
    make_user(both_db)
    later = NOW + timedelta(hours=1)
    with both_db.session() as s:
        assert authenticate(s, "dana@example.com", "wrong password!", later) is None
        user = authenticate(s, " DANA@example.com", PASSWORD, later)
        assert user is not None
        assert user.last_login_at == later


def test_unknown_or_inactive_user_costs_one_verification(
    db: Database, hasher: CountingHasher
) -> None:
    """Timing must not tell which emails exist: every refusal runs Argon2 once."""
    make_user(db)
    for email in ("nobody@example.com", "not an email"):
        before = hasher.verifications
        with db.session() as s:
            assert authenticate(s, email, PASSWORD, NOW) is None
        assert hasher.verifications == before + 1
    with db.session() as s:
        disable_user(s, "dana@example.com")
    before = hasher.verifications
    with db.session() as s:
        assert authenticate(s, "dana@example.com", PASSWORD, NOW) is None
    assert hasher.verifications == before + 1


def test_sign_in_rehashes_when_parameters_changed(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(db)
    with db.session() as s:
        old = s.scalars(select(UserRow.password_hash)).one()
    assert ",t=1," in old
    monkeypatch.setattr(auth, "_hasher", CountingHasher(time_cost=2))
    with db.session() as s:
        assert authenticate(s, "dana@example.com", "wrong password!", NOW) is None
        assert s.scalars(select(UserRow.password_hash)).one() == old  # only on success
        assert authenticate(s, "dana@example.com", PASSWORD, NOW) is not None
    with db.session() as s:
        new = s.scalars(select(UserRow.password_hash)).one()
    assert new != old
    assert ",t=2," in new
    assert verify_password(new, PASSWORD)


def test_session_token_is_stored_only_as_its_hash(both_db: Database) -> None:
    user_id = make_user(both_db)
    with both_db.session() as s:
        token, csrf = open_session(s, s.get_one(UserRow, user_id), NOW)
    assert len(token) >= 43
    assert len(csrf) >= 43
    assert token != csrf
    with both_db.session() as s:
        row = s.scalars(select(ConsoleSessionRow)).one()
        stored = [str(getattr(row, c.key)) for c in ConsoleSessionRow.__table__.columns]
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert not any(token in value for value in stored)
        signed = session_user(s, token, NOW + timedelta(minutes=5))
    assert signed == SignedIn(
        user_id=user_id,
        email="dana@example.com",
        name="Dana Whitfield",
        role="owner",
        csrf_token=csrf,
    )
    with both_db.session() as s:
        assert session_user(s, "made-up-token", NOW) is None
        assert session_user(s, "", NOW) is None


def test_session_expires_and_slides_with_use(db: Database) -> None:
    user_id = make_user(db)
    ttl = timedelta(hours=12)
    with db.session() as s:
        token, _ = open_session(s, s.get_one(UserRow, user_id), NOW, ttl)
    # Used just before it would expire: the expiry moves a full window past that use.
    use = NOW + ttl - timedelta(minutes=1)
    with db.session() as s:
        assert session_user(s, token, use) is not None
    with db.session() as s:
        row = s.scalars(select(ConsoleSessionRow)).one()
        assert (row.last_seen_at, row.expires_at) == (use, use + ttl)
        assert session_user(s, token, NOW + ttl + timedelta(hours=1)) is not None
    # Idle for longer than the window: gone, and the row is deleted.
    idle = NOW + ttl + timedelta(hours=1) + ttl + timedelta(seconds=1)
    with db.session() as s:
        assert session_user(s, token, idle) is None
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ConsoleSessionRow)) == 0


def test_busy_session_still_ends_after_max_age(db: Database) -> None:
    user_id = make_user(db)
    with db.session() as s:
        token, _ = open_session(s, s.get_one(UserRow, user_id), NOW)
    at = NOW
    while at < NOW + MAX_SESSION_AGE - timedelta(hours=6):
        at += timedelta(hours=6)
        with db.session() as s:
            assert session_user(s, token, at) is not None, at
    with db.session() as s:
        assert session_user(s, token, NOW + MAX_SESSION_AGE) is None


def test_disabled_user_sessions_stop_working(db: Database) -> None:
    user_id = make_user(db)
    with db.session() as s:
        user = s.get_one(UserRow, user_id)
        first, _ = open_session(s, user, NOW)
        second, _ = open_session(s, user, NOW)
    # A row left behind (say, written by another process in between) is refused too.
    with db.session() as s:
        s.get_one(UserRow, user_id).active = False
    with db.session() as s:
        assert session_user(s, first, NOW) is None
        s.get_one(UserRow, user_id).active = True
    with db.session() as s:
        assert session_user(s, second, NOW) is not None
        disable_user(s, "DANA@example.com")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ConsoleSessionRow)) == 0
        assert session_user(s, second, NOW) is None


def test_close_session_and_set_password(db: Database) -> None:
    user_id = make_user(db)
    with db.session() as s:
        user = s.get_one(UserRow, user_id)
        kept, _ = open_session(s, user, NOW)
        closed, _ = open_session(s, user, NOW)
    with db.session() as s:
        close_session(s, closed)
        assert session_user(s, closed, NOW) is None
        assert session_user(s, kept, NOW) is not None
    with pytest.raises(UserError, match="at least 12"), db.session() as s:
        set_password(s, "dana@example.com", "short")
    with pytest.raises(UserError, match="no user"), db.session() as s:
        set_password(s, "ghost@example.com", "a new long password")
    with db.session() as s:
        set_password(s, "dana@example.com", "a new long password")
    with db.session() as s:
        assert session_user(s, kept, NOW) is None  # a new password signs everyone out
        assert authenticate(s, "dana@example.com", PASSWORD, NOW) is None
        assert authenticate(s, "dana@example.com", "a new long password", NOW) is not None


def test_open_session_sweeps_the_users_expired_sessions(db: Database) -> None:
    user_id = make_user(db)
    with db.session() as s:
        user = s.get_one(UserRow, user_id)
        open_session(s, user, NOW, timedelta(minutes=5))
    with db.session() as s:
        open_session(s, s.get_one(UserRow, user_id), NOW + timedelta(hours=1))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ConsoleSessionRow)) == 1
