"""Working fakes of the outbound channels: messages and alerts, each sent once per key."""

from __future__ import annotations

from recoup.adapters.fake.ledger import Ledger
from recoup.domain.models import Alert, AlertReceipt, MessageReceipt, OutboundMessage, jsonable


class FakeMessaging:
    """Email and WhatsApp: records what would have been delivered."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    def send(self, message: OutboundMessage) -> MessageReceipt:
        _, created = self._ledger.add("message", message.key, jsonable(message))
        return MessageReceipt(
            key=message.key, provider_id=f"msg_{message.key}", duplicate=not created
        )

    def sent(self) -> list[OutboundMessage]:
        """Everything delivered, in order."""
        return [OutboundMessage.model_validate(v) for _, v in self._ledger.items("message")]


class FakeAlerts:
    """Slack-like alerts: records what would have been posted."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    def alert(self, alert: Alert) -> AlertReceipt:
        _, created = self._ledger.add("alert", alert.key, jsonable(alert))
        return AlertReceipt(key=alert.key, provider_id=f"ts_{alert.key}", duplicate=not created)

    def posted(self) -> list[Alert]:
        """Every alert posted, in order."""
        return [Alert.model_validate(v) for _, v in self._ledger.items("alert")]
