"""Slack's interactive endpoint: a signed click takes or resolves the review item and rewrites
the alert; a bad or stale signature gets 403 and changes nothing. Slack's published signature
vector and the bolt-python block_actions payload are read from ../shared by path."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from recoup.adapters.clock import SystemClock
from recoup.adapters.fake.billing import FakeBilling
from recoup.adapters.fake.crm import FakeCrm
from recoup.adapters.fake.ledger import MemoryLedger
from recoup.adapters.fake.messaging import FakeAlerts, FakeMessaging
from recoup.adapters.retry import Backoff
from recoup.adapters.slack import interactive
from recoup.adapters.slack.client import SlackAlerts
from recoup.api import cases as cases_api
from recoup.api import slack as slack_api
from recoup.domain import models as m
from recoup.domain.errors import PayloadError, SignatureError
from recoup.playbook import load_playbook
from recoup.settings import Settings
from recoup.store.db import Database
from recoup.store.migrate import upgrade
from recoup.store.tables import AuditRow, CaseRow, ReviewItemRow
from recoup.testing.slack_api import SlackApi
from recoup.testing.vendor_server import Reply
from recoup.workflows.runtime import Runtime

TOKEN = "xoxb-interactive-test"
SIGNING_SECRET = "slack-signing-secret-for-tests"
CASE_ID = "case:stripe:in_9"
REVIEW_KEY = "call_9:review"
ALERT_KEY = "call_9:alert"
SIGNATURES = "fixtures/signatures/slack_signature_vectors.json"
PAYLOAD = "fixtures/slack/block_actions_interaction_payload.json"


@dataclass
class Signals:
    """A dispatcher that records what it would have sent to a workflow."""

    sent: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)

    def enqueue_case(self, case_id: str, trigger: m.TriggerEvent) -> None:
        raise AssertionError("a click never starts a case")

    def signal(self, case_id: str, message: dict[str, Any], key: str) -> None:
        self.sent.append((case_id, message, key))


@dataclass
class World:
    client: TestClient
    db: Database
    api: SlackApi
    signals: Signals
    channel: str
    ts: str


@pytest.fixture(scope="module")
def running_api() -> Iterator[SlackApi]:
    """One Slack stand-in for the module (a server takes half a second to stop)."""
    with SlackApi(token=TOKEN) as api:
        yield api


@pytest.fixture
def world(sqlite_url: str, running_api: SlackApi) -> Iterator[World]:
    """A database with an escalated case and its review items, and its alert posted in Slack."""
    upgrade(sqlite_url)
    db = Database(sqlite_url)
    ledger = MemoryLedger()
    signals = Signals()
    runtime = Runtime(
        db=db,
        billing=FakeBilling(ledger),
        crm=FakeCrm(ledger),
        telephony=None,  # type: ignore[arg-type]  # a click never places a call
        messaging=FakeMessaging(ledger),
        alerts=FakeAlerts(ledger),
        clock=SystemClock(),
        dispatcher=signals,
        playbook=load_playbook(),
        public_base_url="http://recoup.test",
        company_name="Recoup",
        callback_number="+1 415 555 0100",
    )
    seed(db)
    api = running_api
    api.reset()
    alerts = SlackAlerts(
        SecretStr(TOKEN),
        base_url=api.base_url,
        channels={"finance": "C0FINANCE"},
        backoff=Backoff(base=0.001),
    )
    channel, ts = alerts.alert(alert()).provider_id.split(":", 1)
    api.server.requests.clear()  # tests look only at what the click causes
    app = FastAPI()
    app.state.runtime = runtime
    app.state.settings = Settings(_env_file=None)  # type: ignore[call-arg]
    app.include_router(slack_api.build_router(SecretStr(SIGNING_SECRET), alerts))
    app.include_router(cases_api.router)  # the review queue shows who took an item
    yield World(TestClient(app), db, api, signals, channel, ts)
    db.dispose()


def alert() -> m.Alert:
    return m.Alert(
        key=ALERT_KEY,
        case_id=CASE_ID,
        team=m.Team.FINANCE,
        reason="dispute",
        target="#finance-collections",
        summary="Disputes the March charge. Wants a call back.",
        details={"customer": "Ana Diaz (Acme)", "invoice": "INV-9 120.50 USD", "call_id": "call_9"},
    )


def seed(db: Database) -> None:
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with db.session() as s:
        s.add(
            CaseRow(
                case_id=CASE_ID,
                seq=9,
                invoice_ref="in_9",
                source="stripe",
                trigger_kind="payment_failed",
                status="escalated",
                opened_at=at,
            )
        )
        s.flush()
        for key, reason in (
            (REVIEW_KEY, "claimed_paid"),
            ("call_9:approval", "first_runs_approval"),
        ):
            s.add(
                ReviewItemRow(
                    key=key,
                    case_id=CASE_ID,
                    reason=reason,
                    status="open",
                    summary="Held",
                    created_at=at,
                )
            )


def click(w: World, action_id: str, user: str = "U0ANA", **value: str) -> dict[str, Any]:
    """A block_actions payload as Slack sends it for a button on our posted alert."""
    message = w.api.in_channel(w.channel)[0]
    button = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    if value:
        button = {**button, "value": json.dumps(value)}
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "ana.ops", "name": "ana.ops", "team_id": "T0RECOUP1"},
        "api_app_id": "A0RECOUP1",
        "container": {"type": "message", "message_ts": w.ts, "channel_id": w.channel},
        "channel": {"id": w.channel, "name": "finance-collections"},
        "message": {"type": "message", "ts": w.ts, "blocks": message["blocks"]},
        "actions": [{**button, "block_id": "recoup_actions", "action_ts": f"{time.time():.6f}"}],
    }


def post(
    w: World,
    payload: dict[str, Any],
    *,
    secret: str = SIGNING_SECRET,
    at: int | None = None,
    tamper: bool = False,
) -> Any:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = interactive.sign(body, secret, at)
    if tamper:
        body += b"%20"
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return w.client.post(slack_api.PATH, content=body, headers=headers)


def audit(w: World) -> list[tuple[str, str, dict[str, Any]]]:
    with w.db.session() as s:
        rows = s.scalars(select(AuditRow).order_by(AuditRow.id)).all()
        return [(r.action, r.actor, r.detail) for r in rows]


def review(w: World, key: str = REVIEW_KEY) -> tuple[str, str | None]:
    with w.db.session() as s:
        item = s.get(ReviewItemRow, key)
        assert item is not None
        return item.status, item.decision


def assignees(w: World) -> dict[str, tuple[str | None, str | None]]:
    """The open review queue as the operator API lists it: key -> (assignee, assigned_at)."""
    answer = w.client.get("/api/review")
    assert answer.status_code == 200, answer.text
    return {i["key"]: (i["assignee"], i["assigned_at"]) for i in answer.json()}


def status_lines(w: World) -> list[str]:
    blocks = w.api.in_channel(w.channel)[0]["blocks"]
    return [
        e["text"] for b in blocks if b.get("block_id") == "recoup_status" for e in b["elements"]
    ]


def buttons(w: World) -> list[str]:
    blocks = w.api.in_channel(w.channel)[0]["blocks"]
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_take_assigns_the_review_item_and_shows_who(world: World) -> None:
    answer = post(world, click(world, "recoup_take"))
    assert answer.status_code == 200, answer.text
    [(action, actor, detail)] = audit(world)
    assert (action, actor) == ("review_taken", "slack")
    assert detail["assignee"] == "slack:U0ANA"
    assert detail["assignee_name"] == "ana.ops"
    assert detail["review_items"] == [REVIEW_KEY]  # the first-run approval is not its to take
    assert review(world) == ("open", None)
    queue = assignees(world)
    assert queue["call_9:approval"] == (None, None)
    assignee, assigned_at = queue[REVIEW_KEY]
    assert assignee == "slack:U0ANA"
    assert assigned_at is not None
    assert datetime.fromisoformat(assigned_at).tzinfo is not None
    assert world.signals.sent == []
    assert status_lines(world) == ["Taken by <@U0ANA>"]
    assert buttons(world) == ["recoup_take", "recoup_resolve", "recoup_open"]
    update = world.api.calls("chat.update")[0].json()
    assert (update["channel"], update["ts"]) == (world.channel, world.ts)
    assert update["metadata"]["event_payload"] == {"key": ALERT_KEY}
    assert world.api.calls("chat.update")[0].headers["authorization"] == f"Bearer {TOKEN}"
    again = post(world, click(world, "recoup_take"))  # Slack retries; a double click
    assert again.status_code == 200
    assert len(audit(world)) == 1
    assert assignees(world)[REVIEW_KEY] == (assignee, assigned_at)  # the first take's time
    assert status_lines(world) == ["Taken by <@U0ANA>"]
    assert post(world, click(world, "recoup_take", user="U0BEN")).status_code == 200
    assert assignees(world)[REVIEW_KEY][0] == "slack:U0BEN"  # taken over: the last click owns it


def test_resolve_closes_the_item_wakes_the_case_and_retires_the_buttons(world: World) -> None:
    post(world, click(world, "recoup_take"))
    resolving = click(world, "recoup_resolve", user="U0BEN")
    answer = post(world, resolving)
    assert answer.status_code == 200, answer.text
    assert review(world) == ("resolved", "resolved")
    assert review(world, "call_9:approval") == ("open", None)
    assert [a for a, _, _ in audit(world)] == ["review_taken", "review_decided", "review_resolved"]
    assert audit(world)[2][2]["by"] == "slack:U0BEN"
    signal = {"type": "review", "decision": "resolved", "key": REVIEW_KEY}
    assert world.signals.sent == [(CASE_ID, signal, f"review:{REVIEW_KEY}")]
    assert status_lines(world) == ["Resolved by <@U0BEN>"]
    assert buttons(world) == ["recoup_open"]
    assert post(world, resolving).status_code == 200  # Slack's retry of the same click
    assert len(world.signals.sent) == 1
    assert len(audit(world)) == 3


@pytest.mark.parametrize(
    "how",
    ["wrong secret", "tampered body", "stale timestamp", "future timestamp", "no headers"],
)
def test_bad_or_stale_signatures_get_403_and_change_nothing(world: World, how: str) -> None:
    payload = click(world, "recoup_take")
    if how == "no headers":
        body = urlencode({"payload": json.dumps(payload)}).encode()
        answer = world.client.post(slack_api.PATH, content=body)
    else:
        answer = post(
            world,
            payload,
            secret="not-the-secret" if how == "wrong secret" else SIGNING_SECRET,
            tamper=how == "tampered body",
            at={
                "stale timestamp": int(time.time()) - 301,
                # int() drops up to a second and the request takes time: a clear margin
                "future timestamp": int(time.time()) + 310,
            }.get(how),
        )
    assert answer.status_code == 403
    assert audit(world) == []
    assert review(world) == ("open", None)
    assert world.api.calls("chat.update") == []
    assert world.signals.sent == []


def test_the_open_case_link_and_foreign_actions_are_acknowledged_only(world: World) -> None:
    assert post(world, click(world, "recoup_open")).status_code == 200
    assert post(world, {"type": "view_submission", "user": {"id": "U1"}}).status_code == 200
    assert audit(world) == []
    assert world.api.calls("chat.update") == []


def test_unknown_case_is_404_and_malformed_payload_400(world: World) -> None:
    stray = click(world, "recoup_take", case="case:stripe:nope", alert="x:alert")
    assert post(world, stray).status_code == 404
    broken = click(world, "recoup_take")
    broken["actions"][0]["value"] = "not json"
    assert post(world, broken).status_code == 400
    assert audit(world) == []


def test_a_failed_message_update_keeps_the_decision(world: World) -> None:
    world.api.server.fail_next(Reply(503, raw=b"down"), times=4)
    assert post(world, click(world, "recoup_take")).status_code == 200
    assert [a for a, _, _ in audit(world)] == ["review_taken"]
    assert status_lines(world) == []


# -- shared third-party fixtures ---------------------------------------------------------------


def test_slack_signature_vector(shared_dir: Path) -> None:
    vector = json.loads((shared_dir / SIGNATURES).read_text())
    secret, body = SecretStr(vector["signing_secret"]), vector["body"].encode()
    at = float(vector["mock_now"])
    interactive.verify(body, vector["headers"], secret, now=lambda: at)
    assert interactive.sign(body, vector["signing_secret"], int(vector["timestamp"])) == {
        interactive.TIMESTAMP_HEADER: vector["timestamp"],
        interactive.SIGNATURE_HEADER: vector["expected_signature"],
    }
    for case in vector["negative_cases"]:
        if "body" in case:
            with pytest.raises(SignatureError, match="does not match"):
                interactive.verify(case["body"].encode(), vector["headers"], secret, lambda: at)
    with pytest.raises(SignatureError, match="stale"):  # the same headers, on today's clock
        interactive.verify(body, vector["headers"], secret)


def test_the_published_block_actions_payload_is_read(shared_dir: Path) -> None:
    sample = json.loads((shared_dir / PAYLOAD).read_text())
    raw = sample["raw_body_example"].encode()
    assert interactive.parse_action(raw) is None  # its button ("a") is not one of ours
    payload = sample["payload"]
    payload["actions"][0].update(
        action_id="recoup_resolve", value=json.dumps({"case": CASE_ID, "alert": ALERT_KEY})
    )
    found = interactive.parse_action(urlencode({"payload": json.dumps(payload)}).encode())
    assert found is not None
    assert (found.kind, found.case_id, found.alert_key) == ("resolve", CASE_ID, ALERT_KEY)
    assert (found.user_id, found.user_name) == ("W111", "primary-owner")
    assert (found.message.channel, found.message.ts, found.message.blocks) == (
        "C111",
        "111.222",
        (),
    )
    with pytest.raises(PayloadError):
        interactive.parse_action(b"token=abc")
