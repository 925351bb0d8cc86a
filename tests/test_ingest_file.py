"""The ingest file schema (docs/ingest.md): good files load, bad lines are named and stop all."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from recoup.domain.errors import InputError, PayloadError
from recoup.domain.models import TriggerKind
from recoup.ingest_file import parse_line, parse_record, read_events

GOOD: dict[str, Any] = {
    "source": "chargebee",
    "event_id": "ev_16BPgETyVrQbiGhA",
    "type": "payment_failed",
    "occurred_at": "2025-05-01T10:15:00+02:00",
    "customer_ref": "AzZlGJTyVrQaV1aB",
    "invoice_ref": "inv_1042",
    "amount": "249.00",
    "currency": "USD",
    "failure_reason": "insufficient_funds",
    "customer_email": "ap@example.com",
    "customer_name": "Ada Lovelace",
    "customer_phone": "+44 20 7946 0958",
    "due_date": "2025-05-15",
    "invoice_number": "INV-1042",
}
PAID = {
    "source": "chargebee",
    "event_id": "ev_16BPgETyVrQbiGhB",
    "type": "payment_succeeded",
    "occurred_at": "2025-05-03T08:00:00Z",
    "customer_ref": "AzZlGJTyVrQaV1aB",
    "invoice_ref": "inv_1042",
}


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def with_(**changes: Any) -> str:
    """GOOD with some members changed; ``None`` removes one."""
    record = {**GOOD, **changes}
    return json.dumps({key: value for key, value in record.items() if value is not None})


def test_good_file_loads_every_event(tmp_path: Path) -> None:
    events = read_events(write(tmp_path, json.dumps(GOOD), "", "   ", json.dumps(PAID)))
    assert [event.kind for event in events] == [
        TriggerKind.PAYMENT_FAILED,
        TriggerKind.PAYMENT_SUCCEEDED,
    ]
    failed, paid = events
    assert (failed.source, failed.event_id, failed.event_type) == (
        "chargebee",
        "ev_16BPgETyVrQbiGhA",
        "payment_failed",
    )
    assert failed.occurred_at == datetime(2025, 5, 1, 8, 15, tzinfo=UTC)
    assert failed.occurred_at.tzinfo is UTC
    assert (failed.amount, failed.currency) == (Decimal("249.00"), "usd")
    assert str(failed.amount) == "249.00"
    assert (failed.customer_ref, failed.invoice_ref) == ("AzZlGJTyVrQaV1aB", "inv_1042")
    assert (failed.failure_reason, failed.customer_phone) == (
        "insufficient_funds",
        "+44 20 7946 0958",
    )
    assert (paid.amount, paid.currency, paid.customer_email) == (None, None, None)


def test_record_keeps_fields_the_domain_event_lacks() -> None:
    record = parse_record(json.dumps(GOOD), 1)
    assert (record.due_date, record.invoice_number) == (date(2025, 5, 15), "INV-1042")


def test_bad_line_is_named_by_number_and_nothing_is_returned(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps(GOOD), "", json.dumps(PAID), with_(amount="12,50"))
    with pytest.raises(PayloadError, match=r"^line 4: amount: "):
        read_events(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (with_(amount_due="249.00"), "amount_due: Extra inputs are not permitted"),
        (with_(amount="abc"), "amount: must be a non-negative decimal string"),
        (with_(amount=249.0), "amount: must be a non-negative decimal string"),
        (with_(amount="-5.00"), "amount: must be a non-negative decimal string"),
        (with_(amount="1.23456"), "amount: must be a non-negative decimal string"),
        (with_(occurred_at="2025-05-01T10:15:00"), "occurred_at: .*timezone"),
        (with_(occurred_at="2025-05-01"), "occurred_at: .*timezone"),
        (with_(occurred_at="yesterday"), "occurred_at: "),
        (with_(occurred_at="2025-02-30T10:00:00Z"), "occurred_at: "),
        (with_(occurred_at=1746087300), "occurred_at: must be an ISO-8601 string"),
        (with_(due_date="15/05/2025"), "due_date: "),
        (with_(type="charge_failed"), "type: Input should be 'payment_failed'"),
        (with_(currency="dollars"), "currency: "),
        (with_(currency=None), "amount and currency must be given together"),
        (with_(invoice_ref=None), "invoice_ref is required for type 'payment_failed'"),
        (with_(amount=None, currency=None), "amount and currency are required"),
        (with_(customer_ref=None), "customer_ref: Field required"),
        (with_(customer_ref=42), "customer_ref: Input should be a valid string"),
        (with_(customer_email="not-an-email"), "customer_email: "),
        (with_(source="Chargebee"), "source: "),
        ('{"source": "chargebee", "source": "x"}', "not valid JSON: key 'source' appears twice"),
        ('{"source": "chargebee",', "not valid JSON"),
        ('["chargebee"]', "expected a JSON object, got list"),
    ],
)
def test_bad_line_names_line_and_field(line: str, message: str) -> None:
    with pytest.raises(PayloadError, match=rf"^line 7: {message}"):
        parse_line(line, 7)


def test_repeated_event_id_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps(GOOD), json.dumps(PAID), with_(amount="1.00"))
    with pytest.raises(PayloadError, match=r"^line 3: event_id: .* repeats line 1"):
        read_events(path)


def test_same_event_id_from_another_source_is_distinct(tmp_path: Path) -> None:
    events = read_events(write(tmp_path, json.dumps(GOOD), with_(source="recurly")))
    assert [event.source for event in events] == ["chargebee", "recurly"]


def test_unreadable_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_events(tmp_path / "missing.jsonl")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe{}")
    with pytest.raises(PayloadError, match="not UTF-8"):
        read_events(binary)


def test_empty_file_has_no_events(tmp_path: Path) -> None:
    assert read_events(write(tmp_path, "")) == []
