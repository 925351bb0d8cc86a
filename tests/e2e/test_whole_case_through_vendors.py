"""Issue 4's end-to-end case: every integration pointed at a local server, one case end to end.

A signed Stripe ``invoice.payment_failed`` (Stripe's own payload from ../shared) opens the case;
the workflow reads the invoice from the Stripe stand-in and the customer from the HubSpot
stand-in, dials through the Twilio stand-in, and the test plays the call through the app's
signed voice webhooks as Twilio would. The customer reads a card number mid-call, then asks
for the link by email: the write-back lands in Stripe's metadata and as a HubSpot note and
task, the email goes through a real SMTP server on loopback, the tracked link is opened
through the app, the invoice is paid on the stand-in and the signed ``invoice.paid`` closes
the case. Then a Luhn scan proves the card number reached no table row (DBOS's own included),
no email, no note and no request to any vendor.

Everything runs in this process: DBOS is launched by ``recoup.wiring.start`` on a fresh
database, on SQLite and on PostgreSQL. The simulated clock runs at real speed from noon in
New York on a Wednesday, so the contact policy's own calling window lets the call go out.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, inspect, select, text

from recoup import wiring
from recoup.adapters.clock import AcceleratedClock
from recoup.adapters.hubspot.engagements import marker
from recoup.adapters.stripe.webhook import sign
from recoup.api.app import create_app
from recoup.settings import Settings
from recoup.store.db import normalise_url
from recoup.store.guard import card_numbers
from recoup.store.tables import (
    AuditRow,
    CallAttemptRow,
    CaseRow,
    DispositionRow,
    MessageRow,
    VoiceCallRow,
    WriteBackRow,
)
from recoup.testing.hubspot_api import HubSpotApi
from recoup.testing.slack_api import SlackApi
from recoup.testing.smtp_server import SmtpServer
from recoup.testing.stripe_api import StripeApi
from recoup.testing.stripe_shapes import customer_object
from recoup.testing.twilio_api import TwilioApi
from recoup.testing.twilio_replay import replay
from recoup.testing.vendor_server import VendorServer
from recoup.testing.whatsapp_cloud_api import WhatsAppCloudApi

T = TypeVar("T")

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FAILED_INVOICE = SHARED / "fixtures" / "stripe" / "pay__invoice.payment_failed.json"
PUBLIC_URL = "https://recoup.example.test"
WEBHOOK_SECRET = "whsec_e2e_whole_case"
FROM_NUMBER = "+14155550100"
CUSTOMER_PHONE = "+12125550132"
CUSTOMER_EMAIL = "ana@diaz.example"
OWNER_EMAIL = "olivia@seller.example"
#: A Wednesday, 12:00 in New York: inside the default playbook's calling window.
NOON_IN_NEW_YORK = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
CARD = "4242 4242 4242 4242"
#: The customer's side of the call: verified, reads a card number (and is stopped), then
#: asks for the link by email.
REPLIES = [
    "Yes, speaking.",
    f"sure, my card is {CARD} expiry oh four twenty nine",
    "Send me a link and I'll pay it now.",
    "Email please.",
    "Yes.",
]
#: Generous for a slow shared machine; a healthy run takes a few seconds end to end.
DEADLINE_S = 30.0


@dataclass
class Vendors:
    """The local servers standing in for every integration (Slack and WhatsApp too, though
    this case neither alerts anyone nor prefers WhatsApp to email)."""

    stripe: StripeApi
    hubspot: HubSpotApi
    twilio: TwilioApi
    smtp: SmtpServer
    slack: SlackApi
    whatsapp: WhatsAppCloudApi

    def servers(self) -> list[VendorServer]:
        return [self.stripe.server, self.hubspot.server, self.twilio.server,
                self.slack.server, self.whatsapp.server]  # fmt: skip


@dataclass
class Recoup:
    """The launched app (DBOS in this process) and a client on its public URL."""

    started: wiring.Started
    client: TestClient


def wait_for(what: str, probe: Callable[[], T | None], seconds: float = DEADLINE_S) -> T:
    """Poll ``probe`` until it returns something truthy; fail naming ``what`` at the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def failed_invoice() -> dict[str, Any]:
    """Stripe's own ``invoice.payment_failed`` data (``object`` + ``previous_attributes``)."""
    if not FAILED_INVOICE.is_file():
        pytest.skip(f"../shared fixture not found at {FAILED_INVOICE}: third-party data absent")
    data: dict[str, Any] = json.loads(FAILED_INVOICE.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def vendors() -> Iterator[Vendors]:
    with ExitStack() as stack:
        yield Vendors(
            stripe=stack.enter_context(StripeApi()),
            hubspot=stack.enter_context(HubSpotApi()),
            twilio=stack.enter_context(TwilioApi()),
            smtp=stack.enter_context(SmtpServer()),
            slack=stack.enter_context(SlackApi()),
            whatsapp=stack.enter_context(WhatsAppCloudApi()),
        )


def settings_for(db_url: str, v: Vendors) -> Settings:
    """Every integration switched on and aimed at its local server."""
    clock = AcceleratedClock(NOON_IN_NEW_YORK, time.time(), 1.0).encode()
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        database_url=db_url,
        public_base_url=PUBLIC_URL,
        clock_origin=clock,
        company_name="Acme Cloud",
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_key=v.stripe.gate.api_key,
        stripe_api_base=v.stripe.url,
        crm="hubspot",
        hubspot_access_token=v.hubspot.token,
        hubspot_base_url=v.hubspot.url,
        twilio_account_sid=v.twilio.account_sid,
        twilio_auth_token=v.twilio.auth_token,
        twilio_from_number=FROM_NUMBER,
        twilio_api_base=v.twilio.url,
        email="smtp",
        email_from="Acme Billing <billing@acme.test>",
        smtp_host="127.0.0.1",
        smtp_port=v.smtp.port,
        smtp_security="none",
        smtp_timeout=5.0,
        whatsapp="cloud",
        whatsapp_access_token=v.whatsapp.access_token,
        whatsapp_phone_number_id=v.whatsapp.phone_number_id,
        whatsapp_api_base=v.whatsapp.url,
        slack_bot_token=v.slack.token,
        slack_signing_secret="slack-e2e-signing-secret",
        slack_default_channel="C0FINANCE1",
        slack_api_base=v.slack.base_url,
    )


