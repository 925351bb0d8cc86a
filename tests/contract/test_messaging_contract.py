"""MessagingPort contract: the ledger fake, SMTP (a real aiosmtpd server), Gmail, the WhatsApp
Cloud API and Twilio's WhatsApp sender (each aimed at its stand-in) send once per key and
deliver the tracked link and the opt-out line; then, for the real adapters, how they fail:
throttled then through, 5xx until the retries run out, refused at once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from pydantic import SecretStr

from recoup.adapters.fake.ledger import MemoryLedger
from recoup.adapters.fake.messaging import FakeMessaging
from recoup.adapters.gmail.client import GmailMessaging
from recoup.adapters.retry import Backoff
from recoup.adapters.smtp.client import SmtpMessaging
from recoup.adapters.templates import OPT_OUT_LINES, MessageKind, fields_for, render
from recoup.adapters.whatsapp.cloud import WhatsAppCloudMessaging
from recoup.adapters.whatsapp.twilio_sender import TwilioWhatsAppMessaging
from recoup.domain import models as m
from recoup.domain.errors import PermanentPortError, TransientPortError
from recoup.playbook import Templates
from recoup.ports import MessagingPort
from recoup.testing.gmail_api import GmailApi
from recoup.testing.smtp_server import SmtpServer
from recoup.testing.twilio_messaging_api import TwilioMessagingApi
from recoup.testing.vendor_server import Reply
from recoup.testing.whatsapp_cloud_api import WhatsAppCloudApi

PUBLIC = "https://recoup.example.test"
ACCOUNT = m.Account(
    account_id="acc_1",
    name="Ana Diaz",
    email="ana@example.com",
    whatsapp="+14155550100",
    locale="en_US",
)
INVOICE = m.Invoice(
    invoice_ref="in_1",
    number="INV-2026-000123",
    customer_ref="cus_1",
    amount=Decimal("1249.00"),
    due_date=date(2026, 1, 31),
)
FAST = Backoff(attempts=3, base=0.001, cap=0.01)


def make_message(key: str, channel: m.Channel, body_note: str = "") -> m.OutboundMessage:
    """A message as the workflow renders it: playbook wording, tracked link, billing target."""
    token = "tok" + hashlib.sha256(key.encode()).hexdigest()[:12]
    link = f"{PUBLIC}/l/{token}"
    subject, body = render(
        MessageKind.LINK, channel, Templates(), fields_for(ACCOUNT, INVOICE, "Acme", link)
    )
    to = ACCOUNT.email if channel is m.Channel.EMAIL else ACCOUNT.whatsapp
    return m.OutboundMessage(
        key=key,
        case_id="case:stripe:in_1",
        channel=channel,
        to=to or "",
        subject=subject,
        body=body + body_note,
        link_url="https://pay.example.test/i/in_1/abc",
        tracking_token=token,
    )


@dataclass
class Harness:
    """One MessagingPort and a look into the system behind it."""

    port: MessagingPort
    channel: m.Channel
    delivered: Callable[[], list[str]]  # what the customers received, in order
    # Faults (real adapters only): make the next sends throttled, failing or refused.
    throttle: Callable[[int], None] | None = None
    break_down: Callable[[int], None] | None = None
    refuse: Callable[[], None] | None = None
    send_attempts: Callable[[], int] | None = None  # sends the vendor saw, failed ones too


def _fake() -> Iterator[Harness]:
    fake = FakeMessaging(MemoryLedger())
    yield Harness(fake, m.Channel.EMAIL, lambda: [msg.body for msg in fake.sent()])


def _smtp() -> Iterator[Harness]:
    with SmtpServer() as server:
        port = SmtpMessaging(
            "127.0.0.1",
            server.port,
            from_address="Acme <billing@acme.test>",
            starttls=False,
            timeout=5,
            backoff=FAST,
            sleep=lambda _: None,
        )
        yield Harness(
            port,
            m.Channel.EMAIL,
            lambda: [server.text_of(i) for i in range(len(server.messages))],
            throttle=lambda n: server.fail_next("421 4.7.0 Too many connections, slow down", n),
            break_down=lambda n: server.fail_next("451 4.3.0 Local error in processing", n),
            refuse=lambda: server.fail_next("550 5.1.1 Mailbox unavailable"),
            send_attempts=lambda: server.data_commands,
        )


def _gmail() -> Iterator[Harness]:
    with GmailApi() as api:
        port = GmailMessaging(
            SecretStr(api.access_token),
            "billing@acme.test",
            base_url=api.url,
            backoff=FAST,
            sleep=lambda _: None,
        )
        yield Harness(
            port,
            m.Channel.EMAIL,
            lambda: [api.text_of(i) for i in range(len(api.sent()))],
            throttle=lambda n: api.fail_sends(_google(429, "RESOURCE_EXHAUSTED"), n),
            break_down=lambda n: api.fail_sends(_google(503, "UNAVAILABLE"), n),
            refuse=lambda: api.fail_sends(_google(400, "INVALID_ARGUMENT")),
            send_attempts=lambda: len(api.sends()),
        )


def _google(status: int, reason: str) -> Reply:
    error = {"code": status, "message": reason.lower(), "status": reason}
    return Reply(status, {"error": error}, headers={"Retry-After": "0"})


def _cloud() -> Iterator[Harness]:
    with WhatsAppCloudApi() as api:
        port = WhatsAppCloudMessaging(
            SecretStr(api.access_token),
            api.phone_number_id,
            "recoup_payment_message",
            base_url=api.url,
            backoff=FAST,
            sleep=lambda _: None,
        )
        yield Harness(
            port,
            m.Channel.WHATSAPP,
            lambda: [f"{d.text}\n{d.button_url}" for d in api.delivered],
            throttle=lambda n: api.fail_sends(_graph(400, 130429, "Rate limit hit"), n),
            break_down=lambda n: api.fail_sends(
                _graph(500, 2, "Service temporarily unavailable"), n
            ),
            refuse=lambda: api.fail_sends(_graph(400, 131026, "Message undeliverable")),
            send_attempts=lambda: len(api.sends()),
        )
        port.close()


def _graph(status: int, code: int, message: str) -> Reply:
    error = {"message": f"(#{code}) {message}", "type": "OAuthException", "code": code}
    return Reply(status, {"error": error})


def _twilio() -> Iterator[Harness]:
    with TwilioMessagingApi() as api:
        content_sid = next(iter(api.contents))
        port = TwilioWhatsAppMessaging(
            api.account_sid,
            SecretStr(api.auth_token),
            "+14155238886",
            base_url=api.url,
            content_sid=content_sid,
            backoff=FAST,
            sleep=lambda _: None,
        )
        yield Harness(
            port,
            m.Channel.WHATSAPP,
            lambda: [msg["body"] for msg in api.messages],
            throttle=lambda n: api.fail_sends(_twilio_error(429, 20429, "Too Many Requests"), n),
            break_down=lambda n: api.fail_sends(_twilio_error(503, 20500, "Internal error"), n),
            refuse=lambda: api.fail_sends(_twilio_error(400, 63016, "Outside the window")),
            send_attempts=lambda: len(api.creates()),
        )


def _twilio_error(status: int, code: int, message: str) -> Reply:
    return Reply(status, {"code": code, "message": message, "status": status})


BUILDERS = {
    "fake": _fake,
    "smtp": _smtp,
    "gmail": _gmail,
    "whatsapp_cloud": _cloud,
    "twilio_whatsapp": _twilio,
}


@pytest.fixture(params=list(BUILDERS))
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    yield from BUILDERS[request.param]()


@pytest.fixture(params=[name for name in BUILDERS if name != "fake"])
def real(request: pytest.FixtureRequest) -> Iterator[Harness]:
    yield from BUILDERS[request.param]()


def test_sent_once_per_key(harness: Harness) -> None:
    first = harness.port.send(make_message("call_1:link", harness.channel))
    again = harness.port.send(make_message("call_1:link", harness.channel, " (changed)"))
    other = harness.port.send(make_message("call_2:link", harness.channel))
    assert (first.key, first.duplicate) == ("call_1:link", False)
    assert (again.key, again.provider_id, again.duplicate) == (
        "call_1:link",
        first.provider_id,
        True,
    )
    assert (other.key, other.duplicate) == ("call_2:link", False)
    assert other.provider_id != first.provider_id
    delivered = harness.delivered()
    assert len(delivered) == 2
    assert not any("(changed)" in text for text in delivered)


def test_delivered_message_has_the_tracked_link_and_the_opt_out_line(harness: Harness) -> None:
    message = make_message("call_1:link", harness.channel)
    harness.port.send(message)
    [text] = harness.delivered()
    assert f"{PUBLIC}/l/{message.tracking_token}" in text
    assert OPT_OUT_LINES[harness.channel] in text
    assert "INV-2026-000123" in text


def test_throttled_then_through_sends_once(real: Harness) -> None:
    assert real.throttle is not None
    assert real.send_attempts is not None
    real.throttle(1)
    receipt = real.port.send(make_message("call_1:link", real.channel))
    assert receipt.duplicate is False
    assert real.send_attempts() == 2
    assert len(real.delivered()) == 1


def test_server_errors_until_retries_run_out_are_transient(real: Harness) -> None:
    assert real.break_down is not None
    assert real.send_attempts is not None
    real.break_down(FAST.attempts)
    with pytest.raises(TransientPortError):
        real.port.send(make_message("call_1:link", real.channel))
    assert real.send_attempts() == FAST.attempts
    assert real.delivered() == []
    assert real.port.send(make_message("call_1:link", real.channel)).duplicate is False
    assert len(real.delivered()) == 1


def test_a_refusal_is_permanent_and_not_retried(real: Harness) -> None:
    assert real.refuse is not None
    assert real.send_attempts is not None
    real.refuse()
    with pytest.raises(PermanentPortError):
        real.port.send(make_message("call_1:link", real.channel))
    assert real.send_attempts() == 1
    assert real.delivered() == []
