"""The payment-link message the messaging adapters' tests send: Ana's Acme invoice INV-1,
with the tracked link ``LINK`` in the body.

One builder for the email and WhatsApp tests (Gmail, SMTP, Twilio, Cloud API), so they send
the same message and each names only what its channel changes: the address and the body.
"""

from __future__ import annotations

from recoup.domain.models import Channel, OutboundMessage

__all__ = ["LINK", "link_message"]

#: Recoup's tracked link, as the message body carries it.
LINK = "https://recoup.example.test/l/tok123"


def link_message(
    channel: Channel, to: str, body: str, key: str = "call_1:link", **changes: str
) -> OutboundMessage:
    """The message for case ``case_1``; ``changes`` replace any other field (validated, so a
    misspelt one is refused)."""
    fields = {
        "key": key,
        "case_id": "case_1",
        "channel": channel,
        "to": to,
        "subject": "Your Acme invoice INV-1",
        "body": body,
        "link_url": "https://pay.example.test/i/in_1",
        "tracking_token": "tok123",
    }
    return OutboundMessage.model_validate({**fields, **changes})
