"""Message wording: the playbook's templates, the promise confirmation, amounts and dates in
the account's locale, and what every channel adds (tracked link, opt-out line, reference)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from recoup.adapters.templates import (
    OPT_OUT_LINES,
    MessageKind,
    delivered_text,
    fields_for,
    html_of,
    one_line,
    reference,
    render,
    tracked_link,
    written_date,
)
from recoup.domain import models as m
from recoup.playbook import Templates

LINK = "https://recoup.example.test/l/tok9"
INVOICE = m.Invoice(
    invoice_ref="in_1",
    number="INV-7",
    customer_ref="cus_1",
    amount=Decimal("1249.5"),
    currency="eur",
    due_date=date(2026, 1, 31),
)


def account(locale: str) -> m.Account:
    return m.Account(account_id="a", name="Ana", locale=locale)


@pytest.mark.parametrize(
    ("locale", "amount", "day"),
    [
        ("en_US", "€1,249.50", "March 6, 2026"),
        ("de_DE", "1.249,50\xa0€", "6. März 2026"),
        ("en_GB", "€1,249.50", "6 March 2026"),
        ("xx_NOPE", "€1,249.50", "March 6, 2026"),  # unknown locale: US English
    ],
)
def test_fields_follow_the_account_locale(locale: str, amount: str, day: str) -> None:
    fields = fields_for(account(locale), INVOICE, "Acme", LINK, date(2026, 3, 6))
    assert fields["amount"] == amount
    assert fields["promise_date"] == day
    assert written_date(date(2026, 3, 6), locale) == day


@pytest.mark.parametrize("channel", list(m.Channel))
@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_message_has_the_link_and_opt_out_line(kind: MessageKind, channel: m.Channel) -> None:
    fields = fields_for(account("en_US"), INVOICE, "Acme", LINK, date(2026, 3, 6))
    subject, body = render(kind, channel, Templates(), fields)
    assert subject == "Your Acme invoice INV-7"
    assert LINK in body
    assert body.endswith(OPT_OUT_LINES[channel])
    if kind is not MessageKind.LINK:
        assert "March 6, 2026" in body


def test_the_playbook_wording_is_used() -> None:
    templates = Templates(email_body="Pay {amount} at {link}", reminder_body="Due {promise_date}")
    fields = fields_for(account("en_US"), INVOICE, "Acme", LINK, date(2026, 3, 6))
    assert render(MessageKind.LINK, m.Channel.EMAIL, templates, fields)[1].startswith(
        f"Pay €1,249.50 at {LINK}"
    )
    reminder = render(MessageKind.REMINDER, m.Channel.WHATSAPP, templates, fields)[1]
    assert reminder.startswith("Due March 6, 2026")


def message(body: str, link_url: str = "https://pay.example.test/i/in_1") -> m.OutboundMessage:
    return m.OutboundMessage(
        key="call_1:link",
        case_id="c",
        channel=m.Channel.WHATSAPP,
        to="+14155550100",
        subject="s",
        body=body,
        link_url=link_url,
        tracking_token="tok9",
    )


def test_the_tracked_link_is_preferred() -> None:
    assert tracked_link(message(f"Pay here: {LINK}.")) == LINK
    assert tracked_link(message("no link", link_url=LINK)) == LINK
    assert tracked_link(message("https://elsewhere.test/l/other")) == (
        "https://pay.example.test/i/in_1"
    )


def test_delivered_text_adds_what_is_missing_once() -> None:
    text = delivered_text(message(f"Hi. {LINK}\n\n{OPT_OUT_LINES[m.Channel.WHATSAPP]}"))
    assert text.count(LINK) == 1
    assert text.count(OPT_OUT_LINES[m.Channel.WHATSAPP]) == 1
    assert text.endswith(f"Ref: {reference('call_1:link')}")
    bare = delivered_text(message("Hi."), opt_out=False)
    assert "Secure payment link: https://pay.example.test/i/in_1" in bare
    assert OPT_OUT_LINES[m.Channel.WHATSAPP] not in bare


def test_reference_is_stable_and_hides_the_key() -> None:
    assert reference("case:stripe:in_1:call_1") == reference("case:stripe:in_1:call_1")
    assert reference("a") != reference("b")
    assert "in_1" not in reference("case:stripe:in_1:call_1")
    assert len(reference("a")) == len("RCP-") + 10


def test_html_escapes_and_links() -> None:
    out = html_of(f"Hi <Ana> & co,\nline two\n\nPay: {LINK}.")
    assert "<p>Hi &lt;Ana&gt; &amp; co,<br>line two</p>" in out
    assert f'<p>Pay: <a href="{LINK}">{LINK}</a>.</p>' in out


def test_one_line_folds_whitespace() -> None:
    assert one_line("a\n\n b\t c     d") == "a b c d"