@pytest.fixture
def recoup(db_url: str, vendors: Vendors) -> Iterator[Recoup]:
    started = wiring.start(settings_for(db_url, vendors))
    try:
        client = TestClient(create_app(started.settings, started.runtime), base_url=PUBLIC_URL)
        yield Recoup(started, client)
    finally:
        wiring.stop(started)


def seed(v: Vendors, invoice: dict[str, Any]) -> str:
    """Stripe holds the failed invoice and its customer; HubSpot holds the customer as a
    contact (billing ref = the Stripe customer ID, a New York phone and zone, an owner).
    Returns the HubSpot contact ID."""
    v.stripe.add_customer(customer_object(invoice["customer"], email=CUSTOMER_EMAIL,
                                          name="Ana Diaz"))  # fmt: skip
    v.stripe.add_invoice(invoice)
    owner = v.hubspot.add_owner(OWNER_EMAIL, "Olivia", "Owner")
    company = v.hubspot.add_company(name="Diaz Studio", recoup_tier="Standard",
                                    hubspot_owner_id=owner)  # fmt: skip
    return v.hubspot.add_contact(
        company, firstname="Ana", lastname="Diaz", email=CUSTOMER_EMAIL,
        phone=CUSTOMER_PHONE, hs_timezone="america_slash_new_york",
        hubspot_owner_id=owner, recoup_billing_ref=invoice["customer"],
    )  # fmt: skip


def post_stripe(client: TestClient, event: dict[str, Any]) -> dict[str, Any]:
    """POST ``event`` to the webhook, signed as Stripe signs it."""
    body = json.dumps(event).encode()
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(body, WEBHOOK_SECRET)}
    response = client.post("/webhooks/stripe", content=body, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def case_row(app: Recoup, case_id: str) -> CaseRow | None:
    with app.started.db.session() as s:
        row = s.get(CaseRow, case_id)
        if row is not None:
            s.expunge(row)
        return row


def status_of(app: Recoup, case_id: str) -> str | None:
    row = case_row(app, case_id)
    return None if row is None else row.status


def count(app: Recoup, model: type, **where: object) -> int:
    with app.started.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).filter_by(**where)) or 0)


# -- the card-number scan --------------------------------------------------------------------

_BASE64 = re.compile(r"^[A-Za-z0-9+/]{16,}={0,2}$")


def _readable(value: object) -> list[str]:
    """``value`` as text, plus what it holds if it is base64 (DBOS pickles step outputs)."""
    shown = str(value)
    texts = [shown]
    if isinstance(value, str) and _BASE64.match(value):
        with suppress(binascii.Error, ValueError):
            texts.append(base64.b64decode(value, validate=True).decode("utf-8", "replace"))
    return texts


