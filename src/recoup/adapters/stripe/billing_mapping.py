"""Map Stripe API objects (plain dicts) onto domain ``Invoice``s, and dispositions onto metadata.

Why dicts again, as in ``mapping.py``: what we read moved between API versions (basil dropped
``invoice.charge``, ``invoice.payment_intent`` and ``invoice.subscription`` in favour of the
includable ``payments`` list and ``parent.subscription_details``), so each field is read
where either shape keeps it, and nothing here depends on the SDK's classes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

# The webhook mapping's readers: an ID bare or expanded, a non-empty string field.
from recoup.adapters.stripe.mapping import _ref, _text, to_major_units
from recoup.domain.errors import PermanentPortError
from recoup.domain.models import Invoice, WriteBack

Obj = Mapping[str, Any]

#: Stripe's limits: metadata values hold at most 500 characters, idempotency keys 255.
METADATA_VALUE_LIMIT = 500
IDEMPOTENCY_KEY_LIMIT = 255
#: The metadata Recoup owns on invoices and customers; nothing else is ever written.
CALL_ID_KEY = "recoup_call_id"


def invoice_from(raw: Obj, charges: Sequence[Obj]) -> Invoice:
    """The domain invoice: what is owed, when, and how its charges have failed so far."""
    invoice_ref = _text(raw, "id")
    customer_ref = _ref(raw.get("customer"))
    if invoice_ref is None or customer_ref is None:
        raise PermanentPortError("Stripe returned an invoice without an id or a customer")
    currency = (_text(raw, "currency") or "usd").lower()
    status = _text(raw, "status") or "open"
    reason, decline, prior = failure_summary(charges, _int(raw.get("attempt_count")))
    return Invoice(
        invoice_ref=invoice_ref,
        number=_text(raw, "number") or invoice_ref,
        customer_ref=customer_ref,
        amount=to_major_units(_owed(raw, status), currency),
        currency=currency,
        due_date=_due_date(raw),
        status=status,
        failure_reason=reason,
        prior_failures=prior,
        subscription_ref=subscription_of(raw),
        decline_code=decline,
        next_payment_attempt=_moment(raw.get("next_payment_attempt")),
        hosted_invoice_url=_text(raw, "hosted_invoice_url"),
    )


def failure_summary(
    charges: Sequence[Obj], attempt_count: int | None
) -> tuple[str | None, str | None, int]:
    """(failure reason, decline code, prior failures) from the charges behind an invoice.

    The reason is the issuer's specific one (``outcome.reason``, the decline code) before the
    generic ``failure_code``, as ``mapping.py`` reads charge events. "Prior" failures are the
    failed charges before the latest attempt: the latest failure is the current one, which is
    also how the simulator counts (``attempt_count == prior_failures + 1``). Without charges
    (none listed, or a 3-D Secure stop that never charged) the invoice's ``attempt_count``
    is all we have: every attempt but the latest one failed before it.
    """
    ordered = sorted(charges, key=lambda c: _int(c.get("created")) or 0)
    failed = [c for c in ordered if c.get("status") == "failed"]
    if not ordered:
        return None, None, max((attempt_count or 0) - 1, 0)
    prior = len([c for c in failed if c is not ordered[-1]])
    if not failed:
        return None, None, prior
    last = failed[-1]
    outcome = last.get("outcome")
    outcome = outcome if isinstance(outcome, Mapping) else {}
    decline = _text(outcome, "reason") or _text(last, "decline_code")
    return decline or _text(last, "failure_code"), decline, prior


def payment_intents_of(raw: Obj) -> list[str]:
    """The PaymentIntents that tried to pay the invoice: the ``payments`` list (basil on), or
    the legacy ``payment_intent`` field."""
    found: list[str] = []
    payments = raw.get("payments")
    rows = payments.get("data") if isinstance(payments, Mapping) else None
    for row in rows if isinstance(rows, list) else []:
        payment = row.get("payment") if isinstance(row, Mapping) else None
        ref = _ref(payment.get("payment_intent")) if isinstance(payment, Mapping) else None
        if ref and ref not in found:
            found.append(ref)
    legacy = _ref(raw.get("payment_intent"))
    if legacy and legacy not in found:
        found.append(legacy)
    return found


def subscription_of(raw: Obj) -> str | None:
    """The subscription, legacy top-level or under ``parent.subscription_details`` (basil)."""
    parent = raw.get("parent")
    details = parent.get("subscription_details") if isinstance(parent, Mapping) else None
    nested = details.get("subscription") if isinstance(details, Mapping) else None
    return _ref(raw.get("subscription")) or _ref(nested)


def disposition_metadata(write: WriteBack) -> dict[str, str]:
    """The disposition as Stripe metadata. An empty value deletes the key in Stripe, so a
    call without a promise clears an earlier call's promise date instead of leaving it."""
    return {
        "recoup_outcome": write.outcome.value,
        CALL_ID_KEY: _clip(write.key),
        "recoup_case_id": _clip(write.case_id),
        "recoup_promise_date": write.promise_date.isoformat() if write.promise_date else "",
        "recoup_next_action": _clip(write.next_action),
        "recoup_summary": _clip(write.summary),
    }


def idempotency_key(purpose: str, key: str) -> str:
    """A Stripe ``Idempotency-Key`` for one write of ``purpose`` made for ``key``.

    Each write gets its own key (Stripe refuses one key reused with other parameters); a key
    too long for Stripe is hashed, so the same input always yields the same header."""
    plain = f"recoup:{purpose}:{key}"
    if len(plain) <= IDEMPOTENCY_KEY_LIMIT:
        return plain
    return f"recoup:{purpose}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def metadata_of(obj: Any) -> Obj:
    """An object's metadata, or nothing for a bare ID or a deleted customer."""
    if not isinstance(obj, Mapping) or obj.get("deleted"):
        return {}
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def ref_of(value: Any) -> str | None:
    """An ID whether Stripe sent it bare or expanded."""
    return _ref(value)


def _owed(raw: Obj, status: str) -> int:
    """What is still owed; for a paid invoice, what it was for."""
    keys = ("amount_due",) if status == "paid" else ("amount_remaining", "amount_due")
    for key in keys:
        value = _int(raw.get(key))
        if value is not None:
            return value
    raise PermanentPortError(f"Stripe invoice {raw.get('id')} carries no amount")


def _due_date(raw: Obj) -> date:
    """``due_date`` is null for charge-automatically invoices: they were due on finalising."""
    transitions = raw.get("status_transitions")
    finalized = transitions.get("finalized_at") if isinstance(transitions, Mapping) else None
    for value in (raw.get("due_date"), finalized, raw.get("effective_at"), raw.get("created")):
        moment = _moment(value)
        if moment is not None:
            return moment.date()
    raise PermanentPortError(f"Stripe invoice {raw.get('id')} has no due or creation date")


def _moment(value: Any) -> datetime | None:
    seconds = _int(value)
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)


def _clip(text: str) -> str:
    limit = METADATA_VALUE_LIMIT
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
