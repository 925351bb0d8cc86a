"""One Protocol per capability, in domain types. Adapters implement them; fakes too.

Every method that has an effect outside takes an idempotency key (carried in the request
model) so that a DBOS step re-run after a crash never acts twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from recoup.domain.models import (
    Account,
    Alert,
    AlertReceipt,
    CallRequest,
    Disposition,
    Invoice,
    Match,
    MessageReceipt,
    OutboundMessage,
    WriteBack,
    WriteReceipt,
)


@runtime_checkable
class BillingPort(Protocol):
    """The billing system: invoices, payment links and the disposition note."""

    def get_invoice(self, invoice_ref: str) -> Invoice | None:
        """The invoice, or None when billing does not know it."""
        ...

    def payment_link(self, invoice: Invoice, key: str) -> str:
        """A secure hosted page where the customer pays; the same key gives the same link."""
        ...

    def record_disposition(self, write: WriteBack) -> WriteReceipt:
        """Attach the call's outcome to the invoice; idempotent by ``write.key``."""
        ...


@runtime_checkable
class CrmPort(Protocol):
    """The CRM: who the customer is, who owns them, and the activity log."""

    def match_account(
        self, customer_ref: str | None, email: str | None, phone: str | None, name: str | None
    ) -> Match[Account] | None:
        """The best matching account with a confidence, or None."""
        ...

    def record_disposition(self, write: WriteBack) -> WriteReceipt:
        """Log the call on the account; idempotent by ``write.key``."""
        ...


@runtime_checkable
class TelephonyPort(Protocol):
    """Places a call in which the agent talks to the customer, and reports how it ended."""

    def place_call(self, request: CallRequest) -> Disposition:
        """Dial once per ``request.call_id``; a repeated ID returns the first call's result."""
        ...


@runtime_checkable
class MessagingPort(Protocol):
    """Email or WhatsApp messages carrying a payment link."""

    def send(self, message: OutboundMessage) -> MessageReceipt:
        """Send once per ``message.key``."""
        ...


@runtime_checkable
class AlertPort(Protocol):
    """Alerts to finance or the account owner (Slack in production)."""

    def alert(self, alert: Alert) -> AlertReceipt:
        """Post once per ``alert.key``."""
        ...


@runtime_checkable
class ClockPort(Protocol):
    """Where workflows read time, so the demo can run days in seconds."""

    def now(self) -> datetime:
        """The current (possibly simulated) time, timezone-aware UTC."""
        ...

    def real_seconds_until(self, moment: datetime) -> float:
        """How many wall-clock seconds a durable sleep must last to reach ``moment``."""
        ...
