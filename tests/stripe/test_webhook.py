"""Stripe webhook verification: what passes, what is refused, and as which error.

Bodies are real Stripe events from ../shared; the signature vectors come from the stripe-python
test constants and the Stripe docs header example (../shared/fixtures/signatures).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from recoup.adapters.stripe import event_to_trigger, sign, verify_and_parse
from recoup.domain.errors import ConfigError, PayloadError, SignatureError
from recoup.domain.models import TriggerKind

SECRET = "whsec_test_secret_for_recoup"
EVENT = "stripe/lago__2025-04-30.basil_webhooks_payment_intent_payment_failed.json"


@pytest.fixture
def body(shared_dir: Path) -> bytes:
    """A real event body, byte for byte as it was stored (whitespace included)."""
    return (shared_dir / "fixtures" / EVENT).read_bytes()


@pytest.fixture
def scheme(shared_dir: Path) -> dict[str, Any]:
    path = shared_dir / "fixtures" / "signatures" / "stripe_signature_scheme.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def test_valid_signature_returns_plain_dict_that_maps(body: bytes) -> None:
    event = verify_and_parse(body, sign(body, SECRET), SECRET)
    assert type(event) is dict
    assert event == json.loads(body)
    assert event_to_trigger(event).kind is TriggerKind.PAYMENT_FAILED


def test_signature_within_tolerance_is_accepted(body: bytes) -> None:
    header = sign(body, SECRET, timestamp=int(time.time()) - 290)
    assert verify_and_parse(body, header, SECRET)["id"] == "evt_3SVvxMQ8iJWBZFaM1z5wZ6Za"


def test_any_matching_v1_is_accepted_while_a_secret_rotates(body: bytes) -> None:
    """Stripe sends one v1 per active secret during rotation, plus an ignorable v0."""
    old = sign(body, "whsec_old_secret").split(",")[1]
    header = f"{sign(body, SECRET)},{old},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07"
    assert verify_and_parse(body, header, SECRET)["type"] == "payment_intent.payment_failed"


def test_wrong_secret_is_refused(body: bytes) -> None:
    with pytest.raises(SignatureError, match="No signatures found matching"):
        verify_and_parse(body, sign(body, "whsec_someone_else"), SECRET)


def test_tampered_body_is_refused(body: bytes) -> None:
    header = sign(body, SECRET)
    tampered = body.replace(b'"amount": 11880', b'"amount": 11')
    assert tampered != body
    with pytest.raises(SignatureError):
        verify_and_parse(tampered, header, SECRET)


def test_stale_timestamp_is_refused(body: bytes) -> None:
    header = sign(body, SECRET, timestamp=int(time.time()) - 301)
    with pytest.raises(SignatureError, match="tolerance"):
        verify_and_parse(body, header, SECRET)


def test_custom_tolerance_is_honoured(body: bytes) -> None:
    header = sign(body, SECRET, timestamp=int(time.time()) - 60)
    with pytest.raises(SignatureError, match="tolerance"):
        verify_and_parse(body, header, SECRET, tolerance=30)


@pytest.mark.parametrize("header", [None, ""])
def test_missing_header_is_refused(body: bytes, header: str | None) -> None:
    with pytest.raises(SignatureError, match="missing Stripe-Signature"):
        verify_and_parse(body, header, SECRET)


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        "t=not-a-number,v1=abc",
        "v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
        "t=1492774577",
        "t=1492774577,v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39",
    ],
)
def test_malformed_header_is_refused(body: bytes, header: str) -> None:
    with pytest.raises(SignatureError):
        verify_and_parse(body, header, SECRET)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"id": "evt_1", "type": ', "not valid JSON"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b'["evt_1"]', "must be a JSON object"),
    ],
)
def test_signed_but_unreadable_body_is_payload_error(raw: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        verify_and_parse(raw, sign(raw, SECRET), SECRET)


@pytest.mark.parametrize(("secret", "tolerance"), [("", 300), ("  ", 300), (SECRET, 0)])
def test_settings_that_could_never_verify_are_config_errors(
    body: bytes, secret: str, tolerance: int
) -> None:
    with pytest.raises(ConfigError):
        verify_and_parse(body, sign(body, SECRET), secret, tolerance=tolerance)


def test_sign_reproduces_the_computed_vectors(scheme: dict[str, Any]) -> None:
    vectors = scheme["computed_vectors_NOT_published"]["vectors"]
    assert vectors
    for vector in vectors:
        payload = vector["payload"].encode("utf-8")
        assert sign(payload, vector["secret"], vector["timestamp"]) == vector["header"]


def test_computed_vectors_verify_at_their_own_time(
    scheme: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The vectors are years old, so they verify only with the clock set to when they were made."""
    for vector in scheme["computed_vectors_NOT_published"]["vectors"]:
        payload = vector["payload"].encode("utf-8")
        with pytest.raises(SignatureError, match="tolerance"):
            verify_and_parse(payload, vector["header"], vector["secret"])
        monkeypatch.setattr(time, "time", lambda ts=vector["timestamp"]: ts + 299.0)
        event = verify_and_parse(payload, vector["header"], vector["secret"])
        assert event["id"] == "evt_test_webhook"
        monkeypatch.undo()


def test_published_docs_header_is_parsed_and_refused_without_its_secret(
    scheme: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stripe never published the secret behind its docs example: it must read, then not match."""
    example = scheme["published_header_example"]
    payload = scheme["stripe_python_test_constants"]["DUMMY_WEBHOOK_PAYLOAD"].encode("utf-8")
    monkeypatch.setattr(time, "time", lambda: example["parsed"]["t"] + 1.0)
    with pytest.raises(SignatureError, match="No signatures found matching"):
        verify_and_parse(payload, example["header"], "whsec_test_secret")
