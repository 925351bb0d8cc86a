"""Read billing events from any system as JSON Lines, for ``recoup ingest FILE.jsonl``.

Why a file format of our own: Chargebee, Recurly, Zuora or a spreadsheet export each speak
their own dialect, and writing an adapter per vendor is not worth it for a batch import. Instead
the sender maps to this one documented schema (docs/ingest.md), and we validate it strictly:
unknown keys, float amounts and timestamps without an offset are refused, because each is a
mapping mistake that would otherwise surface as a wrong call to a real customer.

``read_events`` validates the whole file before returning anything, so a bad line means
nothing is ingested and the error names the line and the field to fix.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from recoup.domain.errors import InputError, PayloadError
from recoup.domain.models import TriggerEvent, TriggerKind

_AMOUNT = re.compile(r"[0-9]{1,15}(\.[0-9]{1,3})?")
#: Kinds about one unpaid invoice: a call must be able to say which invoice and how much.
_NEEDS_AMOUNT = frozenset({TriggerKind.PAYMENT_FAILED, TriggerKind.INVOICE_UNPAID})
#: ... and a success must say which invoice it settles.
_NEEDS_INVOICE = _NEEDS_AMOUNT | {TriggerKind.PAYMENT_SUCCEEDED}


def _optional_text(max_length: int = 500) -> Any:
    return Field(default=None, min_length=1, max_length=max_length)


class IngestRecord(BaseModel):
    """One line of an ingest file: the documented schema, nothing more."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    source: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$")
    event_id: str = Field(min_length=1, max_length=255)
    type: TriggerKind
    occurred_at: AwareDatetime
    customer_ref: str = Field(min_length=1, max_length=255)
    invoice_ref: str | None = _optional_text(255)
    subscription_ref: str | None = _optional_text(255)
    amount: Decimal | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    failure_reason: str | None = _optional_text()
    customer_email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    customer_name: str | None = _optional_text()
    customer_phone: str | None = Field(default=None, min_length=3, max_length=40)
    due_date: date | None = None
    invoice_number: str | None = _optional_text()

    @field_validator("amount", mode="before")
    @classmethod
    def _amount_is_decimal_string(cls, value: Any) -> Any:
        """Strings only: a JSON float has already lost cents before we could see it."""
        if value is None:
            return None
        if not isinstance(value, str) or not _AMOUNT.fullmatch(value.strip()):
            raise ValueError('must be a non-negative decimal string such as "249.00"')
        return value.strip()

    @field_validator("occurred_at", "due_date", mode="before")
    @classmethod
    def _dates_are_strings(cls, value: Any) -> Any:
        """ISO-8601 text only: a bare number could be seconds or milliseconds."""
        if value is not None and not isinstance(value, str):
            raise ValueError("must be an ISO-8601 string")
        return value

    @field_validator("occurred_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _complete(self) -> IngestRecord:
        """Cross-field rules: an amount needs its currency; invoice events need the invoice."""
        if (self.amount is None) != (self.currency is None):
            raise ValueError("amount and currency must be given together")
        if self.type in _NEEDS_INVOICE and self.invoice_ref is None:
            raise ValueError(f"invoice_ref is required for type {self.type.value!r}")
        if self.type in _NEEDS_AMOUNT and self.amount is None:
            raise ValueError(f"amount and currency are required for type {self.type.value!r}")
        return self

    def to_trigger(self) -> TriggerEvent:
        """The domain event; ``due_date`` and ``invoice_number`` stay on the record."""
        return TriggerEvent(
            source=self.source,
            event_id=self.event_id,
            event_type=self.type.value,
            kind=self.type,
            occurred_at=self.occurred_at,
            customer_ref=self.customer_ref,
            invoice_ref=self.invoice_ref,
            subscription_ref=self.subscription_ref,
            amount=self.amount,
            currency=self.currency.lower() if self.currency else None,
            failure_reason=self.failure_reason,
            customer_email=self.customer_email,
            customer_name=self.customer_name,
            customer_phone=self.customer_phone,
        )


def parse_record(line: str, lineno: int) -> IngestRecord:
    """One line as a validated record; ``PayloadError`` names the line and the field."""
    try:
        raw = json.loads(line, object_pairs_hook=_no_duplicate_keys)
    except ValueError as exc:
        detail = (
            f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else exc
        )
        raise PayloadError(f"line {lineno}: not valid JSON: {detail}") from None
    if not isinstance(raw, dict):
        raise PayloadError(f"line {lineno}: expected a JSON object, got {type(raw).__name__}")
    try:
        return IngestRecord.model_validate(raw)
    except ValidationError as exc:
        raise PayloadError(f"line {lineno}: {_describe(exc)}") from None


def parse_line(line: str, lineno: int) -> TriggerEvent:
    """One line as a domain ``TriggerEvent``; ``PayloadError`` names the line and the field."""
    return parse_record(line, lineno).to_trigger()


def read_events(path: Path) -> list[TriggerEvent]:
    """Every event in ``path``, or ``PayloadError`` for the first bad line and none at all.

    Blank lines are skipped. A repeated ``(source, event_id)`` is refused: within one file it
    is a mapping mistake, and downstream deduplication would silently drop the second line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    events: list[TriggerEvent] = []
    first_seen: dict[tuple[str, str], int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        event = parse_line(line, lineno)
        key = (event.source, event.event_id)
        if key in first_seen:
            raise PayloadError(
                f"line {lineno}: event_id: {event.event_id!r} from {event.source!r} "
                f"repeats line {first_seen[key]}"
            )
        first_seen[key] = lineno
        events.append(event)
    return events


def _describe(exc: ValidationError) -> str:
    """The first problem as ``field: message``, which is what a person fixing the file needs."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    field = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{field}: {message}{more}" if field else f"{message}{more}"


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON allows a repeated key and keeps the last; for a hand-made file that hides a typo."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} appears twice")
        result[key] = value
    return result
