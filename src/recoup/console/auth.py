"""Console people: roles, password hashes, and server-side sessions.

Passwords are hashed with Argon2id (argon2-cffi's ``PasswordHasher``, its recommended
parameters); a hash made under older parameters is replaced at the next successful sign-in, so
raising the cost later needs no migration. A session is a random cookie token whose SHA-256 is
the only thing stored, so a copy of the database (a backup, a replica) signs nobody in; each
session carries its own CSRF token for forms.

Every function takes ``now`` rather than reading a clock, and a SQLAlchemy session rather than
opening one: the caller decides the time (see :mod:`recoup.console.security` for which) and the
transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from recoup.domain.errors import InputError
from recoup.store.tables_console import ConsoleSessionRow, UserRow

ROLES = ("admin", "finance", "owner", "viewer")

#: Who may do what. Deny by default: a role missing from a set may not.
PERMISSIONS: dict[str, frozenset[str]] = {
    "view": frozenset(ROLES),
    "export": frozenset(ROLES),
    "work_queue": frozenset({"admin", "finance", "owner"}),
    "dry_run": frozenset({"admin", "finance"}),
    "manage_users": frozenset({"admin"}),
}

MIN_PASSWORD = 12
#: Argon2 hashes any length, but hashing a megabyte on every attempt is a cheap way to burn
#: the server's CPU; nobody types more than this.
MAX_PASSWORD = 1024
DEFAULT_TTL = timedelta(hours=12)
#: However busy a session is, it ends this long after sign-in: a stolen cookie dies too.
MAX_SESSION_AGE = timedelta(days=7)
#: A session's ``last_seen_at`` (and sliding expiry) is written at most this often, so a burst
#: of page loads is not a burst of writes.
TOUCH_EVERY = timedelta(minutes=1)

_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}"  # local part: the unquoted characters of RFC 5322
    r"@(?=.{1,253}$)"
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"  # a dotted host name
)

_hasher = PasswordHasher()
_dummy: tuple[PasswordHasher, str] | None = None


class UserError(InputError, ValueError):
    """A user cannot be added or changed as asked (bad role, email or password, duplicate,
    unknown email). The message is one line meant for the person at the keyboard; nothing was
    changed."""


@dataclass(frozen=True)
class SignedIn:
    """The person behind a request, as the pages need them: no hash, no ORM row."""

    user_id: int
    email: str
    name: str
    role: str
    csrf_token: str

    def can(self, action: str) -> bool:
        return can(self.role, action)


def can(role: str, action: str) -> bool:
    """Whether ``role`` may perform ``action``. An unknown action is a programming error and
    raises, so a typo neither silently allows nor silently denies."""
    if action not in PERMISSIONS:
        raise ValueError(f"unknown action {action!r}; known: {', '.join(PERMISSIONS)}")
    return role in PERMISSIONS[action]


# --- passwords -------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An Argon2id hash (salt and parameters included) of ``password``."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; a malformed hash is simply no match."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _dummy_verify(password: str) -> None:
    """Spend the time a real check would, so a response's timing does not tell whether an
    email belongs to an active user. The dummy hash follows the current hasher's parameters."""
    global _dummy
    if _dummy is None or _dummy[0] is not _hasher:
        _dummy = (_hasher, _hasher.hash(secrets.token_urlsafe(16)))
    verify_password(_dummy[1], password)


