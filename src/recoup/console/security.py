"""FastAPI glue for console sign-in: the session cookie, the signed-in dependency, role checks,
CSRF tokens and a sign-in throttle.

Session expiry uses the real wall clock (:func:`wall_now`), not the runtime's clock port: in
the demo that clock runs two simulated days per real second, which would end a twelve-hour
session in a fraction of a second. Sessions measure a person's time, not the cases'.

Pages depend on :data:`SignedInDep` (or ``Depends(require("work_queue"))``); a request with no
valid session raises :class:`NeedsSignIn`, which :func:`install` turns into a 303 to
``/login?next=<where they were going>``.
"""

from __future__ import annotations

import hmac
import math
import secrets
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, FastAPI, HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse

from recoup.console.auth import SignedIn, authenticate, can, close_session, open_session
from recoup.console.auth import session_user as _session_user
from recoup.store.db import Database

COOKIE = "recoup_session"
LOGIN_CSRF_COOKIE = "recoup_login_csrf"
LOGIN_PATH = "/login"
DEFAULT_NEXT = "/dashboard"


def wall_now() -> datetime:
    """Real time, for sessions and sign-ins (see the module docstring for why not the clock
    port)."""
    return datetime.now(UTC)


class NeedsSignIn(Exception):  # noqa: N818 (a redirect signal, not an error)
    """No valid session; the handler :func:`install` registers redirects to the login page."""

    def __init__(self, next_path: str = DEFAULT_NEXT) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class SignInError(Exception):
    """A sign-in did not succeed; ``str(exc)`` is the sentence the login form shows."""


# --- where to go after signing in ------------------------------------------------------------


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else :data:`DEFAULT_NEXT`.

    Only a local absolute path passes: no scheme, no host, no ``//`` (protocol-relative) or
    backslash (which browsers read as a slash), no control characters. Anything else would let
    a crafted login link send a person elsewhere after they typed their password.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return DEFAULT_NEXT
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return DEFAULT_NEXT
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.startswith(LOGIN_PATH):
        return DEFAULT_NEXT
    return target


def login_url(next_path: str | None) -> str:
    return f"{LOGIN_PATH}?{urlencode({'next': safe_next(next_path)})}"


def _here(request: Request) -> str:
    """Where to come back to. Only a GET can be repeated by following a link; after a POST
    whose session ran out the person lands on the dashboard and submits the form again."""
    if request.method not in ("GET", "HEAD"):
        return DEFAULT_NEXT
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


# --- the signed-in dependency and role checks ------------------------------------------------


def _db(request: Request) -> Database:
    db: Database = request.app.state.runtime.db
    return db


def signed_in(request: Request) -> SignedIn:
    """The person holding this request's session cookie; :class:`NeedsSignIn` otherwise."""
    token = request.cookies.get(COOKIE)
    if token:
        with _db(request).session() as session:
            who = _session_user(session, token, wall_now())
        if who is not None:
            request.state.signed_in = who
            return who
    raise NeedsSignIn(_here(request))


SignedInDep = Annotated[SignedIn, Depends(signed_in)]


def require(action: str) -> Callable[[SignedIn], SignedIn]:
    """A dependency that answers 403 unless the signed-in role may ``action``. The action is
    checked when the route is declared, so a typo fails at import, not at the first click."""
    can("admin", action)

    def dependency(signed: SignedInDep) -> SignedIn:
        if not signed.can(action):
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail=f"your role ({signed.role}) may not {action.replace('_', ' ')}",
            )
        return signed

    return dependency


def _same(given: str | None, expected: str) -> bool:
    """Constant-time equality on bytes (``compare_digest`` refuses non-ASCII ``str``)."""
    return bool(given) and hmac.compare_digest(
        (given or "").encode("utf-8"), expected.encode("utf-8")
    )


def check_csrf(signed: SignedIn, token: str | None) -> None:
    """403 unless ``token`` (the form's ``csrf_token``) is this session's token."""
    if not _same(token, signed.csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="form expired or forged; reload")


# --- cookies ---------------------------------------------------------------------------------


def secure_cookies(request: Request) -> bool:
    """Whether cookies should be ``Secure``: when the public URL is https (a TLS proxy in
    front makes the request itself look like http) or the request came over https."""
    settings = getattr(request.app.state, "settings", None)
    base = str(getattr(settings, "public_base_url", ""))
    return base.startswith("https://") or request.url.scheme == "https"


