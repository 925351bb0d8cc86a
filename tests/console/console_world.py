"""A launched Recoup with a handful of real cases, people to sign in as, and an HTML probe,
for the console page and CSV tests.

The cases go through the real durable workflow on the fast clock, with a playbook that holds
the first run for approval and lets nothing time out while the tests run: one first-run
approval and one high-value item stay open, a dispute stays escalated, the rest are paid and
closed. The console's client sees a frozen clock, so "now" (days outstanding, ages) does not
move between a page and the reference figures it is compared with.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from recoup import demo, wiring
from recoup.adapters.simulator.persona import Persona
from recoup.api.app import create_app
from recoup.console import security
from recoup.console.auth import add_user
from recoup.settings import Settings
from recoup.store.tables import CaseRow, ReviewItemRow

FAST = 10 * 86_400.0
PASSWORD = "correct horse battery staple"
PLAYBOOK = "review_first_runs: 1\nreview_timeout_days: 10000\ngive_up_after_days: 10000\n"
#: A company name a spreadsheet would run as a formula if the export did not defuse it.
FORMULA_COMPANY = '=HYPERLINK("http://evil.example/x","Invoice")'
PLUS_OWNER = "+Plus Owner"
BIG_OWNER = "Priya Raman"
USERS = {
    "admin": ("admin@example.com", ""),
    "finance": ("finance@example.com", "Fran Finance"),
    "owner": ("owner@example.com", BIG_OWNER),
    "viewer": ("viewer@example.com", "Vic Viewer"),
}


def example(name: str, **changes: Any) -> Persona:
    """A shipped example persona with top-level fields merged (``replies`` replaced)."""
    path = resources.files("recoup.adapters.simulator").joinpath(f"examples/{name}.json")
    data = json.loads(path.read_text("utf-8"))
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict) and key != "replies":
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return Persona.model_validate(data)


def personas() -> list[Persona]:
    """In arrival order: the first is held for approval, the second is high value."""
    disputer = example(
        "pay_now",
        replies={
            "greet_verify": ["yes speaking"],
            "ask_resolution": ["no, we were charged twice for this, i'm disputing it"],
            "ask_dispute_detail": ["the november invoice was billed twice on our card"],
            "*": ["okay", "bye"],
        },
        behaviour={"kind": "dispute", "opens_link": False, "pays_via_link": False},
    )
    return [
        example("pay_now"),
        example(
            "pay_now",
            invoice={"amount": "9000.00"},
            account={"owner": BIG_OWNER, "company": FORMULA_COMPANY},
        ),
        example("pay_now", account={"owner": PLUS_OWNER}),
        example("promise"),
        disputer,
        example("pay_now"),
    ]


@dataclass(frozen=True)
class FrozenClock:
    """The console's clock in these tests: one instant, so figures compare exactly."""

    at: datetime

    def now(self) -> datetime:
        return self.at

    def real_seconds_until(self, moment: datetime) -> float:
        return max(0.0, (moment - self.at).total_seconds())


@dataclass
class ConsoleWorld:
    started: wiring.Started
    app: Any
    now: datetime
    approval_key: str
    high_value_key: str
    case_ids: list[str] = field(default_factory=list)

    def client(self, role: str | None = None) -> TestClient:
        """A browser; signed in as ``role`` when given."""
        client = TestClient(self.app, follow_redirects=False)
        if role is not None:
            sign_in(client, USERS[role][0])
        return client


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    form = client.get("/login")
    token = csrf_of(form.text)
    done = client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token, "next": "/dashboard"})  # fmt: skip
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/dashboard"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def _open_items(started: wiring.Started) -> dict[str, str]:
    with started.db.session() as s:
        rows = s.execute(
            select(ReviewItemRow.reason, ReviewItemRow.key).where(ReviewItemRow.status == "open")
        ).all()
    return dict(rows)


def _closed(started: wiring.Started, case_ids: list[str]) -> int:
    with started.db.session() as s:
        statuses = s.scalars(select(CaseRow.status).where(CaseRow.case_id.in_(case_ids))).all()
    return sum(1 for st in statuses if st == "closed")


def launch(tmp: Path, database_url: str | None = None) -> Iterator[ConsoleWorld]:
    """The world, ready: cases in their expected states, four users, a frozen client app
    (on SQLite in ``tmp`` unless a database URL is given)."""
    (tmp / "playbook.yaml").write_text(PLAYBOOK)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url or f"sqlite:///{tmp / 'console.sqlite'}",
        clock_speed=FAST, playbook=tmp / "playbook.yaml",
    )  # fmt: skip
    started = wiring.start(settings)
    try:
        world, customers = demo.seed_world(started, personas(), "console")
        for c in customers:
            demo._emit(started, demo.failed_event(c, started.runtime.clock.now()))
        case_ids = [f"case:stripe:{c.invoice_ref}" for c in customers]
        settled = [case_ids[i] for i in (2, 3, 5)]
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            world.tick()
            items = _open_items(started)
            if {"first_runs_approval", "high_value"} <= set(items) and _closed(
                started, settled
            ) == len(settled):
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"the cases did not settle: open items {_open_items(started)}")
        now = started.runtime.clock.now()
        with started.db.session() as s:
            for email, name in USERS.values():
                role = next(r for r, (e, _) in USERS.items() if e == email)
                add_user(s, email, role, PASSWORD, datetime.now(UTC), name=name)
        frozen = replace(started.runtime, clock=FrozenClock(now))
        security.throttle.clear()
        yield ConsoleWorld(
            started=started, app=create_app(settings, frozen), now=now,
            approval_key=items["first_runs_approval"], high_value_key=items["high_value"],
            case_ids=case_ids,
        )  # fmt: skip
    finally:
        security.throttle.clear()
        _end_open_cases(started)
        wiring.stop(started)


def _end_open_cases(started: wiring.Started, timeout: float = 20.0) -> None:
    """Stop the cases still waiting (their waits last longer than the tests), so DBOS's
    threads end with the test module instead of polling a deleted database."""
    with started.db.session() as s:
        open_ids = s.scalars(select(CaseRow.case_id).where(CaseRow.status != "closed")).all()
    for case_id in open_ids:
        started.runtime.dispatcher.signal(case_id, {"type": "stop", "reason": "tests_over"},
                                          f"tests-over:{case_id}")  # fmt: skip
    deadline = time.monotonic() + timeout
    while open_ids and time.monotonic() < deadline:
        if _closed(started, list(open_ids)) == len(open_ids):
            return
        time.sleep(0.1)


# -- a small HTML probe (the standard library's parser; no test dependency) ---------------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def text(self) -> str:
        parts = list(self.texts) + [c.text() for c in self.children]
        return " ".join(p.strip() for p in parts if p.strip())

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Descendants with ``tag`` and every attribute given (``data_testid`` means
        ``data-testid``)."""
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [
            n for n in self.walk()
            if (tag is None or n.tag == tag)
            and all(n.attrs.get(k) == v for k, v in wanted.items())
        ]  # fmt: skip

    def one(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}  # fmt: skip


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].texts.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root
