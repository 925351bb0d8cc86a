"""The browser suite's world: one served console over a demo database, and Debian's Chromium.

Built once per session (the demo takes ~20 s), shared by every browser test:

- a temporary SQLite database filled by ``recoup demo --cases 24 --seed 11`` (the real
  workflow end to end); that batch leaves open review items of two reasons (``high_value``,
  ``attempts_exhausted``), which the queue tests work;
- two people added by ``recoup users add``: a finance user and a viewer;
- ``recoup serve`` on a free loopback port, in its own process group, stopped at the end.

The server's clock runs at real speed from the demo's last simulated instant
(``RECOUP_CLOCK_ORIGIN``), so "now" on every page comes after everything the demo recorded,
as it would for someone opening the console once the batch is done; the reference figures the
tests compute use the same clock.

Playwright drives ``/usr/bin/chromium`` (Debian's package, installed by ``make test``);
Playwright's own browser download is never used. Without Chromium the tests skip, except under
``CI=true``, where they fail. Every page a test visits is saved as a full-page PNG under
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from recoup.adapters.clock import AcceleratedClock

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

#: The batch: 24 cases from seed 11 close in ~20 s and leave 14 open review items.
DEMO_CASES = 24
DEMO_SEED = 11


@dataclass(frozen=True)
class Person:
    email: str
    role: str
    name: str
    password: str


#: "Dana Whitfield" is an account owner's name in the demo data, so her items sort first.
FINANCE = Person("finance@example.test", "finance", "Dana Whitfield", "correct horse battery 1")
VIEWER = Person("viewer@example.test", "viewer", "Vic Reader", "viewer staple battery 2")


@dataclass(frozen=True)
class Console:
    """The served console and a read-only view of its database for reference figures."""

    base_url: str
    database_url: str
    clock_origin: str
    demo: dict[str, Any]
    engine: Engine

    def url(self, path: str) -> str:
        return self.base_url + path

    def now(self) -> datetime:
        """The server's "now" (the same accelerated-origin clock at real speed)."""
        return AcceleratedClock.decode(self.clock_origin).now()

    def session(self) -> Session:
        """A plain SQLAlchemy session: the test reads the tables, not the app's code paths."""
        return Session(self.engine)


def _browser_problem() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found: install Debian's 'chromium' package (make test does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install -e '.[test]'"
    return None


def require_browser() -> None:
    """Skip without Chromium, but never under CI: there a missing browser is a failure."""
    problem = _browser_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(problem)
    pytest.skip(problem)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(**settings: str) -> dict[str, str]:
    """The environment without the developer's RECOUP_* variables, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("RECOUP_")}
    env.update({f"RECOUP_{k.upper()}": v for k, v in settings.items()})
    return env


def _recoup(
    args: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None, timeout: int = 120
) -> str:
    """Run the ``recoup`` command of this interpreter's environment; its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "recoup", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"recoup {' '.join(args)} exited {done.returncode}:\n{done.stderr[-4000:]}")
    return done.stdout


def _open_work_items(engine: Engine) -> int:
    from sqlalchemy import func, select

    from recoup.store.tables import ReviewItemRow

    with Session(engine) as s:
        query = select(func.count()).where(
            ReviewItemRow.status == "open", ReviewItemRow.reason != "first_runs_approval"
        )
        return int(s.scalar(query) or 0)


def _wait_healthy(proc: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"recoup serve exited {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"recoup serve not healthy within 60 s:\n{log.read_text()[-4000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group; SIGKILL what is left after 15 s."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """Demo data, two users and a running ``recoup serve``: one server for the module. Not
    session-scoped: Playwright's event loop must be gone before other tests start DBOS."""
    require_browser()
    work = tmp_path_factory.mktemp("console")
    url = f"sqlite:///{work / 'recoup.sqlite'}"
    env = _env(database_url=url, log_level="WARNING")
    out = _recoup(
        ["demo", "--cases", str(DEMO_CASES), "--seed", str(DEMO_SEED), "--database", url, "--json"],
        env,
        work,
        timeout=180,
    )
    demo = json.loads(out.strip().splitlines()[-1])
    # A case still running would keep changing the figures the tests compare against.
    assert demo["open_cases"] == 0, f"the demo left {demo['open_cases']} cases open"
    engine = create_engine(url)
    assert _open_work_items(engine) > 0, "the demo batch left no open review item to work"
    for person in (FINANCE, VIEWER):
        add = ["users", "add", person.email, "--role", person.role, "--name", person.name]
        _recoup([*add, "--password-stdin"], env, work, stdin=person.password + "\n")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    origin = f"{demo['simulated_now']}|{time.time()}|1.0"
    serve_env = _env(database_url=url, clock_origin=origin, public_base_url=base_url,
                     log_level="WARNING")  # fmt: skip
    log = work / "serve.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "recoup", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=serve_env,
            cwd=work,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(proc, base_url, log)
        yield Console(base_url, url, origin, demo, engine)
    finally:
        _stop(proc)
        engine.dispose()


@pytest.fixture(scope="module")
def browser(console: Console) -> Iterator[Any]:
    """Debian's Chromium, headless, once per session (contexts keep the tests apart)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's report on the item, so a failing test's page is saved."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """``shot(page, "dashboard")`` saves test-artifacts/screenshots/<test>-dashboard.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{_slug(request.node.name)}-{_slug(name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def context(browser: Any, console: Console, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (own cookies) per test; on failure its pages are saved."""
    ctx = browser.new_context(base_url=console.base_url, accept_downloads=True,
                              viewport={"width": 1280, "height": 900})  # fmt: skip
    ctx.set_default_timeout(10_000)
    yield ctx
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for i, page in enumerate(ctx.pages):
            path = SCREENSHOTS / f"{_slug(request.node.name)}-failure-{i}.png"
            page.screenshot(path=str(path), full_page=True)
    ctx.close()


def sign_in(page: Any, person: Person) -> None:
    """Fill and submit the sign-in form."""
    page.goto("/login")
    form = page.locator("form#login")
    form.locator("input[name=email]").fill(person.email)
    form.locator("input[name=password]").fill(person.password)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture
def finance_page(context: Any) -> Any:
    """A page signed in as the finance user."""
    page = context.new_page()
    sign_in(page, FINANCE)
    return page


@pytest.fixture
def viewer_page(context: Any) -> Any:
    """A page signed in as the viewer."""
    page = context.new_page()
    sign_in(page, VIEWER)
    return page