def set_session_cookie(response: Response, token: str, secure: bool) -> None:
    """HttpOnly (scripts cannot read it), SameSite=Lax (other sites' forms do not carry it),
    a browser-session cookie: the server's expiry is the one that counts."""
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", path="/", secure=secure)


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


def new_login_csrf(response: Response, secure: bool = False) -> str:
    """A fresh token for the login form, also set as a cookie (double submit): a page on
    another site can post a form to /login but can neither read nor set our cookie, so it
    cannot sign a victim's browser in to an attacker's account."""
    token = secrets.token_urlsafe(32)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/", secure=secure
    )
    return token


def check_login_csrf(request: Request, token: str | None) -> None:
    """403 unless the login form's hidden field matches its cookie."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie or not _same(token, cookie):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="login form expired; reload")


# --- sign-in throttle ------------------------------------------------------------------------


class SignInThrottle:
    """At most ``limit`` failed sign-ins per email per ``window``; then the form says to wait.

    Kept in process memory: one API process serves the console, so a shared store would only
    add a dependency. A restart forgets the count, which costs an attacker a restart per five
    guesses, and Argon2 keeps each guess slow regardless. Counting per email (not per address)
    protects each account from guessing without locking out a whole office behind one NAT.
    The monotonic clock makes it immune to wall-clock jumps.
    """

    MAX_TRACKED = 10_000

    def __init__(
        self,
        limit: int = 5,
        window: timedelta = timedelta(minutes=15),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window.total_seconds()
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def wait_seconds(self, email: str) -> float:
        """Seconds until ``email`` may try again; 0 when it may now."""
        failures = self._recent(_key(email))
        if len(failures) < self.limit:
            return 0.0
        return max(0.0, failures[-self.limit] + self.window - self._clock())

    def failed(self, email: str) -> None:
        key = _key(email)
        self._recent(key).append(self._clock())
        if len(self._failures) > self.MAX_TRACKED:
            self._sweep()

    def succeeded(self, email: str) -> None:
        self._failures.pop(_key(email), None)

    def clear(self) -> None:
        self._failures.clear()

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.setdefault(key, deque(maxlen=self.limit))
        horizon = self._clock() - self.window
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures

    def _sweep(self) -> None:
        """Bound memory when many emails are tried: forget the quiet ones, then the oldest."""
        horizon = self._clock() - self.window
        for key in [k for k, v in self._failures.items() if not v or v[-1] <= horizon]:
            del self._failures[key]
        while len(self._failures) > self.MAX_TRACKED:
            del self._failures[next(iter(self._failures))]


def _key(email: str) -> str:
    return email.strip().lower()


#: The process's throttle, used by :func:`sign_in`.
throttle = SignInThrottle()


def sign_in(request: Request, email: str, password: str) -> str:
    """Check the throttle, the password, and open a session; returns the cookie token (give it
    to :func:`set_session_cookie`). :class:`SignInError` carries the form's message. A
    throttled attempt is refused before any hashing, so it costs the server nothing."""
    wait = throttle.wait_seconds(email)
    if wait > 0:
        minutes = max(1, math.ceil(wait / 60))
        raise SignInError(
            f"Too many failed sign-ins for this email. Wait {minutes} minute"
            f"{'s' if minutes != 1 else ''} and try again."
        )
    now = wall_now()
    token: str | None = None
    with _db(request).session() as session:
        user = authenticate(session, email, password, now)
        if user is not None:
            token, _csrf = open_session(session, user, now)
    if token is None:
        throttle.failed(email)
        raise SignInError("Wrong email or password.")
    throttle.succeeded(email)
    return token


def sign_out(request: Request, response: Response) -> None:
    """End the request's session (if any) and clear its cookie."""
    token = request.cookies.get(COOKIE)
    if token:
        with _db(request).session() as session:
            close_session(session, token)
    clear_session_cookie(response)


# --- wiring ----------------------------------------------------------------------------------


async def _to_login(request: Request, exc: Exception) -> Response:
    next_path = exc.next_path if isinstance(exc, NeedsSignIn) else DEFAULT_NEXT
    response = RedirectResponse(login_url(next_path), status_code=status.HTTP_303_SEE_OTHER)
    if COOKIE in request.cookies:  # expired or revoked: stop sending it
        clear_session_cookie(response)
    return response


def install(app: FastAPI) -> None:
    """Register the redirect to the login page for :class:`NeedsSignIn`."""
    app.add_exception_handler(NeedsSignIn, _to_login)
