"""The FastAPI glue of console sign-in (recoup.console.security) on a tiny app of its own:
redirects to the login page, cookies, CSRF, roles and the sign-in throttle."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

import pytest
from argon2 import PasswordHasher
from fastapi import Depends, FastAPI, Form, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.testclient import TestClient

from recoup.console import auth, security
from recoup.console.auth import SignedIn, add_user, disable_user, open_session
from recoup.console.security import (
    COOKIE,
    LOGIN_CSRF_COOKIE,
    SignedInDep,
    SignInError,
    SignInThrottle,
    check_csrf,
    check_login_csrf,
    new_login_csrf,
    require,
    safe_next,
    set_session_cookie,
    sign_in,
    sign_out,
    wall_now,
)
from recoup.store.db import Database
from recoup.store.migrate import upgrade
from recoup.store.tables_console import UserRow

PASSWORD = "correct horse battery"


@dataclass
class FakeRuntime:
    """What the glue reads from ``app.state.runtime``: the database only."""

    db: Database


def build_app(db: Database) -> FastAPI:
    app = FastAPI()
    app.state.runtime = FakeRuntime(db)
    security.install(app)

    @app.get("/login")
    def login_form(response: Response) -> dict[str, str]:
        return {"csrf_token": new_login_csrf(response)}

    @app.post("/login")
    def login(
        request: Request,
        email: Annotated[str, Form()],
        password: Annotated[str, Form()],
        csrf_token: Annotated[str, Form()] = "",
        next_: Annotated[str, Query(alias="next")] = "",
    ) -> Any:
        check_login_csrf(request, csrf_token)
        try:
            token = sign_in(request, email, password)
        except SignInError as exc:
            return JSONResponse({"error": str(exc)}, status_code=200)
        response = RedirectResponse(safe_next(next_), status_code=303)
        set_session_cookie(response, token, secure=False)
        return response

    @app.post("/logout")
    def logout(request: Request, me: SignedInDep, csrf_token: Annotated[str, Form()] = "") -> Any:
        check_csrf(me, csrf_token)
        response = RedirectResponse("/login", status_code=303)
        sign_out(request, response)
        return response

    @app.get("/dashboard")
    def dashboard(me: SignedInDep) -> dict[str, str]:
        return {"email": me.email, "role": me.role, "csrf": me.csrf_token}

    @app.post("/review/{key}/take")
    def take(
        key: str,
        me: Annotated[SignedIn, Depends(require("work_queue"))],
        csrf_token: Annotated[str, Form()] = "",
    ) -> dict[str, str]:
        check_csrf(me, csrf_token)
        return {"taken": key, "by": me.email}

    return app


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    security.throttle.clear()
    yield
    security.throttle.clear()


@pytest.fixture
def db(sqlite_url: str) -> Iterator[Database]:
    upgrade(sqlite_url)
    database = Database(sqlite_url)
    with database.session() as s:
        for email, role in (("fin@example.com", "finance"), ("view@example.com", "viewer")):
            add_user(s, email, role, PASSWORD, wall_now())
    yield database
    database.dispose()


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(build_app(db)) as test_client:
        yield test_client


def login(client: TestClient, email: str, password: str = PASSWORD, next_: str = "") -> Any:
    csrf = client.get("/login").json()["csrf_token"]
    return client.post(
        "/login",
        params={"next": next_} if next_ else None,
        data={"email": email, "password": password, "csrf_token": csrf},
        follow_redirects=False,
    )


def set_cookie_header(response: Any, name: str) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers
    return str(headers[0])


def test_no_session_redirects_to_login_with_the_way_back(client: TestClient) -> None:
    response = client.get("/dashboard?week_from=2026-W01&owner=Dana", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/login?next=%2Fdashboard%3Fweek_from%3D2026-W01%26owner%3DDana"
    )
    client.cookies.set(COOKIE, "forged-or-expired")
    response = client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert "recoup_session=" in set_cookie_header(response, COOKIE)  # told to forget it
    # A POST cannot be repeated by a link: come back to the dashboard instead.
    response = client.post("/review/k1/take", follow_redirects=False)
    assert response.headers["location"] == "/login?next=%2Fdashboard"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/queue?status=open", "/queue?status=open"),
        ("/cases/case:stripe:in_1", "/cases/case:stripe:in_1"),
        (None, "/dashboard"),
        ("", "/dashboard"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example/x", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("javascript:alert(1)", "/dashboard"),
        ("queue", "/dashboard"),
        ("/\t/evil.example", "/dashboard"),
        ("/login?next=/x", "/dashboard"),
    ],
)
def test_next_only_allows_a_local_path(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_sign_in_sets_a_strict_cookie_and_goes_where_asked(client: TestClient) -> None:
    response = login(client, "FIN@example.com", next_="/queue?sort=largest")
    assert response.status_code == 303
    assert response.headers["location"] == "/queue?sort=largest"
    cookie = set_cookie_header(response, COOKIE).lower()
    for part in ("httponly", "samesite=lax", "path=/"):
        assert part in cookie
    assert "secure" not in cookie
    me = client.get("/dashboard").json()
    assert (me["email"], me["role"]) == ("fin@example.com", "finance")
    away = login(client, "fin@example.com", next_="https://evil.example/")
    assert away.headers["location"] == "/dashboard"


def test_secure_cookie_when_asked() -> None:
    response = JSONResponse({})
    set_session_cookie(response, "token", secure=True)
    (header,) = response.headers.getlist("set-cookie")
    assert "secure" in header.lower()


def test_login_form_needs_its_csrf_cookie(client: TestClient) -> None:
    csrf = client.get("/login").json()["csrf_token"]
    assert "httponly" in set_cookie_header(client.get("/login"), LOGIN_CSRF_COOKIE).lower()
    wrong = client.post(
        "/login",
        data={"email": "fin@example.com", "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert wrong.status_code == 403  # the cookie now holds the second form's token
    client.cookies.delete(LOGIN_CSRF_COOKIE)
    missing = client.post(
        "/login",
        data={"email": "fin@example.com", "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert missing.status_code == 403


def test_wrong_password_is_refused_without_saying_why(client: TestClient) -> None:
    for email in ("fin@example.com", "nobody@example.com"):
        response = login(client, email, "wrong password!!")
        assert response.json() == {"error": "Wrong email or password."}
    assert COOKIE not in client.cookies


def test_csrf_mismatch_is_403_and_the_right_token_works(client: TestClient) -> None:
    login(client, "fin@example.com")
    csrf = client.get("/dashboard").json()["csrf"]
    assert client.post("/review/k1/take", data={"csrf_token": "nope"}).status_code == 403
    assert client.post("/review/k1/take", data={"csrf_token": "é"}).status_code == 403
    assert client.post("/review/k1/take").status_code == 403
    ok = client.post("/review/k1/take", data={"csrf_token": csrf})
    assert ok.status_code == 200
    assert ok.json() == {"taken": "k1", "by": "fin@example.com"}


def test_viewer_may_look_but_not_work_the_queue(client: TestClient) -> None:
    login(client, "view@example.com")
    csrf = client.get("/dashboard").json()["csrf"]
    response = client.post("/review/k1/take", data={"csrf_token": csrf})
    assert response.status_code == 403
    assert "viewer" in response.json()["detail"]


def test_require_refuses_an_unknown_action_when_declared() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        require("work_queeu")


def test_throttle_after_five_failures_even_with_the_right_password(client: TestClient) -> None:
    for _ in range(5):
        assert "Wrong" in login(client, "fin@example.com", "wrong password!!").json()["error"]
    blocked = login(client, "Fin@Example.com").json()["error"]
    assert "Too many failed sign-ins" in blocked
    assert "15 minutes" in blocked
    assert login(client, "view@example.com").status_code == 303  # other emails unaffected


def test_throttle_window_and_reset() -> None:
    now = [1000.0]
    throttle = SignInThrottle(limit=5, window=timedelta(minutes=15), clock=lambda: now[0])
    for _ in range(4):
        throttle.failed("a@example.com")
        now[0] += 60
    assert throttle.wait_seconds("a@example.com") == 0
    throttle.failed("A@example.com")
    assert throttle.wait_seconds("a@example.com") == pytest.approx(15 * 60 - 4 * 60)
    now[0] += 15 * 60 - 4 * 60  # the first failure leaves the window
    assert throttle.wait_seconds("a@example.com") == 0
    throttle.failed("a@example.com")
    assert throttle.wait_seconds("a@example.com") > 0
    throttle.succeeded("a@example.com")
    assert throttle.wait_seconds("a@example.com") == 0


def test_throttle_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SignInThrottle, "MAX_TRACKED", 10)
    throttle = SignInThrottle()
    for n in range(50):
        throttle.failed(f"user{n}@example.com")
    assert len(throttle._failures) <= 11


def test_disabled_or_expired_sessions_stop_working(client: TestClient, db: Database) -> None:
    login(client, "fin@example.com")
    assert client.get("/dashboard").status_code == 200
    with db.session() as s:
        disable_user(s, "fin@example.com")
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
    assert login(client, "fin@example.com").json() == {"error": "Wrong email or password."}
    # A session whose twelve hours ran out in real time.
    with db.session() as s:
        viewer = s.query(UserRow).filter_by(email="view@example.com").one()
        token, _ = open_session(s, viewer, wall_now() - timedelta(hours=13))
    client.cookies.set(COOKIE, token)
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_logout_ends_the_session(client: TestClient) -> None:
    login(client, "fin@example.com")
    token = client.cookies[COOKIE]
    csrf = client.get("/dashboard").json()["csrf"]
    assert client.post("/logout", data={"csrf_token": "x"}).status_code == 403
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    client.cookies.set(COOKIE, token)  # a copy kept by the browser is worthless now
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
