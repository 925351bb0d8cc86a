"""An ``OutboundMessage`` as a MIME email, shared by the SMTP and Gmail adapters.

The ``Message-ID`` is derived from the message key, not random: a resend after a crash carries
the same ID, so the receiving mailbox (Gmail, Outlook and most MTAs collapse identical IDs) and
our own Gmail lookup can recognise it. Plain text first, a simple HTML alternative second; both
carry the tracked link, the opt-out line and the reference code (``adapters.templates``).
"""

from __future__ import annotations

import hashlib
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from recoup.adapters.templates import delivered_text, html_of, reference
from recoup.domain.errors import PermanentPortError
from recoup.domain.models import OutboundMessage

__all__ = ["build_email", "message_id", "sender_domain"]


def sender_domain(from_address: str) -> str:
    """The domain of ``from_address`` (``Billing <billing@acme.com>`` gives ``acme.com``)."""
    _, addr = parseaddr(from_address)
    domain = addr.rpartition("@")[2]
    if not domain:
        raise PermanentPortError("the sender address has no domain; set a full email address")
    return domain.lower()


def message_id(key: str, from_address: str) -> str:
    """The RFC 5322 ``Message-ID`` for the message with ``key``: the same key, the same ID."""
    digest = hashlib.sha256(f"recoup-email:{key}".encode()).hexdigest()[:32]
    return f"<{digest}.recoup@{sender_domain(from_address)}>"


def build_email(message: OutboundMessage, from_address: str) -> EmailMessage:
    """The email for ``message``; PermanentPortError when an address or header is unusable
    (a new line in a subject from the CRM must never become a header injection)."""
    _, sender = parseaddr(from_address)
    _, recipient = parseaddr(message.to)
    if "@" not in recipient:
        raise PermanentPortError("the recipient is not an email address")
    text = delivered_text(message)
    email = EmailMessage()
    try:
        email["From"] = from_address
        email["To"] = Address(addr_spec=recipient)
        email["Subject"] = message.subject
        email["Date"] = formatdate(usegmt=True)
        email["Message-ID"] = message_id(message.key, from_address)
        email["X-Recoup-Ref"] = reference(message.key)
        email["List-Unsubscribe"] = f"<mailto:{sender}?subject=unsubscribe>"
    except (ValueError, IndexError, HeaderParseError) as exc:
        raise PermanentPortError(f"the email cannot be built: {type(exc).__name__}") from exc
    email.set_content(text)
    email.add_alternative(html_of(text), subtype="html")
    return email