def every_stored_text(started: wiring.Started) -> list[str]:
    """Every value of every row, in the app's tables and DBOS's system tables."""
    urls = dict.fromkeys([started.settings.database_url,
                          wiring.system_database_url(started.settings.database_url)])  # fmt: skip
    texts: list[str] = []
    for url in urls:
        engine = create_engine(normalise_url(url))
        try:
            insp = inspect(engine)
            postgres = engine.dialect.name == "postgresql"
            schemas = ["public", "dbos"] if postgres else [None]
            with engine.connect() as conn:
                for schema in schemas:
                    for table in insp.get_table_names(schema=schema):
                        name = f'"{schema}"."{table}"' if schema else f'"{table}"'
                        for row in conn.execute(text(f"SELECT * FROM {name}")):  # noqa: S608
                            for value in row:
                                texts += _readable(value)
        finally:
            engine.dispose()
    return texts


def assert_no_card(where: str, texts: list[str]) -> None:
    for item in texts:
        assert card_numbers(item) == [], f"a card number in {where}: {item[:200]!r}"
        assert "4242 4242" not in item, f"card digits in {where}: {item[:200]!r}"


def email_text(message: EmailMessage) -> str:
    """The headers and every part's decoded content: what the customer can read (the raw
    MIME also holds the stdlib's random 19-digit boundary, which may pass Luhn by chance)."""
    parts = [f"{k}: {v}" for k, v in message.items() if k.lower() != "content-type"]
    parts += [str(p.get_content()) for p in message.walk() if not p.is_multipart()]
    return "\n".join(parts)


# -- the test --------------------------------------------------------------------------------


def test_a_failed_invoice_is_called_emailed_opened_paid_and_written_back(
    recoup: Recoup, vendors: Vendors, failed_invoice: dict[str, Any]
) -> None:
    app, client, v = recoup, recoup.client, vendors
    invoice = failed_invoice["object"]
    contact = seed(v, invoice)

    # 1. Stripe says the invoice failed: a signed event opens one case.
    failed = {"id": "evt_e2e_failed", "object": "event", "type": "invoice.payment_failed",
              "created": int(time.time()), "livemode": False, "data": failed_invoice}  # fmt: skip
    opened = post_stripe(client, failed)
    case_id, call_id = f"case:stripe:{invoice['id']}", f"case:stripe:{invoice['id']}:call-1"
    assert (opened["status"], opened["case_id"]) == ("started", case_id)

    # 2. The workflow enriches from Stripe and HubSpot, then dials through Twilio.
    (call,) = wait_for("the Twilio stand-in to be asked for a call", v.twilio.calls)
    assert (call.to, call.from_) == (CUSTOMER_PHONE, FROM_NUMBER)
    assert call.url == f"{PUBLIC_URL}/webhooks/twilio/voice/{call_id}"
    assert call.machine_detection is not None

    # 3. Twilio plays the call through the app's signed webhooks, turn by turn.
    played = replay(client, v.twilio, call.sid, REPLIES)
    assert set(played.statuses) == {204}
    assert "Ana Diaz" in played.said[0]
    assert "card details" in played.said[2]  # the agent stops the card number at once
    assert played.twiml[-1].endswith("<Hangup /></Response>")

    # 4. The write-back and the email follow; the email carries the tracked link.
    wait_for("the payment-link email", lambda: v.smtp.messages)
    wait_for("the case to wait for payment", lambda: status_of(app, case_id) == "waiting")
    (email,) = v.smtp.messages
    assert v.smtp.envelopes == [("billing@acme.test", [CUSTOMER_EMAIL])]
    body = v.smtp.text_of(0)
    assert invoice["number"] in str(email["Subject"])
    link = re.search(rf"{re.escape(PUBLIC_URL)}/l/(\w+)", body)
    assert link is not None, body
    with app.started.db.session() as s:
        (message,) = s.scalars(select(MessageRow)).all()
        assert (message.key, message.channel, message.tracking_token) == (
            f"{call_id}:link",
            "email",
            link.group(1),
        )
        assert message.opened_at is None

    # 5. The customer opens the link: the open is recorded, then Stripe's page.
    opened_link = client.get(link.group(0), follow_redirects=False)
    assert opened_link.status_code == 303
    assert opened_link.headers["location"] == invoice["hosted_invoice_url"]
    with app.started.db.session() as s:
        followed = s.get(MessageRow, f"{call_id}:link")
        assert followed is not None
        assert followed.opened_at is not None
        assert s.scalar(select(func.count()).select_from(AuditRow)
                        .filter_by(case_id=case_id, action="link_opened")) == 1  # fmt: skip

    # 6. ... and pays: Stripe's invoice.paid, signed, closes the case as paid.
    paid = post_stripe(client, v.stripe.pay_invoice(invoice["id"]))
    assert (paid["status"], paid["case_id"]) == ("payment", case_id)
    wait_for("the case to close", lambda: status_of(app, case_id) == "closed")
    closed = case_row(app, case_id)
    assert closed is not None
    assert (closed.close_reason, closed.outcome) == ("paid", "link_sent")

    assert_dialed_once(app, v, call_id)
    assert_turns_stored_redacted(app, call_id)
    assert len(v.smtp.messages) == 1
    assert v.whatsapp.server.calls() == v.slack.server.calls() == []  # email was asked for
    assert_written_back(app, v, call_id, contact, invoice["id"])
    assert_no_card("a table row", every_stored_text(app.started))
    assert_no_card("an email", [email_text(m) for m in v.smtp.messages])
    engagements = [*v.hubspot.objects["notes"].values(), *v.hubspot.objects["tasks"].values()]
    assert_no_card("a HubSpot note or task", [json.dumps(e) for e in engagements])
    requests = [r.body.decode("utf-8", "replace") + json.dumps(r.query)
                for server in v.servers() for r in server.calls()]  # fmt: skip
    assert_no_card("a request to a vendor", requests)


