"""A persona file: everything one simulated customer is, says and later does.

Personas are the simulator's only input, so they are validated as strictly as webhooks: a typo
in a hand-written file (``"ansers"``, a bad phone number, a reply list that is not a list) must
fail loudly at load time, naming the file and the field, instead of silently producing a
customer who hangs up at the first question.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import AwareDatetime, Field, ValidationError, field_validator, model_validator

from recoup.domain.errors import InputError
from recoup.domain.models import Account, Channel, Frozen, Invoice

#: Tier -> CRM segment. Unknown tiers fall back to "smb", the Account default.
SEGMENTS = {"starter": "smb", "growth": "mid_market", "enterprise": "enterprise"}

_ACT_KEY = re.compile(r"^(\*|[a-z][a-z0-9_]*)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AnswerMode(StrEnum):
    """Who picks up when the agent dials: the telephony fake branches on this."""

    HUMAN = "human"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
    BUSY = "busy"


class BehaviourKind(StrEnum):
    """The customer's underlying intent: the label an evaluation compares the agent against."""

    PAY_NOW = "pay_now"
    PROMISE = "promise"
    DISPUTE = "dispute"
    CANCEL = "cancel"
    OPT_OUT = "opt_out"
    QUESTION_THEN_PAY = "question_then_pay"
    CARD_THEN_LINK = "card_then_link"
    HARDSHIP = "hardship"
    CLAIMS_PAID = "claims_paid"
    WRONG_PARTY = "wrong_party"
    HUMAN = "human"
    CALLBACK = "callback"


def _check_phone(value: str | None) -> str | None:
    """Refuse anything but a valid E.164 number, so the matcher and dialer see real shapes."""
    if value is None:
        return None
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number in E.164 form (+CC...): {exc}") from exc
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if e164 != value or not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid E.164 phone number")
    return value


class PersonaAccount(Frozen):
    """The account as the CRM would hold it; becomes a domain ``Account`` via ``to_account``."""

    name: str = Field(min_length=1)
    company: str = ""
    tier: str = "growth"
    phone: str | None = None
    email: str | None = None
    whatsapp: str | None = None
    timezone: str | None = None
    owner: str | None = None

    @field_validator("phone", "whatsapp")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return _check_phone(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("not an email address")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        try:
            if value is not None:
                ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value


class PersonaInvoice(Frozen):
    """The failed invoice; becomes a domain ``Invoice`` via ``to_invoice``."""

    number: str = Field(min_length=1)
    amount: Decimal = Field(gt=0, decimal_places=2)
    currency: str = Field(default="usd", pattern=r"^[a-z]{3}$")
    due_date: date
    failure_reason: str | None = None
    prior_failures: int = Field(default=0, ge=0)

    @field_validator("currency", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


class Behaviour(Frozen):
    """What the customer does after the call; the world simulation turns it into payments.

    ``pay_delay_hours`` counts from the moment a link is sent. ``pays_late_days`` is a payment
    made without the link: days after the promised date for a broken promise, days after the
    call otherwise (a claimed payment still in transit, a hardship case paying later); ``None``
    means it never happens. ``promise_date`` is what the spoken date in the replies means.
    """

    kind: BehaviourKind
    opens_link: bool = False
    pays_via_link: bool = False
    pay_delay_hours: float = Field(default=0.0, ge=0)
    keeps_promise: bool = False
    pays_late_days: float | None = Field(default=None, ge=0)
    channel: Channel | None = None
    promise_date: date | None = None
    detail: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Behaviour:
        if self.pays_via_link and not self.opens_link:
            raise ValueError("pays_via_link needs opens_link: nobody pays through an unopened link")
        return self


class Persona(Frozen):
    """One simulated customer: the records, the clock, who answers, the script, the aftermath."""

    account: PersonaAccount
    invoice: PersonaInvoice
    now: AwareDatetime
    answers: AnswerMode = AnswerMode.HUMAN
    replies: dict[str, list[str]] = Field(default_factory=dict)
    behaviour: Behaviour | None = None

    @field_validator("replies")
    @classmethod
    def _act_names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        bad = [key for key in value if not _ACT_KEY.match(key)]
        if bad:
            raise ValueError(f"reply keys must be act names or '*', got {bad}")
        return value

    @model_validator(mode="after")
    def _human_has_script(self) -> Persona:
        if self.answers is AnswerMode.HUMAN and not self.replies:
            raise ValueError("a persona that answers as a human needs at least one reply")
        return self

    def to_account(self, account_id: str, *, billing_customer_ref: str | None = None) -> Account:
        """The CRM record for this persona; the caller chooses the ID so stores stay in charge."""
        acc = self.account
        return Account(
            account_id=account_id,
            name=acc.name,
            company=acc.company,
            tier=acc.tier,
            segment=SEGMENTS.get(acc.tier, "smb"),
            phone=acc.phone,
            email=acc.email,
            whatsapp=acc.whatsapp,
            timezone=acc.timezone,
            owner=acc.owner,
            language="en",
            locale=_locale(acc.phone),
            billing_customer_ref=billing_customer_ref,
        )

    def to_invoice(self, invoice_ref: str, customer_ref: str) -> Invoice:
        """The billing record for this persona's failed invoice."""
        inv = self.invoice
        return Invoice(
            invoice_ref=invoice_ref,
            number=inv.number,
            customer_ref=customer_ref,
            amount=inv.amount,
            currency=inv.currency,
            due_date=inv.due_date,
            failure_reason=inv.failure_reason,
            prior_failures=inv.prior_failures,
        )


def _locale(phone: str | None) -> str:
    """English in the phone's country (``en_GB``), so dates and amounts read locally."""
    if phone is None:
        return "en_US"
    region = phonenumbers.region_code_for_number(phonenumbers.parse(phone, None))
    return f"en_{region}" if region else "en_US"


def load_persona(path: Path) -> Persona:
    """Read and validate a persona file; every failure is an InputError naming file and field."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"persona file {path}: cannot read: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"persona file {path}: not valid JSON: {exc}") from exc
    try:
        return Persona.model_validate(raw)
    except ValidationError as exc:
        raise InputError(f"persona file {path}: {_describe(exc)}") from exc


def _describe(exc: ValidationError) -> str:
    """``invoice.amount: Input should be greater than 0; ...`` — field paths first, short."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err["loc"]) or "(top level)"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def save_persona(persona: Persona, path: Path) -> None:
    """Write a persona as indented JSON that ``load_persona`` reads back unchanged."""
    path.write_text(persona.model_dump_json(indent=2, exclude_none=True) + "\n", encoding="utf-8")