def check_password(password: str) -> None:
    """Refuse passwords too short to resist guessing (or absurdly long)."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password too short: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"password too long: at most {MAX_PASSWORD} characters")


# --- users -----------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    """``email`` trimmed and lower-cased, or UserError when it does not look like an address.

    A sanity check against typos, not proof of deliverability: admins type these by hand and
    nothing is ever mailed to them, so a regular expression over the common unquoted form is
    enough. ``email-validator`` (what pydantic's ``EmailStr`` wants) would add a dependency
    and internationalised-domain rules we have no use for. Lower-casing makes sign-in
    case-insensitive and the unique constraint catch ``Dana@`` beside ``dana@``.
    """
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or ".." in cleaned:
        raise UserError(f"not a valid email address: {email.strip()!r}")
    return cleaned


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of: {', '.join(ROLES)}")
    return role


def find_user(session: Session, email: str) -> UserRow | None:
    """The user with this email (any case), or None; None too for a malformed email."""
    try:
        cleaned = normalise_email(email)
    except UserError:
        return None
    return session.scalar(select(UserRow).where(UserRow.email == cleaned))


def get_user(session: Session, email: str) -> UserRow:
    """The user with this email, or UserError naming it."""
    user = find_user(session, email)
    if user is None:
        raise UserError(f"no user with email {email.strip().lower()!r}")
    return user


def add_user(
    session: Session, email: str, role: str, password: str, now: datetime, name: str = ""
) -> UserRow:
    """A new active user; every check runs before anything is written."""
    cleaned = normalise_email(email)
    check_role(role)
    check_password(password)
    if find_user(session, cleaned) is not None:
        raise UserError(f"a user with email {cleaned!r} already exists")
    user = UserRow(
        email=cleaned,
        name=name.strip(),
        role=role,
        password_hash=hash_password(password),
        active=True,
        created_at=now,
        last_login_at=None,
    )
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> list[UserRow]:
    return list(session.scalars(select(UserRow).order_by(UserRow.email)))


def set_password(session: Session, email: str, password: str) -> UserRow:
    """Replace a user's password and end their sessions: whoever knew the old one (and any
    browser signed in with it) is out."""
    check_password(password)
    user = get_user(session, email)
    user.password_hash = hash_password(password)
    _end_sessions(session, user.id)
    return user


def disable_user(session: Session, email: str) -> UserRow:
    """Stop a user signing in and end their sessions at once. The row stays, so the audit
    trail's references to them still resolve."""
    user = get_user(session, email)
    user.active = False
    _end_sessions(session, user.id)
    return user


def authenticate(session: Session, email: str, password: str, now: datetime) -> UserRow | None:
    """The active user with this email and password, or None.

    An unknown, malformed or disabled email still costs one Argon2 verification, so timing
    does not reveal which emails exist. On success the hash is upgraded when the hasher's
    parameters changed since it was made, and ``last_login_at`` is set.
    """
    user = find_user(session, email)
    if user is None or not user.active or len(password) > MAX_PASSWORD:
        _dummy_verify(password[:MAX_PASSWORD])
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user


# --- sessions --------------------------------------------------------------------------------


def _token_hash(cookie_token: str) -> str:
    return hashlib.sha256(cookie_token.encode()).hexdigest()


def _end_sessions(session: Session, user_id: int) -> None:
    session.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.user_id == user_id))


def open_session(
    session: Session, user: UserRow, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> tuple[str, str]:
    """Start a session for ``user``; returns (cookie token, CSRF token). Only the token's
    SHA-256 is stored. The user's expired sessions are swept on the way."""
    session.execute(
        delete(ConsoleSessionRow).where(
            ConsoleSessionRow.user_id == user.id, ConsoleSessionRow.expires_at <= now
        )
    )
    cookie_token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSessionRow(
            token_hash=_token_hash(cookie_token),
            user_id=user.id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=now + ttl,
            last_seen_at=now,
        )
    )
    session.flush()
    return cookie_token, csrf_token


def session_user(session: Session, cookie_token: str, now: datetime) -> SignedIn | None:
    """Who holds ``cookie_token`` now, or None when the session is unknown, expired or its
    user disabled (an expired or orphaned session is deleted).

    Expiry slides: each use (at most once per :data:`TOUCH_EVERY`) pushes ``expires_at`` the
    session's idle window past now, never beyond :data:`MAX_SESSION_AGE` after sign-in.
    """
    if not cookie_token:
        return None
    row = session.get(ConsoleSessionRow, _token_hash(cookie_token))
    if row is None:
        return None
    user = session.get(UserRow, row.user_id)
    if row.expires_at <= now or user is None or not user.active:
        session.delete(row)
        return None
    _touch(row, now)
    return SignedIn(
        user_id=user.id, email=user.email, name=user.name, role=user.role, csrf_token=row.csrf_token
    )


def _touch(row: ConsoleSessionRow, now: datetime) -> None:
    if now - row.last_seen_at < TOUCH_EVERY:
        return
    idle_window = row.expires_at - row.last_seen_at
    slid = min(now + idle_window, row.created_at + MAX_SESSION_AGE)
    if slid > row.expires_at:
        row.expires_at = slid
    row.last_seen_at = now


def close_session(session: Session, cookie_token: str) -> None:
    """Sign out: the session is deleted, so the cookie is worthless even if kept."""
    session.execute(
        delete(ConsoleSessionRow).where(ConsoleSessionRow.token_hash == _token_hash(cookie_token))
    )
