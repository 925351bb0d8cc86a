"""The messaging stand-ins answer in their vendors' documented shapes, keep state, and refuse
what the real APIs refuse; spoken to with plain HTTP (and smtplib), not through the adapters."""

from __future__ import annotations

import base64
import json
import smtplib
from email.message import EmailMessage

import httpx
import pytest

from recoup.testing.gmail_api import GmailApi
from recoup.testing.smtp_server import SmtpServer
from recoup.testing.twilio_messaging_api import TwilioMessagingApi
from recoup.testing.whatsapp_cloud_api import WhatsAppCloudApi


def raw_email(message_id: str, text: str) -> str:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "a@acme.test", "b@example.com", "Hi"
    mail["Message-ID"] = message_id
    mail.set_content(text)
    return base64.urlsafe_b64encode(mail.as_bytes()).decode()


def test_gmail_send_then_search() -> None:
    with GmailApi() as api:
        auth = {"Authorization": f"Bearer {api.access_token}"}
        base = f"{api.url}/gmail/v1/users/me/messages"
        sent = httpx.post(
            f"{base}/send", headers=auth, json={"raw": raw_email("<x@acme>", "Ref A1")}
        )
        assert sent.status_code == 200
        assert set(sent.json()) == {"id", "threadId", "labelIds"}
        for query, hits in [
            ("rfc822msgid:x@acme", 1),
            ('"ref a1"', 1),
            ('"nope"', 0),
            ('{rfc822msgid:y@acme "Ref A1"}', 1),
            ('rfc822msgid:y@acme "Ref A1"', 0),
        ]:
            found = httpx.get(base, headers=auth, params={"q": query}).json()
            assert found["resultSizeEstimate"] == hits, query
            assert ("messages" in found) == bool(hits)
        refused = httpx.get(base, headers={"Authorization": "Bearer other"})
        assert refused.status_code == 401
        assert refused.json()["error"]["status"] == "UNAUTHENTICATED"


def template_request(name: str = "recoup_payment_message", body: str = "text") -> dict[str, object]:
    return {
        "messaging_product": "whatsapp",
        "to": "14155550100",
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": "en_US"},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": "S"}, {"type": "text", "text": body}],
                },
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "0",
                    "parameters": [{"type": "text", "text": "tok"}],
                },
            ],
        },
    }


@pytest.mark.parametrize(
    ("request_body", "status", "code"),
    [
        (template_request(), 200, None),
        (template_request(name="other"), 404, 132001),
        (template_request(body="two\nlines"), 400, 132018),
    ],
)
def test_whatsapp_cloud_templates(
    request_body: dict[str, object], status: int, code: int | None
) -> None:
    with WhatsAppCloudApi() as api:
        reply = httpx.post(
            f"{api.url}/v21.0/{api.phone_number_id}/messages",
            headers={"Authorization": f"Bearer {api.access_token}"},
            json=request_body,
        )
        assert reply.status_code == status
        if code is None:
            assert reply.json()["messages"][0]["id"].startswith("wamid.")
            assert api.delivered[0].text.startswith("Update: S.\n\ntext\n\nReply STOP")
            assert api.delivered[0].button_url.endswith("/l/tok")
        else:
            assert reply.json()["error"]["code"] == code
            assert api.delivered == []


def test_twilio_create_and_list_newest_first() -> None:
    with TwilioMessagingApi() as api:
        url = f"{api.url}/2010-04-01/Accounts/{api.account_sid}/Messages.json"
        auth = (api.account_sid, api.auth_token)
        for text in ("one", "two"):
            form = {"To": "whatsapp:+14155550100", "From": "whatsapp:+14155238886", "Body": text}
            created = httpx.post(url, auth=auth, data=form)
            assert created.status_code == 201
            assert created.json()["sid"].startswith("SM")
        content = {
            "To": "whatsapp:+14155550100",
            "From": "whatsapp:+14155238886",
            "ContentSid": next(iter(api.contents)),
            "ContentVariables": json.dumps({"1": "S", "2": "B"}),
        }
        assert "Update: S.\n\nB" in httpx.post(url, auth=auth, data=content).json()["body"]
        listed = httpx.get(url, auth=auth, params={"To": "whatsapp:+14155550100", "PageSize": 2})
        assert [m["body"] for m in listed.json()["messages"]][1] == "two"
        assert listed.json()["next_page_uri"] is None
        bad = httpx.post(url, auth=auth, data={**form, "To": "+14155550100"})
        assert (bad.status_code, bad.json()["code"]) == (400, 21211)
        assert httpx.get(url, auth=(api.account_sid, "wrong")).status_code == 401


def test_smtp_server_keeps_mail_and_injects_faults() -> None:
    with SmtpServer() as server, smtplib.SMTP("127.0.0.1", server.port, timeout=5) as client:
        server.fail_next("451 4.3.0 later")
        with pytest.raises(smtplib.SMTPDataError):
            client.sendmail("a@acme.test", ["b@example.com"], b"Subject: x\r\n\r\nhello\r\n")
        client.sendmail("a@acme.test", ["b@example.com"], b"Subject: x\r\n\r\nhello\r\n")
    assert server.data_commands == 2
    assert server.envelopes == [("a@acme.test", ["b@example.com"])]
    assert server.text_of().strip() == "hello"
