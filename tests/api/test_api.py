"""The HTTP surface: Stripe webhooks with real payloads, the JSON API, tracked links."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from recoup import wiring
from recoup.adapters.stripe.webhook import sign
from recoup.api.app import create_app
from recoup.settings import Settings
from recoup.store.tables import CaseRow, TriggerEventRow

SECRET = "whsec_test_api_secret"
TOKEN = "test-operator-token"
FAILED = "fixtures/stripe/lago__2025-04-30.basil_webhooks_payment_intent_payment_failed.json"


@pytest.fixture
def started(db_url: str) -> Iterator[wiring.Started]:
    settings = Settings(
        _env_file=None,
        database_url=db_url,
        clock_speed=86_400.0,  # type: ignore[call-arg]
        stripe_webhook_secret=SECRET,
        api_token=TOKEN,
    )
    app = wiring.start(settings)
    yield app
    wiring.stop(app)


@pytest.fixture
def client(started: wiring.Started) -> TestClient:
    return TestClient(create_app(started.settings, started.runtime))


def post_event(client: TestClient, body: bytes, signature: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post("/webhooks/stripe", content=body, headers=headers)


def counts(app: wiring.Started) -> tuple[int, int]:
    with app.db.session() as s:
        events = s.scalar(select(func.count()).select_from(TriggerEventRow)) or 0
        cases = s.scalar(select(func.count()).select_from(CaseRow)) or 0
    return events, cases


def real_event(shared_dir: Path) -> bytes:
    event = json.loads((shared_dir / FAILED).read_text())
    event["created"] = int(time.time())
    return json.dumps(event).encode()


def test_real_stripe_event_starts_a_case_once(
    client: TestClient, started: wiring.Started, shared_dir: Path
) -> None:
    body = real_event(shared_dir)
    first = post_event(client, body, sign(body, SECRET))
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "started"
    case_id = first.json()["case_id"]
    again = post_event(client, body, sign(body, SECRET))
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert counts(started) == (1, 1)
    detail = client.get(f"/api/cases/{case_id}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert detail.status_code == 200
    assert detail.json()["case"]["source"] == "stripe"


@pytest.mark.parametrize("problem", ["wrong_secret", "tampered", "stale", "missing", "garbage"])
def test_bad_signatures_get_400_and_store_nothing(
    client: TestClient, started: wiring.Started, shared_dir: Path, problem: str
) -> None:
    body = real_event(shared_dir)
    signature: str | None = {
        "wrong_secret": sign(body, "whsec_not_ours"),
        "tampered": sign(body, SECRET),
        "stale": sign(body, SECRET, timestamp=int(time.time()) - 600),
        "missing": None,
        "garbage": "t=abc,v1=nothex",
    }[problem]
    if problem == "tampered":
        body = body.replace(b'"payment_intent.payment_failed"', b'"invoice.paid"')
    response = post_event(client, body, signature)
    assert response.status_code == 400
    assert "error" in response.json()
    assert counts(started) == (0, 0)


def test_malformed_json_with_a_valid_signature_gets_400(
    client: TestClient, started: wiring.Started
) -> None:
    body = b'{"id": "evt_1", "type": '
    response = post_event(client, body, sign(body, SECRET))
    assert response.status_code == 400
    assert counts(started) == (0, 0)


def test_unknown_event_types_are_recorded_and_acknowledged(
    client: TestClient, started: wiring.Started, shared_dir: Path
) -> None:
    path = shared_dir / "fixtures/stripe/lago__2025-04-30.basil_webhooks_charge_dispute_closed.json"
    body = path.read_bytes()
    response = post_event(client, body, sign(body, SECRET))
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert counts(started) == (1, 0)


def test_api_requires_the_token_when_set(client: TestClient) -> None:
    assert client.get("/api/cases").status_code == 401
    assert client.get("/api/cases", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/api/cases", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200
    assert ok.json() == []
    metrics = client.get(
        "/api/metrics?group_by=segment", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert metrics.status_code == 200
    assert metrics.json()["overall"]["cases"] == 0
    missing = client.get("/api/cases/nope", headers={"Authorization": f"Bearer {TOKEN}"})
    assert missing.status_code == 404


def test_unknown_link_is_404(client: TestClient) -> None:
    assert client.get("/l/not-a-token", follow_redirects=False).status_code == 404
