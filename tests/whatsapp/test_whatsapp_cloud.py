"""The WhatsApp Cloud adapter against the Cloud API stand-in: the exact request, Graph error
codes, the SentStore, and numbers in the forms a CRM holds them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from recoup.adapters.retry import Backoff
from recoup.adapters.templates import OPT_OUT_LINES, reference
from recoup.adapters.whatsapp.cloud import WhatsAppCloudMessaging
from recoup.adapters.whatsapp.mapping import (
    MemorySentStore,
    e164,
    graph_error,
    template_parameters,
)
from recoup.domain import models as m
from recoup.domain.errors import PermanentPortError, TransientPortError
from recoup.testing.messages import LINK, link_message
from recoup.testing.vendor_server import Reply
from recoup.testing.whatsapp_cloud_api import WhatsAppCloudApi

FAST = Backoff(attempts=3, base=0.001, cap=0.01)
TEMPLATE = "recoup_payment_message"


def message(key: str = "call_1:link", to: str = "+1 (415) 555-0100") -> m.OutboundMessage:
    body = f"Hi Ana,\n\nhere is the secure link:   {LINK}\n\n{OPT_OUT_LINES[m.Channel.WHATSAPP]}"
    return link_message(m.Channel.WHATSAPP, to, body, key)


@pytest.fixture
def api() -> Iterator[WhatsAppCloudApi]:
    with WhatsAppCloudApi() as running:
        yield running


def cloud(api: WhatsAppCloudApi, **options: object) -> WhatsAppCloudMessaging:
    return WhatsAppCloudMessaging(
        SecretStr(api.access_token),
        api.phone_number_id,
        TEMPLATE,
        base_url=api.url,
        backoff=FAST,
        sleep=lambda _: None,
        **options,  # type: ignore[arg-type]
    )


def test_the_template_request(api: WhatsAppCloudApi) -> None:
    receipt = cloud(api).send(message())
    [request] = api.sends()
    assert request.path == f"/v21.0/{api.phone_number_id}/messages"
    assert request.headers["authorization"] == f"Bearer {api.access_token}"
    body = request.json()
    assert (body["messaging_product"], body["to"], body["type"]) == (
        "whatsapp",
        "14155550100",
        "template",
    )
    assert body["biz_opaque_callback_data"] == "call_1:link"
    template = body["template"]
    assert (template["name"], template["language"]) == (TEMPLATE, {"code": "en_US"})
    subject, text = (p["text"] for p in template["components"][0]["parameters"])
    assert subject == "Your Acme invoice INV-1"
    assert text == f"Hi Ana, here is the secure link: {LINK} Ref: {reference('call_1:link')}"
    assert template["components"][1] == {
        "type": "button",
        "sub_type": "url",
        "index": "0",
        "parameters": [{"type": "text", "text": "tok123"}],
    }
    [shown] = api.delivered
    assert receipt.provider_id == shown.wamid
    assert shown.text.count("Reply STOP") == 1  # the template's line, not a second copy
    assert shown.button_url == "https://recoup.example.test/l/tok123"


def test_the_store_is_consulted_first_and_can_be_shared(api: WhatsAppCloudApi) -> None:
    store = MemorySentStore()
    first = cloud(api, store=store).send(message())
    again = cloud(api, store=store).send(message())
    assert (again.provider_id, again.duplicate) == (first.provider_id, True)
    assert len(api.sends()) == 1
    assert store.get("call_1:link") == first.provider_id


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (400, 130429, TransientPortError),  # throughput: Meta answers 400, not 429
        (400, 131056, TransientPortError),  # pair rate limit
        (400, 4, TransientPortError),  # app request limit
        (503, 2, TransientPortError),
        (401, 190, PermanentPortError),  # token expired
        (400, 131026, PermanentPortError),  # undeliverable
        (404, 132001, PermanentPortError),  # template missing
    ],
)
def test_graph_error_codes(status: int, code: int, kind: type[Exception]) -> None:
    error = graph_error(status, {"error": {"code": code, "message": "x"}}, None)
    assert isinstance(error, kind)


def test_retry_after_from_a_429(api: WhatsAppCloudApi) -> None:
    waits: list[float] = []
    api.fail_sends(Reply(429, {"error": {"code": 80007}}, headers={"Retry-After": "0.02"}))
    port = WhatsAppCloudMessaging(
        SecretStr(api.access_token),
        api.phone_number_id,
        TEMPLATE,
        base_url=api.url,
        backoff=FAST,
        sleep=waits.append,
    )
    port.send(message())
    assert waits == [pytest.approx(0.02)]  # Meta's Retry-After, within the cap


def test_a_wrong_token_or_unknown_template_is_permanent(api: WhatsAppCloudApi) -> None:
    wrong = WhatsAppCloudMessaging(
        SecretStr("EAAG-other"), api.phone_number_id, TEMPLATE, base_url=api.url, backoff=FAST
    )
    with pytest.raises(PermanentPortError, match="code 190"):
        wrong.send(message())
    with pytest.raises(PermanentPortError, match="132001"):
        WhatsAppCloudMessaging(
            SecretStr(api.access_token), api.phone_number_id, "nope", base_url=api.url, backoff=FAST
        ).send(message())
    assert api.delivered == []


def test_an_unreachable_api_is_transient() -> None:
    with WhatsAppCloudApi() as api:
        url = api.url
    port = WhatsAppCloudMessaging(
        SecretStr("t"), "1", TEMPLATE, base_url=url, timeout=1.0, backoff=FAST, sleep=lambda _: None
    )
    with pytest.raises(TransientPortError):
        port.send(message())


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("+1 (415) 555-0100", "+14155550100"),
        ("whatsapp:+447700900123", "+447700900123"),
        ("14155550100", "+14155550100"),
        ("+49 30 901820", "+4930901820"),
    ],
)
def test_numbers_in_e164(given: str, expected: str) -> None:
    assert e164(given) == expected


@pytest.mark.parametrize("bad", ["", "call me", "+1 12"])
def test_unusable_numbers_are_permanent(bad: str) -> None:
    with pytest.raises(PermanentPortError):
        e164(bad)


def test_a_long_message_is_shortened_but_keeps_its_reference() -> None:
    long = message().model_copy(update={"body": "word " * 400 + LINK})
    subject, body, token = template_parameters(long)
    assert len(body) <= 800
    assert body.endswith(f"Ref: {reference('call_1:link')}")
    assert "…" in body
    assert (subject, token) == ("Your Acme invoice INV-1", "tok123")
