"""Stripe API objects -> domain invoices, dispositions -> metadata, and error translation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

import stripe
from recoup.adapters.stripe import billing_mapping as bm
from recoup.adapters.stripe.errors import retry_after, translate
from recoup.domain.errors import PermanentPortError, TransientPortError
from recoup.domain.models import Outcome, WriteBack


def charge(status: str, created: int, code: str | None = None, reason: str | None = None) -> Any:
    return {"status": status, "created": created, "failure_code": code,
            "outcome": {"reason": reason}}  # fmt: skip


@pytest.mark.parametrize(
    ("charges", "attempts", "expected"),
    [
        ([], 3, (None, None, 2)),  # nothing listed: every attempt but the latest failed before
        ([], None, (None, None, 0)),
        ([charge("failed", 1, "card_declined", "insufficient_funds")], 1,
         ("insufficient_funds", "insufficient_funds", 0)),
        ([charge("failed", 2, "expired_card"), charge("failed", 1, "card_declined", "x")], 2,
         ("expired_card", None, 1)),  # the latest by time, whatever the order listed
        ([charge("succeeded", 3), charge("failed", 1, "c", "do_not_honor"),
          charge("failed", 2, "c", "generic_decline")], 3,
         ("generic_decline", "generic_decline", 2)),
        ([charge("succeeded", 1)], 1, (None, None, 0)),
    ],
)  # fmt: skip
def test_failure_summary(charges: list[Any], attempts: int | None, expected: Any) -> None:
    assert bm.failure_summary(charges, attempts) == expected


def test_invoice_needs_an_id_and_a_customer() -> None:
    with pytest.raises(PermanentPortError, match="without an id or a customer"):
        bm.invoice_from({"id": "in_1", "amount_due": 1, "created": 1}, [])


def test_payment_intents_from_payments_list_and_legacy_field() -> None:
    raw = {"payments": {"data": [{"payment": {"payment_intent": "pi_1"}},
                                 {"payment": {"payment_intent": {"id": "pi_2"}}},
                                 {"payment": {"type": "charge", "charge": "ch_1"}}]},
           "payment_intent": "pi_1"}  # fmt: skip
    assert bm.payment_intents_of(raw) == ["pi_1", "pi_2"]


def test_metadata_is_clipped_and_an_absent_promise_clears_the_old_one() -> None:
    write = WriteBack(
        key="call_1", case_id="case_1", account_id="acc_1", invoice_ref="in_1",
        outcome=Outcome.LINK_SENT, promise_date=None, next_action="n" * 600, summary="short",
    )  # fmt: skip
    meta = bm.disposition_metadata(write)
    assert meta["recoup_promise_date"] == ""
    assert len(meta["recoup_next_action"]) == 500
    assert meta["recoup_next_action"].endswith("…")
    assert all(len(k) <= 40 and len(v) <= 500 for k, v in meta.items())
    with_promise = write.model_copy(update={"promise_date": date(2026, 3, 6)})
    assert bm.disposition_metadata(with_promise)["recoup_promise_date"] == "2026-03-06"


def test_idempotency_keys_fit_stripes_limit_and_are_stable() -> None:
    assert bm.idempotency_key("link:checkout", "k") == "recoup:link:checkout:k"
    long_key = "x" * 300
    hashed = bm.idempotency_key("disposition:invoices", long_key)
    assert len(hashed) <= 255
    assert hashed == bm.idempotency_key("disposition:invoices", long_key)
    assert hashed != bm.idempotency_key("disposition:customers", long_key)


def test_retry_after_as_seconds_or_http_date() -> None:
    assert retry_after({"Retry-After": "3"}) == 3.0
    assert retry_after({"retry-after": "-1"}) == 0.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (retry_after({"Retry-After": later}) or 0) <= 31
    assert retry_after({"Retry-After": "soon"}) is None
    assert retry_after({}) is None


def test_translation_of_sdk_errors() -> None:
    conflict = stripe.APIError("lock", http_status=409)
    assert isinstance(translate(conflict, "x"), TransientPortError)
    told = stripe.InvalidRequestError("x", None, http_status=400,
                                      headers={"Stripe-Should-Retry": "true"})  # fmt: skip
    assert isinstance(translate(told, "x"), TransientPortError)
    leaky = stripe.InvalidRequestError("bad key sk_live_abc123 here", None, http_status=400)
    assert "sk_live" not in str(translate(leaky, "x"))
    assert isinstance(translate(stripe.APIConnectionError("down"), "x"), TransientPortError)
