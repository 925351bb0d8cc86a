"""Messages reach the adapter for their channel, and a missing one is named."""

from __future__ import annotations

import pytest

from recoup.adapters.channels import ByChannel
from recoup.adapters.fake.ledger import MemoryLedger
from recoup.adapters.fake.messaging import FakeMessaging
from recoup.domain import models as m
from recoup.domain.errors import PermanentPortError
from recoup.ports import MessagingPort


def message(channel: m.Channel) -> m.OutboundMessage:
    return m.OutboundMessage(
        key=f"k:{channel.value}",
        case_id="c",
        channel=channel,
        to="x",
        subject="s",
        body="b",
        link_url="https://pay.example.test/x",
        tracking_token="t",
    )


def test_each_channel_goes_to_its_adapter() -> None:
    email, whatsapp = FakeMessaging(MemoryLedger()), FakeMessaging(MemoryLedger())
    port = ByChannel(email, whatsapp)
    assert isinstance(port, MessagingPort)
    port.send(message(m.Channel.EMAIL))
    port.send(message(m.Channel.WHATSAPP))
    assert [s.channel for s in email.sent()] == [m.Channel.EMAIL]
    assert [s.channel for s in whatsapp.sent()] == [m.Channel.WHATSAPP]


def test_a_channel_without_adapter_is_a_permanent_error() -> None:
    port = ByChannel(FakeMessaging(MemoryLedger()), None)
    with pytest.raises(PermanentPortError, match="whatsapp"):
        port.send(message(m.Channel.WHATSAPP))
