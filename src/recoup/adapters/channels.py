"""One ``MessagingPort`` over two channels: email and WhatsApp go to different vendors.

The runtime holds a single messaging port and each ``OutboundMessage`` names its channel, so
the wiring composes the chosen email adapter (Gmail, SMTP or the fake) and WhatsApp adapter
(Cloud API, Twilio or the fake) here. A channel without an adapter is a configuration gap,
reported as a permanent error naming the channel rather than a message sent the wrong way.
"""

from __future__ import annotations

from recoup.domain.errors import PermanentPortError
from recoup.domain.models import Channel, MessageReceipt, OutboundMessage
from recoup.ports import MessagingPort

__all__ = ["ByChannel"]


class ByChannel:
    """Send each message through the adapter for its channel."""

    def __init__(self, email: MessagingPort | None, whatsapp: MessagingPort | None) -> None:
        self._ports: dict[Channel, MessagingPort | None] = {
            Channel.EMAIL: email,
            Channel.WHATSAPP: whatsapp,
        }

    def send(self, message: OutboundMessage) -> MessageReceipt:
        """Send once per ``message.key``, as the channel's adapter guarantees."""
        port = self._ports.get(message.channel)
        if port is None:
            raise PermanentPortError(f"no {message.channel.value} adapter is configured")
        return port.send(message)
