"""The SMTP adapter against a real SMTP server on loopback: the exact email, STARTTLS with
AUTH, implicit TLS refused without trust, and the in-process guard against a second send."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from recoup.adapters.retry import Backoff
from recoup.adapters.smtp.client import SmtpMessaging
from recoup.adapters.smtp.mapping import build_email, message_id
from recoup.adapters.templates import OPT_OUT_LINES, reference
from recoup.domain import models as m
from recoup.domain.errors import PermanentPortError, TransientPortError
from recoup.testing.messages import LINK, link_message
from recoup.testing.smtp_server import SmtpServer

FAST = Backoff(attempts=2, base=0.001, cap=0.01)


def message(key: str = "call_1:link", **changes: str) -> m.OutboundMessage:
    to = changes.pop("to", "Ana Diaz <ana@example.com>")
    body = changes.pop("body", f"Hi Ana,\n\nHere is your secure link: {LINK}\n\nThanks,\nAcme")
    return link_message(m.Channel.EMAIL, to, body, key, **changes)


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with SmtpServer() as running:
        yield running


def plain(server: SmtpServer, **options: object) -> SmtpMessaging:
    settings: dict[str, object] = {
        "from_address": "Acme Billing <billing@acme.test>",
        "starttls": False,
        "timeout": 5.0,
        "backoff": FAST,
    }
    return SmtpMessaging("127.0.0.1", server.port, **{**settings, **options})  # type: ignore[arg-type]


def test_the_email_as_sent(server: SmtpServer) -> None:
    receipt = plain(server).send(message())
    [email] = server.messages
    assert server.envelopes == [("billing@acme.test", ["ana@example.com"])]
    assert email["From"] == "Acme Billing <billing@acme.test>"
    assert email["To"] == "ana@example.com"
    assert email["Subject"] == "Your Acme invoice INV-1"
    assert (
        email["Message-ID"] == message_id("call_1:link", "billing@acme.test") == receipt.provider_id
    )
    assert email["Message-ID"].endswith("@acme.test>")
    assert email["X-Recoup-Ref"] == reference("call_1:link")
    assert email["List-Unsubscribe"] == "<mailto:billing@acme.test?subject=unsubscribe>"
    assert email.get_content_type() == "multipart/alternative"
    text = server.text_of()
    assert LINK in text
    assert OPT_OUT_LINES[m.Channel.EMAIL] in text
    assert text.rstrip().endswith(f"Ref: {reference('call_1:link')}")
    html_part = email.get_body(("html",))
    assert html_part is not None
    assert f'<a href="{LINK}">{LINK}</a>' in html_part.get_content()


def test_message_id_is_the_same_for_the_same_key_only() -> None:
    assert message_id("k1", "a@acme.test") == message_id("k1", "Billing <a@acme.test>")
    assert message_id("k1", "a@acme.test") != message_id("k2", "a@acme.test")
    assert build_email(message(), "a@acme.test")["Message-ID"] == message_id(
        "call_1:link", "a@acme.test"
    )


def test_a_body_without_link_or_opt_out_gets_both(server: SmtpServer) -> None:
    plain(server).send(message(body="Hi Ana, please pay."))
    text = server.text_of()  # no tracked URL anywhere: link_url is the only link there is
    assert "Secure payment link: https://pay.example.test/i/in_1" in text
    assert OPT_OUT_LINES[m.Channel.EMAIL] in text
    tracked = message(body="Hi Ana, please pay.", link_url=LINK)
    plain(server).send(tracked.model_copy(update={"key": "call_2:link"}))
    assert f"Secure payment link: {LINK}" in server.text_of()


@pytest.mark.parametrize(
    "change",
    [{"subject": "Invoice\r\nBcc: everyone@example.com"}, {"to": "not-an-address"}],
)
def test_unusable_headers_are_refused_before_connecting(
    server: SmtpServer, change: dict[str, str]
) -> None:
    with pytest.raises(PermanentPortError):
        plain(server).send(message(**change))
    assert server.data_commands == 0


def test_starttls_and_login() -> None:
    with SmtpServer(starttls=True, login=("billing", "s3cret")) as server:
        port = SmtpMessaging(
            "127.0.0.1",
            server.port,
            username="billing",
            password=SecretStr("s3cret"),
            from_address="billing@acme.test",
            starttls=True,
            ssl_context=server.client_context(),
            timeout=5.0,
            backoff=FAST,
        )
        port.send(message())
        assert len(server.messages) == 1
        assert server.logins
        assert server.logins[0].endswith(":billing")


def test_wrong_password_is_permanent() -> None:
    with SmtpServer(starttls=True, login=("billing", "s3cret")) as server:
        port = SmtpMessaging(
            "127.0.0.1",
            server.port,
            username="billing",
            password=SecretStr("wrong"),
            from_address="billing@acme.test",
            ssl_context=server.client_context(),
            backoff=FAST,
        )
        with pytest.raises(PermanentPortError):
            port.send(message())
        assert server.messages == []


def test_an_untrusted_certificate_is_permanent() -> None:
    with SmtpServer(starttls=True) as server:
        port = SmtpMessaging(
            "127.0.0.1", server.port, from_address="billing@acme.test", backoff=FAST
        )
        with pytest.raises(PermanentPortError, match="TLS"):
            port.send(message())


def test_an_unreachable_server_is_transient() -> None:
    with SmtpServer() as server:
        dead = server.port
    port = SmtpMessaging(
        "127.0.0.1",
        dead,
        from_address="billing@acme.test",
        starttls=False,
        timeout=1.0,
        backoff=FAST,
    )
    with pytest.raises(TransientPortError):
        port.send(message())


def test_one_key_sent_from_two_threads_goes_out_once(server: SmtpServer) -> None:
    port = plain(server)
    receipts: list[m.MessageReceipt] = []
    threads = [
        threading.Thread(target=lambda: receipts.append(port.send(message()))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(server.messages) == 1
    assert sorted(r.duplicate for r in receipts) == [False, True, True, True]
    assert len({r.provider_id for r in receipts}) == 1


def test_ssl_and_starttls_together_are_refused() -> None:
    with pytest.raises(ValueError, match="exclude"):
        SmtpMessaging("127.0.0.1", 465, from_address="a@acme.test", starttls=True, use_ssl=True)
