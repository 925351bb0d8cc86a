"""Twilio's WhatsApp sender through the official SDK against the Messages API stand-in: the
look-up then the create, Content templates or a free-form body, and no resend after a send
Twilio took but answered with an error."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from recoup.adapters.retry import Backoff
from recoup.adapters.templates import OPT_OUT_LINES, reference
from recoup.adapters.whatsapp.twilio_sender import TwilioWhatsAppMessaging
from recoup.domain import models as m
from recoup.domain.errors import PermanentPortError, TransientPortError
from recoup.testing.messages import LINK, link_message
from recoup.testing.twilio_messaging_api import TwilioMessagingApi
from recoup.testing.vendor_server import Reply

FAST = Backoff(attempts=3, base=0.001, cap=0.01)
SENDER = "+14155238886"


def message(key: str = "call_1:link") -> m.OutboundMessage:
    body = f"Hi Ana, here is the secure link: {LINK}"
    return link_message(m.Channel.WHATSAPP, "+1 415 555 0100", body, key)


@pytest.fixture
def api() -> Iterator[TwilioMessagingApi]:
    with TwilioMessagingApi() as running:
        yield running


def twilio(api: TwilioMessagingApi, content: bool = True) -> TwilioWhatsAppMessaging:
    return TwilioWhatsAppMessaging(
        api.account_sid,
        SecretStr(api.auth_token),
        SENDER,
        base_url=api.url,
        content_sid=next(iter(api.contents)) if content else None,
        backoff=FAST,
        sleep=lambda _: None,
    )


def test_lists_then_creates_with_the_content_template(api: TwilioMessagingApi) -> None:
    receipt = twilio(api).send(message())
    listing, create = api.server.requests
    path = f"/2010-04-01/Accounts/{api.account_sid}/Messages.json"
    assert (listing.method, listing.path) == ("GET", path)
    assert listing.query["To"] == ["whatsapp:+14155550100"]
    assert listing.query["From"] == [f"whatsapp:{SENDER}"]
    assert (create.method, create.path) == ("POST", path)
    basic = base64.b64encode(f"{api.account_sid}:{api.auth_token}".encode()).decode()
    assert create.headers["authorization"] == f"Basic {basic}"
    assert create.form_value("To") == "whatsapp:+14155550100"
    assert create.form_value("From") == f"whatsapp:{SENDER}"
    assert create.form_value("ContentSid") == next(iter(api.contents))
    assert create.form_value("Body") is None
    variables = json.loads(create.form_value("ContentVariables") or "{}")
    assert variables == {
        "1": "Your Acme invoice INV-1",
        "2": f"Hi Ana, here is the secure link: {LINK} Ref: {reference('call_1:link')}",
        "3": "tok123",
    }
    assert receipt.provider_id == api.messages[0]["sid"]


def test_a_free_form_body_carries_link_opt_out_and_reference(api: TwilioMessagingApi) -> None:
    twilio(api, content=False).send(message())
    body = api.messages[0]["body"]
    assert LINK in body
    assert OPT_OUT_LINES[m.Channel.WHATSAPP] in body
    assert reference("call_1:link") in body
    assert api.creates()[0].form_value("ContentSid") is None


def test_a_send_twilio_took_but_answered_500_is_not_repeated(api: TwilioMessagingApi) -> None:
    api.fail_sends(Reply(500, {"code": 20500, "message": "Internal"}), after_storing=True)
    receipt = twilio(api).send(message())
    assert len(api.messages) == 1
    assert len(api.creates()) == 1
    assert (receipt.provider_id, receipt.duplicate) == (api.messages[0]["sid"], True)


def test_a_new_adapter_finds_the_earlier_send(api: TwilioMessagingApi) -> None:
    first = twilio(api).send(message())
    again = twilio(api).send(message())
    assert (again.provider_id, again.duplicate) == (first.provider_id, True)
    assert len(api.creates()) == 1


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (Reply(400, {"code": 63018, "message": "Rate limit", "status": 400}), TransientPortError),
        (Reply(401, {"code": 20003, "message": "Authenticate", "status": 401}), PermanentPortError),
        (Reply(400, {"code": 21211, "message": "Invalid To", "status": 400}), PermanentPortError),
    ],
)
def test_twilio_errors(api: TwilioMessagingApi, reply: Reply, kind: type[Exception]) -> None:
    api.fail_sends(reply, times=FAST.attempts)
    with pytest.raises(kind):
        twilio(api).send(message())
    assert api.messages == []


def test_the_sdk_never_logs_the_number(
    api: TwilioMessagingApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")  # the SDK logs query strings at INFO; urllib3 at DEBUG only
    caplog.set_level("INFO", logger="recoup")
    # ``recoup.logs.configure`` (run by an earlier CLI test in the same process) stops our
    # loggers propagating to the root, where caplog listens: listen on ours directly too.
    ours = logging.getLogger("recoup")
    ours.addHandler(caplog.handler)
    try:
        twilio(api).send(message())
    finally:
        ours.removeHandler(caplog.handler)
    assert "4155550100" not in caplog.text
    assert reference("call_1:link") in caplog.text