def assert_dialed_once(app: Recoup, v: Vendors, call_id: str) -> None:
    creates = v.twilio.server.calls("POST", r"/2010-04-01/Accounts/[^/]+/Calls\.json")
    assert len(creates) == 1
    assert len(v.twilio.calls()) == 1
    assert count(app, CallAttemptRow) == 1
    with app.started.db.session() as s:
        attempt = s.get(CallAttemptRow, call_id)
        assert attempt is not None
        assert (attempt.status, attempt.outcome) == ("completed", "link_sent")


def assert_turns_stored_redacted(app: Recoup, call_id: str) -> None:
    with app.started.db.session() as s:
        voice = s.get(VoiceCallRow, call_id)
        disposition = s.get(DispositionRow, call_id)
        assert voice is not None
        assert disposition is not None
        assert (voice.state, voice.provider_status, voice.turn) == ("ended", "completed", 5)
        said = [t["text"] for t in disposition.data["transcript"] if t["speaker"] == "customer"]
        assert len(said) == len(REPLIES)
        assert said[0] == REPLIES[0]
        assert "[card number]" in said[1]
        assert "4242" not in said[1]
        assert disposition.data["card_data_detected"] is True
        assert "[card number]" in json.dumps(voice.transcript)


def assert_written_back(
    app: Recoup, v: Vendors, call_id: str, contact: str, invoice_ref: str
) -> None:
    # Stripe: the disposition in the invoice's and customer's metadata, each POST keyed by
    # the call ID.
    meta = v.stripe.invoices[invoice_ref]["metadata"]
    assert (meta["recoup_call_id"], meta["recoup_outcome"]) == (call_id, "link_sent")
    customer = v.stripe.invoices[invoice_ref]["customer"]
    assert v.stripe.customers[customer]["metadata"]["recoup_call_id"] == call_id
    for kind, ref in (("invoices", invoice_ref), ("customers", customer)):
        (write,) = v.stripe.server.calls("POST", f"/v1/{kind}/{ref}")
        assert write.headers["idempotency-key"] == f"recoup:disposition:{kind}:{call_id}"
    # HubSpot: exactly one note and one task, carrying the call ID, on the contact.
    ((note_id, note),) = v.hubspot.objects["notes"].items()
    ((task_id, task),) = v.hubspot.objects["tasks"].items()
    for record in (note["properties"]["hs_note_body"], task["properties"]["hs_task_body"]):
        assert call_id in record
        assert marker(call_id) in record
    assert v.hubspot.linked("notes", note_id, "contacts") == [contact]
    assert v.hubspot.linked("tasks", task_id, "contacts") == [contact]
    assert task["properties"]["hubspot_owner_id"] == next(iter(v.hubspot.owners))
    case_url = f"{PUBLIC_URL}/api/cases/{call_id.rsplit(':call-', 1)[0]}"
    assert case_url in note["properties"]["hs_note_body"]
    # Our own record of both write-backs, once each.
    with app.started.db.session() as s:
        rows = s.scalars(select(WriteBackRow)).all()
        assert sorted((r.system, r.key, r.outcome) for r in rows) == [
            ("billing", call_id, "link_sent"), ("crm", call_id, "link_sent"),
        ]  # fmt: skip
