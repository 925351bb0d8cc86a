"""The Gmail adapter against the Gmail stand-in: the exact requests, the look-up before every
send and retry, a Message-ID Gmail rewrote, and the three kinds of credentials."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import threading
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from recoup.adapters.gmail.client import GmailMessaging
from recoup.adapters.gmail.mapping import SCOPES, credentials_from
from recoup.adapters.retry import Backoff
from recoup.adapters.smtp.mapping import message_id
from recoup.adapters.templates import reference
from recoup.domain import models as m
from recoup.domain.errors import ConfigError, PermanentPortError, TransientPortError
from recoup.testing.gmail_api import GmailApi
from recoup.testing.messages import LINK, link_message
from recoup.testing.vendor_server import Reply

FAST = Backoff(attempts=3, base=0.001, cap=0.01)
SENDER = "billing@acme.test"


def message(key: str = "call_1:link") -> m.OutboundMessage:
    return link_message(m.Channel.EMAIL, "ana@example.com", f"Hi Ana, pay here: {LINK}", key)


@pytest.fixture
def api() -> Iterator[GmailApi]:
    with GmailApi() as running:
        yield running


def gmail(api: GmailApi, secret: str | None = None, **options: object) -> GmailMessaging:
    return GmailMessaging(
        SecretStr(secret or api.access_token),
        SENDER,
        base_url=api.url,
        backoff=FAST,
        sleep=lambda _: None,
        **options,  # type: ignore[arg-type]
    )


def test_looks_up_then_sends_the_raw_email(api: GmailApi) -> None:
    receipt = gmail(api).send(message())
    lookup, send = api.server.requests
    assert (lookup.method, lookup.path) == ("GET", "/gmail/v1/users/me/messages")
    own_id = message_id("call_1:link", SENDER).strip("<>")
    assert lookup.query["q"] == [f'{{rfc822msgid:{own_id} "{reference("call_1:link")}"}}']
    assert lookup.query["includeSpamTrash"] == ["true"]
    assert (send.method, send.path) == ("POST", "/gmail/v1/users/me/messages/send")
    for request in (lookup, send):
        assert request.headers["authorization"] == f"Bearer {api.access_token}"
    raw = send.json()["raw"]
    sent = email.message_from_bytes(base64.urlsafe_b64decode(raw), policy=email.policy.default)
    assert sent["Message-ID"] == f"<{own_id}>"
    assert (sent["From"], sent["To"]) == (SENDER, "ana@example.com")
    assert receipt.provider_id == api.mailbox[0]["id"]


def test_an_earlier_send_is_found_even_if_gmail_rewrote_its_message_id() -> None:
    with GmailApi(rewrite_message_id=True) as api:
        first = gmail(api).send(message())
        again = gmail(api).send(message())  # a new adapter: nothing remembered in process
        assert api.sent()[0]["Message-ID"] != message_id("call_1:link", SENDER)
        assert (again.provider_id, again.duplicate) == (first.provider_id, True)
        assert len(api.sends()) == 1


def test_a_send_gmail_took_but_answered_500_is_not_repeated(api: GmailApi) -> None:
    api.fail_sends(Reply(500, {"error": {"code": 500, "message": "backend"}}), after_storing=True)
    receipt = gmail(api).send(message())
    assert len(api.sent()) == 1
    assert len(api.sends()) == 1  # the retry's look-up found it: no second send
    assert (receipt.provider_id, receipt.duplicate) == (api.mailbox[0]["id"], True)


def test_retry_after_is_honoured(api: GmailApi) -> None:
    waits: list[float] = []
    error = {"error": {"code": 429, "message": "Too many", "status": "RESOURCE_EXHAUSTED"}}
    api.fail_sends(Reply(429, error, headers={"Retry-After": "3"}))
    port = GmailMessaging(
        SecretStr(api.access_token), SENDER, base_url=api.url, backoff=FAST, sleep=waits.append
    )
    port.send(message())
    assert waits == [pytest.approx(min(3.0, FAST.cap * 4))]


def test_a_bad_token_is_permanent(api: GmailApi) -> None:
    with pytest.raises(PermanentPortError, match="refused"):
        gmail(api, secret="ya29.expired").send(message())
    assert api.sent() == []


def test_an_unreachable_api_is_transient() -> None:
    with GmailApi() as api:
        url = api.url
    port = GmailMessaging(
        SecretStr("ya29.x"), SENDER, base_url=url, timeout=1.0, backoff=FAST, sleep=lambda _: None
    )
    with pytest.raises(TransientPortError):
        port.send(message())


def service_account_info(token_uri: str) -> dict[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": "recoup-test",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "recoup@recoup-test.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }


def test_a_service_account_acts_as_the_delegated_mailbox(api: GmailApi) -> None:
    secret = json.dumps(service_account_info(f"{api.url}/token"))
    port = gmail(api, secret=secret, delegated_user=SENDER)
    port.send(message())
    [grant] = api.server.calls("POST", "/token")
    assert grant.form_value("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assertion = grant.form_value("assertion") or ""
    claims = json.loads(base64.urlsafe_b64decode(assertion.split(".")[1] + "=="))
    assert claims["sub"] == SENDER
    assert claims["scope"].split() == list(SCOPES)
    assert len(api.sent()) == 1


def test_credentials_kinds() -> None:
    token = credentials_from(SecretStr("ya29.abc"), None)
    assert token.token == "ya29.abc"  # type: ignore[attr-defined]
    user = {"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "r"}
    assert credentials_from(SecretStr(json.dumps(user)), None).refresh_token == "r"  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="mailbox"):
        credentials_from(SecretStr(json.dumps(service_account_info("https://t"))), None)
    with pytest.raises(ConfigError, match="unsupported"):
        credentials_from(SecretStr('{"type": "external_account"}'), None)
    with pytest.raises(ConfigError, match="incomplete"):
        credentials_from(SecretStr('{"type": "authorized_user"}'), None)
    with pytest.raises(ConfigError, match="parse"):
        credentials_from(SecretStr("{not json"), None)


def test_threads_share_one_adapter_safely(api: GmailApi) -> None:
    port = gmail(api)
    keys = [f"call_{i}:link" for i in range(6)]
    receipts: list[m.MessageReceipt] = []
    threads = [
        threading.Thread(target=lambda k=k: receipts.append(port.send(message(k)))) for k in keys
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.key for r in receipts) == sorted(keys)
    assert len(api.sent()) == 6
