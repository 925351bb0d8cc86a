"""``X-Twilio-Signature``: the published vectors (twilio-python's own tests, read in place from
../shared), and the URL rebuilt from the public base and the raw path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from recoup.adapters.twilio.signature import TwilioSignature
from recoup.domain.errors import ConfigError, SignatureError

VECTORS = "fixtures/signatures/twilio_request_validator_vectors.json"


def vectors(shared_dir: Path) -> dict[str, Any]:
    path = shared_dir / VECTORS
    if not path.is_file():
        pytest.skip(f"Twilio signature vectors not found at {path}")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def pairs(params: Any) -> list[tuple[str, str]]:
    return list(params.items()) if isinstance(params, dict) else [tuple(p) for p in params]


def test_the_published_vectors_verify(shared_dir: Path) -> None:
    data = vectors(shared_dir)
    signer = TwilioSignature(SecretStr(data["auth_token"]), "https://unused.example")
    assert data["header"] == "X-Twilio-Signature"
    for case in data["cases"]:
        params = case["body"] if "body" in case else pairs(case["params"])
        signer.verify(case["url"], params, case["expected"])  # raises if it does not match
        if "body" not in case:
            assert signer.sign(case["url"], params) == case["expected"], case["name"]


def test_the_vectors_fail_when_anything_changes(shared_dir: Path) -> None:
    data = vectors(shared_dir)
    signer = TwilioSignature(SecretStr(data["auth_token"]), "https://unused.example")
    case = data["cases"][0]
    params = pairs(case["params"])
    changed = [(k, v + "0" if k == "Digits" else v) for k, v in params]
    for url, form, signature in [
        (case["url"], changed, case["expected"]),
        (case["url"].replace("foo=1", "foo=2"), params, case["expected"]),
        (case["url"], params, case["expected"][:-2] + "A="),
        (case["url"], params, None),
        (case["url"], params, ""),
    ]:
        with pytest.raises(SignatureError):
            signer.verify(url, form, signature)
    other = TwilioSignature(SecretStr("54321"), "https://unused.example")
    with pytest.raises(SignatureError, match="does not match"):
        other.verify(case["url"], params, case["expected"])


def test_the_public_url_keeps_the_raw_path_and_query() -> None:
    signer = TwilioSignature(SecretStr("t"), "https://recoup.example.com/base/")
    url = signer.public_url("/webhooks/twilio/voice/case%3Ax", "turn=2")
    assert url == "https://recoup.example.com/base/webhooks/twilio/voice/case%3Ax?turn=2"
    assert signer.public_url("/p") == "https://recoup.example.com/base/p"
    form = [("SpeechResult", "yes"), ("Confidence", "0.9"), ("SpeechResult", "again")]
    signer.verify(url, form, signer.sign(url, form))


def test_an_empty_token_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="RECOUP_TWILIO_AUTH_TOKEN"):
        TwilioSignature(SecretStr(""), "https://x")
