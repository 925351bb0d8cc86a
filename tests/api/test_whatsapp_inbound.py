"""The WhatsApp webhooks through FastAPI: a signed STOP opts the sender's accounts out and
stops their open cases; a bad signature gets 403 and changes nothing; Meta's handshake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from recoup.adapters.whatsapp.inbound import sign_meta
from recoup.api import whatsapp
from recoup.domain import models as m
from recoup.playbook import Playbook
from recoup.store.db import Database
from recoup.store.migrate import upgrade
from recoup.store.opt_outs import number_opted_out
from recoup.store.tables import AccountRow, AuditRow, CaseRow
from recoup.workflows import runtime as runtime_mod
from recoup.workflows.steps_enrich import policy_at

APP_SECRET, VERIFY_TOKEN, TWILIO_TOKEN = "meta-secret", "verify-me", "twilio-token"
PUBLIC = "https://recoup.example.test"
NOW = datetime(2026, 3, 2, 15, tzinfo=UTC)
ANA, OTHER = "+14155550100", "+14085550100"  # same last four digits on purpose


@dataclass
class Dispatcher:
    signals: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)

    def signal(self, case_id: str, message: dict[str, Any], key: str) -> None:
        self.signals.append((case_id, message, key))


@dataclass
class World:
    client: TestClient
    db: Database
    dispatcher: Dispatcher
    runtime: Any


def account(account_id: str, **contact: str) -> AccountRow:
    model = m.Account(
        account_id=account_id, name=account_id, timezone="America/New_York", **contact
    )
    return AccountRow(
        account_id=account_id,
        name=account_id,
        tier="standard",
        segment="smb",
        owner=None,
        timezone=model.timezone,
        opted_out=False,
        data=m.jsonable(model),
    )


def case(case_id: str, seq: int, account_id: str, status: str) -> CaseRow:
    return CaseRow(
        case_id=case_id,
        seq=seq,
        invoice_ref=f"in_{seq}",
        source="stripe",
        trigger_kind="payment_failed",
        account_id=account_id,
        status=status,
        opened_at=NOW,
    )


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    upgrade(db_url)
    db = Database(db_url)
    with db.session() as s:
        s.add_all(
            [
                account("acc_ana", phone=ANA),
                account("acc_ana_wa", whatsapp="+1 415-555-0100"),
                account("acc_other", phone=OTHER),
            ]
        )
        s.flush()
        s.add_all(
            [
                case("case_open", 1, "acc_ana", "waiting"),
                case("case_done", 2, "acc_ana", "closed"),
                case("case_other", 3, "acc_other", "open"),
            ]
        )
    dispatcher = Dispatcher()
    runtime = SimpleNamespace(db=db, clock=SimpleNamespace(now=lambda: NOW), dispatcher=dispatcher)
    app = FastAPI()
    app.state.runtime = runtime
    inbound = whatsapp.WhatsAppInbound(
        PUBLIC, SecretStr(APP_SECRET), SecretStr(VERIFY_TOKEN), SecretStr(TWILIO_TOKEN)
    )
    app.include_router(whatsapp.build_router(inbound))
    yield World(TestClient(app), db, dispatcher, runtime)
    db.dispose()


def meta_body(text: str, sender: str = ANA, wamid: str = "wamid.A1") -> bytes:
    message = {
        "from": sender.lstrip("+"),
        "id": wamid,
        "timestamp": "1772463600",
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": "1"},
        "messages": [message],
    }
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}],
        }
    ).encode()


def post_meta(world: World, body: bytes, signature: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return world.client.post("/webhooks/whatsapp/meta", content=body, headers=headers)


def opted_out(world: World) -> dict[str, bool]:
    with world.db.session() as s:
        return {row.account_id: row.opted_out for row in s.scalars(select(AccountRow))}


def audit_count(world: World) -> int:
    with world.db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditRow)) or 0


def test_a_signed_stop_opts_the_number_out_and_stops_open_cases(world: World) -> None:
    body = meta_body("STOP")
    reply = post_meta(world, body, sign_meta(body, APP_SECRET))
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"received": 1, "opted_out": 1}
    assert opted_out(world) == {"acc_ana": True, "acc_ana_wa": True, "acc_other": False}
    assert world.dispatcher.signals == [
        ("case_open", {"type": "stop", "reason": "opted_out"}, "whatsapp:meta:wamid.A1:stop")
    ]
    with world.db.session() as s:
        assert number_opted_out(s, ANA)
        assert not number_opted_out(s, OTHER)
        stored = s.get(AccountRow, "acc_ana")
        assert stored is not None
        assert stored.data["opted_out"] is True
    again = post_meta(world, body, sign_meta(body, APP_SECRET))  # Meta re-delivers
    assert again.status_code == 200
    assert audit_count(world) == 3  # the number's marker and one entry per account, once


def test_the_contact_policy_then_stops_calling(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = meta_body("stop messaging me")
    assert post_meta(world, body, sign_meta(body, APP_SECRET)).status_code == 200
    monkeypatch.setattr(runtime_mod, "_current", SimpleNamespace(db=world.db, playbook=Playbook()))
    invoice = m.Invoice(
        invoice_ref="in_1",
        number="INV-1",
        customer_ref="cus_1",
        amount=Decimal("120"),
        due_date=date(2026, 2, 1),
    )
    ana = m.Account(account_id="acc_ana", name="Ana", phone=ANA, timezone="America/New_York")
    context = m.CaseContext(
        case_id="case_open",
        account=ana,
        invoice=invoice,
        trigger_kind=m.TriggerKind.PAYMENT_FAILED,
        match_confidence=1.0,
    )
    assert (policy_at(context, NOW).action, policy_at(context, NOW).reason) == (
        "stop",
        "do_not_contact",
    )


@pytest.mark.parametrize(
    "signature", [None, "sha256=" + "0" * 64, sign_meta(b"something else", APP_SECRET)]
)
def test_a_bad_meta_signature_is_403_and_changes_nothing(
    world: World, signature: str | None
) -> None:
    reply = post_meta(world, meta_body("STOP"), signature)
    assert reply.status_code == 403
    assert not any(opted_out(world).values())
    assert world.dispatcher.signals == []
    assert audit_count(world) == 0


def test_a_reply_that_is_not_an_opt_out_changes_nothing(world: World) -> None:
    body = meta_body("I want to cancel my subscription")
    reply = post_meta(world, body, sign_meta(body, APP_SECRET))
    assert reply.json() == {"received": 1, "opted_out": 0}
    assert not any(opted_out(world).values())
    assert audit_count(world) == 0


def test_meta_handshake(world: World) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    ok = world.client.get("/webhooks/whatsapp/meta", params=params)
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = world.client.get("/webhooks/whatsapp/meta", params={**params, "hub.verify_token": "x"})
    assert wrong.status_code == 403


def twilio_params(text: str) -> dict[str, str]:
    return {
        "MessageSid": "SM0001",
        "AccountSid": "AC1",
        "From": f"whatsapp:{ANA}",
        "To": "whatsapp:+14155238886",
        "Body": text,
        "WaId": ANA.lstrip("+"),
        "NumMedia": "0",
    }


def test_twilio_stop_with_a_valid_signature(world: World) -> None:
    params = twilio_params("STOP")
    url = f"{PUBLIC}/webhooks/whatsapp/twilio"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    reply = world.client.post(
        "/webhooks/whatsapp/twilio", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/xml")
    assert "<Response></Response>" in reply.text
    assert opted_out(world)["acc_ana"] is True
    assert [s[0] for s in world.dispatcher.signals] == ["case_open"]


def test_twilio_bad_signature_is_403(world: World) -> None:
    params = twilio_params("STOP")
    signature = RequestValidator("other-token").compute_signature(
        f"{PUBLIC}/webhooks/whatsapp/twilio", params
    )
    reply = world.client.post(
        "/webhooks/whatsapp/twilio", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert reply.status_code == 403
    assert not any(opted_out(world).values())
    assert audit_count(world) == 0


def test_endpoints_without_secrets_refuse(world: World) -> None:
    app = FastAPI()
    app.state.runtime = world.runtime
    app.include_router(whatsapp.build_router(whatsapp.WhatsAppInbound(PUBLIC)))  # no secrets
    client = TestClient(app)
    body = meta_body("STOP")
    assert (
        client.post(
            "/webhooks/whatsapp/meta",
            content=body,
            headers={"X-Hub-Signature-256": sign_meta(body, APP_SECRET)},
        ).status_code
        == 403
    )
    assert (
        client.get("/webhooks/whatsapp/meta", params={"hub.mode": "subscribe"}).status_code == 403
    )
    assert client.post("/webhooks/whatsapp/twilio", data=twilio_params("STOP")).status_code == 403
    assert not any(opted_out(world).values())


def test_a_stop_outlives_the_crm_and_reaches_accounts_stored_later(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the next case stored the CRM's account again and cleared the stop."""
    from recoup.store.opt_outs import account_opted_out

    stranger = "+14155550199"  # no stored account has this number yet
    body = meta_body("STOP", sender=stranger, wamid="wamid.S1")
    assert post_meta(world, body, sign_meta(body, APP_SECRET)).status_code == 200
    monkeypatch.setattr(runtime_mod, "_current", SimpleNamespace(db=world.db, playbook=Playbook()))
    with world.db.session() as s:
        assert account_opted_out(s, "acc_new", ["+1 415 555 0199"])
        assert not account_opted_out(s, "acc_new", ["+1 415 555 0100", None])
    ana = m.Account(account_id="acc_ana", name="Ana", phone=ANA)
    post_meta(world, meta_body("STOP"), sign_meta(meta_body("STOP"), APP_SECRET))
    with world.db.session() as s:
        assert account_opted_out(s, "acc_ana", [])  # stored on the account itself
    context = m.CaseContext(
        case_id="case_open", account=ana.model_copy(update={"opted_out": False}),
        invoice=m.Invoice(invoice_ref="in_1", number="INV-1", customer_ref="cus_1",
                          amount=Decimal("120"), due_date=date(2026, 2, 1)),
        trigger_kind=m.TriggerKind.PAYMENT_FAILED, match_confidence=1.0,
    )  # fmt: skip
    assert policy_at(context, NOW).action == "stop"  # the CRM says nothing; we remember
