"""The domain's nouns: what a case is made of, independent of any vendor or database.

Every model is a frozen Pydantic model so that values crossing a port, a DBOS step boundary
(pickled into the system database) or the JSON API are validated once and never mutated in
place. Vendor objects are mapped into these in ``adapters/<vendor>/mapping.py`` and never leak
further.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    """Base for value objects: immutable, extra keys refused so typos surface at once."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class TriggerKind(StrEnum):
    """What a billing event means for recovery, whatever system sent it."""

    PAYMENT_FAILED = "payment_failed"
    INVOICE_UNPAID = "invoice_unpaid"
    SUBSCRIPTION_PAST_DUE = "subscription_past_due"
    SUBSCRIPTION_UNPAID = "subscription_unpaid"
    SUBSCRIPTION_CANCELED = "subscription_canceled"
    DISPUTE_OPENED = "dispute_opened"
    UPCOMING_SUSPENSION = "upcoming_suspension"
    PAYMENT_SUCCEEDED = "payment_succeeded"
    UNKNOWN = "unknown"


#: Kinds that open (or join) a recovery case.
OPENING_KINDS = frozenset(
    {
        TriggerKind.PAYMENT_FAILED,
        TriggerKind.INVOICE_UNPAID,
        TriggerKind.SUBSCRIPTION_PAST_DUE,
        TriggerKind.SUBSCRIPTION_UNPAID,
        TriggerKind.UPCOMING_SUSPENSION,
    }
)


class TriggerEvent(Frozen):
    """One billing event, normalised. ``(source, event_id)`` is unique across deliveries."""

    source: str
    event_id: str
    event_type: str
    kind: TriggerKind
    occurred_at: datetime
    customer_ref: str | None = None
    invoice_ref: str | None = None
    subscription_ref: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    failure_reason: str | None = None
    customer_email: str | None = None
    customer_name: str | None = None
    customer_phone: str | None = None


class Account(Frozen):
    """A customer account as the CRM knows it: who to call, who owns it, what they pay."""

    account_id: str
    name: str
    company: str = ""
    tier: str = "standard"
    segment: str = "smb"
    phone: str | None = None
    email: str | None = None
    whatsapp: str | None = None
    timezone: str | None = None
    owner: str | None = None
    language: str = "en"
    locale: str = "en_US"
    opted_out: bool = False
    consent_to_call: bool = True
    sensitive: bool = False
    billing_customer_ref: str | None = None


class Invoice(Frozen):
    """An invoice as billing knows it. ``invoice_ref`` is the billing system's own ID."""

    invoice_ref: str
    number: str
    customer_ref: str
    amount: Decimal
    currency: str = "usd"
    due_date: date
    status: str = "open"
    failure_reason: str | None = None
    prior_failures: int = 0
    subscription_ref: str | None = None
    #: The issuer's decline code of the last failed charge (``insufficient_funds``), when known.
    decline_code: str | None = None
    #: When billing will next retry the charge by itself (Stripe's ``next_payment_attempt``).
    next_payment_attempt: datetime | None = None
    #: Billing's own hosted page for paying this invoice, when it has one.
    hosted_invoice_url: str | None = None


T = TypeVar("T")


class Match(Frozen, Generic[T]):
    """A looked-up record with the confidence of the match (1.0 = exact key)."""

    record: T
    confidence: float = Field(ge=0.0, le=1.0)
    matched_on: str


class Outcome(StrEnum):
    LINK_SENT = "link_sent"
    PROMISE_RECORDED = "promise_recorded"
    ESCALATED = "escalated"
    CALLBACK_SCHEDULED = "callback_scheduled"
    REVIEW = "review"
    DO_NOT_CONTACT = "do_not_contact"
    WRONG_PARTY = "wrong_party"
    VOICEMAIL_LEFT = "voicemail_left"
    NO_ANSWER = "no_answer"
    #: Never from a call: a person resolved the case in the review queue (paid elsewhere,
    #: settled, written off), and billing and the CRM are told so like after any call.
    RESOLVED = "resolved"


class ReviewReason(StrEnum):
    CLAIMED_PAID = "claimed_paid"
    HARDSHIP = "hardship"
    PROMISE_OUT_OF_POLICY = "promise_out_of_policy"
    LOW_CONFIDENCE = "low_confidence"
    LOW_CONFIDENCE_MATCH = "low_confidence_match"
    LANGUAGE = "language"
    POLICY_EXCEPTION = "policy_exception"


class Team(StrEnum):
    FINANCE = "finance"
    ACCOUNT_OWNER = "account_owner"


class EscalationReason(StrEnum):
    DISPUTE = "dispute"
    CANCELLATION = "cancellation"
    CONTRACT_CHANGE = "contract_change"
    HIGH_VALUE = "high_value"
    HUMAN_REQUESTED = "human_requested"


class Channel(StrEnum):
    EMAIL = "email"
    WHATSAPP = "whatsapp"


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class Escalation(Frozen):
    team: Team
    reason: EscalationReason


class TranscriptTurn(Frozen):
    """One line of a call. ``text`` is always redacted before it is stored anywhere."""

    speaker: str  # "agent" | "customer"
    act: str
    text: str


class Disposition(Frozen):
    """How a call ended: the single record every downstream system acts on."""

    call_id: str
    outcome: Outcome
    escalation: Escalation | None = None
    review_reason: ReviewReason | None = None
    promise_date: date | None = None
    channel: Channel | None = None
    card_data_detected: bool = False
    intent: str = "other"
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    urgency: Urgency = Urgency.NORMAL
    objection: str | None = None
    summary: str = ""
    next_action: str = ""
    transcript: tuple[TranscriptTurn, ...] = ()


class CaseContext(Frozen):
    """Everything a step needs to know about a case, gathered once by enrichment."""

    case_id: str
    account: Account
    invoice: Invoice
    trigger_kind: TriggerKind
    match_confidence: float
    source: str = "stripe"


class CallRequest(Frozen):
    """Ask the telephony port to place one outbound call; ``call_id`` makes it idempotent."""

    call_id: str
    case: CaseContext
    attempt_no: int
    recording_notice: bool = False
    callback_number: str = ""
    company_name: str = "Recoup"
    longest_promise_days: int = 14


class OutboundMessage(Frozen):
    """A message with a payment link; ``key`` makes sending it idempotent."""

    key: str
    case_id: str
    channel: Channel
    to: str
    subject: str
    body: str
    link_url: str
    tracking_token: str


class MessageReceipt(Frozen):
    key: str
    provider_id: str
    duplicate: bool = False


class Alert(Frozen):
    """A heads-up to a human team, precise enough to act on without the transcript."""

    key: str
    case_id: str
    team: Team
    reason: str
    target: str
    summary: str
    details: dict[str, str] = Field(default_factory=dict)


class AlertReceipt(Frozen):
    key: str
    provider_id: str
    duplicate: bool = False


class WriteBack(Frozen):
    """The disposition as billing and CRM receive it; ``key`` is the call ID."""

    key: str
    case_id: str
    account_id: str
    invoice_ref: str
    outcome: Outcome
    promise_date: date | None
    next_action: str
    summary: str
    transcript: tuple[TranscriptTurn, ...] = ()


class WriteReceipt(Frozen):
    key: str
    system: str
    provider_id: str
    duplicate: bool = False


def jsonable(model: BaseModel) -> dict[str, Any]:
    """A model as plain JSON types, for storing in a JSON column or printing."""
    return model.model_dump(mode="json")
