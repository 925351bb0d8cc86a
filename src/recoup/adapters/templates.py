"""What a payment message says, and what every channel adds before delivering it.

The wording of the payment-link and reminder messages is the playbook's (``playbook.Templates``:
finance teams edit it, so it is not repeated here); this module adds only what the playbook
lacks: the promise confirmation, the opt-out line and a short reference code. ``fields_for``
formats the amount and the date for the account's locale with Babel, as the agent does when it
speaks (``agent.lines``), but writes the date in full ("March 6, 2026"), since a message is
read later.

``delivered_text`` is the safety net every real adapter applies: whatever body the workflow
rendered, the customer receives the tracked link, the opt-out line and the reference code. The
reference (``RCP-`` and ten hex digits of the key's SHA-256) lets an adapter find an earlier
send in the vendor's own records (Twilio's message list, Gmail's search) without showing the
internal key, which names the invoice, to the customer.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import date
from enum import StrEnum

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from recoup.agent.lines import format_amount
from recoup.domain.models import Account, Channel, Invoice, OutboundMessage
from recoup.playbook import Templates

__all__ = [
    "OPT_OUT_LINES",
    "PROMISE_CONFIRMATION_BODY",
    "MessageKind",
    "delivered_text",
    "fields_for",
    "html_of",
    "one_line",
    "reference",
    "render",
    "strip_opt_out",
    "tracked_link",
    "written_date",
]


class MessageKind(StrEnum):
    LINK = "link"
    PROMISE_CONFIRMATION = "promise_confirmation"
    REMINDER = "reminder"


#: The promise confirmation; a candidate for ``playbook.Templates.promise_body``.
PROMISE_CONFIRMATION_BODY = (
    "Hi {name}, thank you. We've noted that you will settle invoice {invoice_number} "
    "({amount}) by {promise_date}. If you'd rather pay now, here is a secure link: {link}"
)

#: One plain sentence per channel; WhatsApp's is honoured by the inbound webhook, email's by
#: whoever reads replies to the sending mailbox (there is no inbound email hook yet).
OPT_OUT_LINES: dict[Channel, str] = {
    Channel.EMAIL: "Don't want these emails? Reply with STOP and we will stop contacting you.",
    Channel.WHATSAPP: "Reply STOP to stop these messages.",
}

_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)"


def _locale(name: str) -> Locale:
    try:
        return Locale.parse(name or "en_US")
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_US")


def written_date(day: date, locale: str = "") -> str:
    """A date as the locale writes it in full: "March 6, 2026", "6. März 2026"."""
    return str(format_date(day, format="long", locale=_locale(locale)))


def fields_for(
    account: Account,
    invoice: Invoice,
    company: str,
    link: str,
    promise_date: date | None = None,
) -> dict[str, str]:
    """The placeholders every template may use, formatted for ``account.locale``."""
    return {
        "name": account.name,
        "company": company,
        "invoice_number": invoice.number,
        "amount": format_amount(invoice.amount, invoice.currency, account.locale),
        "link": link,
        "promise_date": written_date(promise_date, account.locale) if promise_date else "",
    }


def render(
    kind: MessageKind, channel: Channel, templates: Templates, fields: dict[str, str]
) -> tuple[str, str]:
    """The subject and body of one message, the body ending with the channel's opt-out line."""
    if kind is MessageKind.REMINDER:
        body = templates.reminder_body
    elif kind is MessageKind.PROMISE_CONFIRMATION:
        body = PROMISE_CONFIRMATION_BODY
    else:
        body = templates.whatsapp_body if channel is Channel.WHATSAPP else templates.email_body
    text = body.format(**fields).rstrip()
    return templates.email_subject.format(**fields), f"{text}\n\n{OPT_OUT_LINES[channel]}"


def reference(key: str) -> str:
    """A short code for the message with ``key``: stable, shown to the customer, not the key."""
    return "RCP-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10].upper()


def tracked_link(message: OutboundMessage) -> str:
    """The link the customer should follow: the Recoup ``/l/{token}`` URL when the body or
    ``link_url`` carries one (so opens are counted), else ``link_url`` itself."""
    suffix = f"/l/{message.tracking_token}"
    if message.link_url.rstrip("/").endswith(suffix):
        return message.link_url
    for found in _URL.finditer(message.body):
        url = found.group(0).rstrip(_TRAILING)
        if url.endswith(suffix):
            return url
    return message.link_url


def strip_opt_out(text: str, channel: Channel) -> str:
    """``text`` without the channel's opt-out line (a WhatsApp template carries its own)."""
    return text.replace(OPT_OUT_LINES[channel], "").rstrip()


def delivered_text(message: OutboundMessage, opt_out: bool = True) -> str:
    """The plain text the customer receives: the body, the tracked link if the body lacks it,
    the opt-out line (unless ``opt_out`` is False: the vendor template has it) and the reference."""
    link = tracked_link(message)
    text = strip_opt_out(message.body, message.channel)
    if link not in text:
        text = f"{text}\n\nSecure payment link: {link}"
    if opt_out:
        text = f"{text}\n\n{OPT_OUT_LINES[message.channel]}"
    return f"{text}\nRef: {reference(message.key)}"


def one_line(text: str) -> str:
    """``text`` with runs of whitespace folded to one space: WhatsApp template parameters
    refuse new lines, tabs and more than four spaces in a row."""
    return " ".join(text.split())


def html_of(text: str) -> str:
    """A minimal HTML rendering of ``text``: paragraphs, line breaks and clickable links."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "<!DOCTYPE html><html><body>" + "".join(
        f"<p>{_linkify(p).replace(chr(10), '<br>')}</p>" for p in paragraphs
    ) + "</body></html>"  # fmt: skip


def _linkify(text: str) -> str:
    out, last = [], 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        out.append(html.escape(text[last : match.start()]))
        out.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(url)}</a>')
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)
