"""Reading inbound WhatsApp webhooks: which replies are opt-outs, Meta's and Twilio's
signatures (Twilio's against its published vectors), the handshake, and the payload shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from twilio.request_validator import RequestValidator

from recoup.adapters.whatsapp.inbound import (
    InboundMessage,
    is_opt_out,
    meta_handshake,
    parse_meta,
    parse_twilio,
    sign_meta,
    verify_meta,
    verify_twilio,
)
from recoup.domain.errors import PayloadError, SignatureError

SECRET = "meta-app-secret"
VECTORS = "fixtures/signatures/twilio_request_validator_vectors.json"


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        " Stop. ",
        "STOP ALL",
        "Unsubscribe",
        "CANCEL",
        "end",
        "Quit!",
        "stop messaging me",
        "Please stop messaging me",
        "STOP CONTACTING ME!!",
        "opt out",
    ],
)
def test_opt_outs(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text",
    [
        "I want to cancel my subscription",
        "don't stop",
        "the end of the month works",
        "stopped by the bank?",
        "I paid already",
        "",
        "STOPS",
    ],
)
def test_not_opt_outs(text: str) -> None:
    assert not is_opt_out(text)


def meta_payload(*messages: dict[str, Any], statuses: bool = False) -> bytes:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": "14155550100"}],
        "messages": list(messages),
    }
    if statuses:
        value = {**value, "messages": [], "statuses": [{"id": "wamid.X", "status": "read"}]}
    entry = {"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


def text_message(body: str, sender: str = "14155550100", wamid: str = "wamid.A") -> dict[str, Any]:
    return {
        "from": sender,
        "id": wamid,
        "timestamp": "1749416383",
        "type": "text",
        "text": {"body": body},
    }


def test_meta_messages_are_read() -> None:
    button = {
        "from": "447700900123",
        "id": "wamid.B",
        "type": "button",
        "button": {"text": "Stop promotions", "payload": "STOP"},
    }
    reply = {
        "from": "14155550100",
        "id": "wamid.C",
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": "1", "title": "STOP"}},
    }
    image = {"from": "14155550100", "id": "wamid.D", "type": "image", "image": {"id": "m1"}}
    found = parse_meta(meta_payload(text_message("STOP"), button, reply, image))
    assert found == [
        InboundMessage("meta", "wamid.A", "+14155550100", "STOP", True),
        InboundMessage("meta", "wamid.B", "+447700900123", "Stop promotions", False),
        InboundMessage("meta", "wamid.C", "+14155550100", "STOP", True),
        InboundMessage("meta", "wamid.D", "+14155550100", "", False),
    ]
    assert parse_meta(meta_payload(statuses=True)) == []


@pytest.mark.parametrize(
    "body", [b"not json", b'{"entry": [{"changes": [{"value": {"messages": [{}]}}]}]}']
)
def test_unreadable_meta_payloads(body: bytes) -> None:
    with pytest.raises(PayloadError):
        parse_meta(body)


def test_meta_signature() -> None:
    body = meta_payload(text_message("STOP"))
    verify_meta(body, sign_meta(body, SECRET), SECRET)
    for header in (None, "", "sha1=abc", sign_meta(body, "other"), sign_meta(body + b" ", SECRET)):
        with pytest.raises(SignatureError):
            verify_meta(body, header, SECRET)


def test_meta_handshake() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "vt", "hub.challenge": "1158201444"}
    assert meta_handshake(params, "vt") == "1158201444"
    with pytest.raises(SignatureError):
        meta_handshake({**params, "hub.verify_token": "nope"}, "vt")
    with pytest.raises(SignatureError):
        meta_handshake({**params, "hub.mode": "unsubscribe"}, "vt")
    with pytest.raises(PayloadError):
        meta_handshake({**params, "hub.challenge": ""}, "vt")


def test_twilio_signature_matches_the_published_vectors(shared_dir: Path) -> None:
    vectors = json.loads((shared_dir / VECTORS).read_text())
    case = next(c for c in vectors["cases"] if c["name"] == "compute_signature")
    verify_twilio(case["url"], case["params"], case["expected"], vectors["auth_token"])
    with pytest.raises(SignatureError):
        verify_twilio(case["url"], {**case["params"], "Digits": "0"}, case["expected"], "12345")
    with pytest.raises(SignatureError):
        verify_twilio(case["url"], case["params"], None, vectors["auth_token"])


def test_twilio_whatsapp_messages_are_read() -> None:
    params = {
        "MessageSid": "SM1",
        "From": "whatsapp:+14155550100",
        "To": "whatsapp:+14155238886",
        "Body": "Stop",
        "WaId": "14155550100",
        "ProfileName": "Ana",
    }
    assert parse_twilio(params) == [InboundMessage("twilio", "SM1", "+14155550100", "Stop", True)]
    url = "https://recoup.example.test/webhooks/whatsapp/twilio"
    signature = RequestValidator("tok").compute_signature(url, params)
    verify_twilio(url, params, signature, "tok")
    status = {"MessageSid": "SM2", "MessageStatus": "delivered", "From": "whatsapp:+14155238886"}
    assert parse_twilio(status) == []
    assert parse_twilio({**params, "From": "+14155550100"}) == []  # SMS, not WhatsApp
    with pytest.raises(PayloadError):
        parse_twilio({**params, "From": "whatsapp:abc"})
