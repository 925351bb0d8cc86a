"""Map Stripe webhook events (plain JSON dicts) onto Recoup's vendor-neutral ``TriggerEvent``.

Why dicts, read defensively: a body is shaped by the API version the endpoint is pinned to, and
what we need moved between versions (basil moved ``invoice.subscription`` under
``parent.subscription_details`` and dropped ``payment_intent.invoice`` and ``charge.invoice``).
The event *type* decides the kind, the *object* where references live. Types we do not act on
still map (to ``UNKNOWN``) so the caller can record and acknowledge them, not make Stripe retry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from recoup.domain.errors import PayloadError
from recoup.domain.models import TriggerEvent, TriggerKind

Obj = Mapping[str, Any]
Fields = dict[str, Any]

#: Amounts Stripe sends in whole units (docs.stripe.com/currencies#zero-decimal). ISK, HUF and
#: TWD are absent on purpose: the API keeps them two-decimal for backwards compatibility.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"}
    | {"pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)
#: Amounts Stripe sends in thousandths.
THREE_DECIMAL_CURRENCIES = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})

_K = TriggerKind
#: event type -> (kind, the data.object it must carry). Anything absent maps to UNKNOWN.
_RULES: dict[str, tuple[TriggerKind, str]] = {
    "invoice.payment_failed": (_K.PAYMENT_FAILED, "invoice"),
    "invoice.payment_action_required": (_K.PAYMENT_FAILED, "invoice"),
    "invoice.paid": (_K.PAYMENT_SUCCEEDED, "invoice"),
    "invoice.payment_succeeded": (_K.PAYMENT_SUCCEEDED, "invoice"),
    "charge.failed": (_K.PAYMENT_FAILED, "charge"),
    "payment_intent.payment_failed": (_K.PAYMENT_FAILED, "payment_intent"),
    # Closes cases keyed by a PaymentIntent ID (no invoice to send invoice.paid for them).
    "payment_intent.succeeded": (_K.PAYMENT_SUCCEEDED, "payment_intent"),
    "customer.subscription.updated": (_K.UNKNOWN, "subscription"),  # kind set by status
    "customer.subscription.deleted": (_K.SUBSCRIPTION_CANCELED, "subscription"),
    "charge.dispute.created": (_K.DISPUTE_OPENED, "dispute"),
}
_SUBSCRIPTION_STATUS_KINDS = {
    "past_due": _K.SUBSCRIPTION_PAST_DUE,
    "unpaid": _K.SUBSCRIPTION_UNPAID,
}


def event_to_trigger(event: Mapping[str, Any], source: str = "stripe") -> TriggerEvent:
    """Normalise one Stripe event; raise ``PayloadError`` naming any missing required member."""
    event_id, event_type, occurred_at, data = _envelope(event)
    obj: Obj = data["object"]
    kind = _kind(event_type, data)
    fields = _fields(event_type, kind, obj)
    return TriggerEvent(
        source=source,
        event_id=event_id,
        event_type=event_type,
        kind=kind,
        occurred_at=occurred_at,
        **fields,
    )


def to_major_units(minor: int, currency: str | None) -> Decimal:
    """Stripe's integer minor units as a Decimal amount (249.00, not 24900; ¥500, not ¥5.00)."""
    code = (currency or "").lower()
    exponent = 2
    if code in ZERO_DECIMAL_CURRENCIES:
        exponent = 0
    elif code in THREE_DECIMAL_CURRENCIES:
        exponent = 3
    return Decimal(minor).scaleb(-exponent)


def _envelope(event: Mapping[str, Any]) -> tuple[str, str, datetime, Obj]:
    """The members every event needs; a reply naming the gap beats a KeyError far away."""
    if not isinstance(event, Mapping):
        raise PayloadError("Stripe event must be a JSON object")
    event_id = _text(event, "id")
    if event_id is None:
        raise PayloadError("Stripe event has no 'id'")
    event_type = _text(event, "type")
    if event_type is None:
        raise PayloadError(f"Stripe event {event_id} has no 'type'")
    data = event.get("data")
    if not isinstance(data, Mapping) or not isinstance(data.get("object"), Mapping):
        raise PayloadError(f"Stripe event {event_id} ({event_type}) has no 'data.object'")
    return event_id, event_type, _occurred_at(event_id, event.get("created")), data


def _occurred_at(event_id: str, created: Any) -> datetime:
    """``created`` is Unix seconds; an aware UTC datetime keeps ordering sane across sources."""
    if not isinstance(created, bool) and isinstance(created, int):
        try:
            return datetime.fromtimestamp(created, tz=UTC)
        except (ValueError, OverflowError, OSError):
            pass
    raise PayloadError(f"Stripe event {event_id} has no valid 'created' time (got {created!r})")


def _kind(event_type: str, data: Obj) -> TriggerKind:
    """The kind, with subscription updates judged by a *change* of status.

    Stripe sends ``customer.subscription.updated`` for any edit; a past-due subscription whose
    metadata changed must not reopen a case, so when ``previous_attributes`` is present it has
    to show the status moving.
    """
    if event_type != "customer.subscription.updated":
        return _RULES.get(event_type, (_K.UNKNOWN, ""))[0]
    kind = _SUBSCRIPTION_STATUS_KINDS.get(str(data["object"].get("status")), _K.UNKNOWN)
    previous = data.get("previous_attributes")
    if isinstance(previous, Mapping) and "status" not in previous:
        return _K.UNKNOWN
    return kind


def _fields(event_type: str, kind: TriggerKind, obj: Obj) -> Fields:
    """Strict for types we act on; best effort (never raising) for the rest."""
    rule = _RULES.get(event_type)
    if rule is None:
        extract = _EXTRACTORS.get(str(obj.get("object")))
        try:
            return extract(obj, kind) if extract else {"customer_ref": _ref(obj.get("customer"))}
        except PayloadError:
            return {}
    expected = rule[1]
    actual = obj.get("object", expected)
    if actual != expected:
        raise PayloadError(f"{event_type} should carry a {expected!r} object, not {actual!r}")
    if _text(obj, "id") is None:
        raise PayloadError(f"{event_type} event has no 'data.object.id'")
    fields = _EXTRACTORS[expected](obj, kind)
    if event_type == "invoice.payment_action_required":
        fields["failure_reason"] = "authentication_required"
    return fields


def _invoice(inv: Obj, kind: TriggerKind) -> Fields:
    """An invoice: what is still owed when it failed, what was paid when it succeeded."""
    key = "amount_remaining" if inv.get("amount_remaining") is not None else "amount_due"
    details = _mapping(_mapping(inv.get("parent")).get("subscription_details"))
    return {
        "customer_ref": _ref(inv.get("customer")),
        "invoice_ref": _text(inv, "id"),
        "subscription_ref": _ref(inv.get("subscription")) or _ref(details.get("subscription")),
        **_money(inv, "amount_paid" if kind is _K.PAYMENT_SUCCEEDED else key),
        "failure_reason": None,  # Stripe says why only on the charge / PaymentIntent events
        **_contact(inv, prefix="customer_"),
    }


def _charge(charge: Obj, kind: TriggerKind) -> Fields:
    """A charge: keyed by its invoice when Stripe still says so, else by its PaymentIntent."""
    billing, outcome = _mapping(charge.get("billing_details")), _mapping(charge.get("outcome"))
    invoice_ref = _ref(charge.get("invoice")) or _ref(charge.get("payment_intent"))
    return {
        "customer_ref": _ref(charge.get("customer")),
        "invoice_ref": invoice_ref or _text(charge, "id"),
        **_money(charge, "amount"),
        # The issuer's specific reason first, as decline_code is for a PaymentIntent.
        "failure_reason": _text(outcome, "reason") or _text(charge, "failure_code"),
        **_contact(billing, fallback_email=_text(charge, "receipt_email")),
    }


def _payment_intent(intent: Obj, kind: TriggerKind) -> Fields:
    """A PaymentIntent: basil dropped ``invoice``, so the PI's own ID is the fallback key."""
    error = _mapping(intent.get("last_payment_error"))
    billing = _mapping(_mapping(error.get("payment_method")).get("billing_details"))
    return {
        "customer_ref": _ref(intent.get("customer")),
        "invoice_ref": _ref(intent.get("invoice")) or _text(intent, "id"),
        **_money(intent, "amount"),
        "failure_reason": _text(error, "decline_code") or _text(error, "code"),
        **_contact(billing, fallback_email=_text(intent, "receipt_email")),
    }


def _subscription(sub: Obj, kind: TriggerKind) -> Fields:
    """A subscription carries no amount; its latest invoice is what the customer owes."""
    return {
        "customer_ref": _ref(sub.get("customer")),
        "invoice_ref": _ref(sub.get("latest_invoice")),
        "subscription_ref": _text(sub, "id"),
        "currency": _currency(sub),
    }


def _dispute(dispute: Obj, kind: TriggerKind) -> Fields:
    """A dispute names its PaymentIntent and charge but not the customer; the PI keys the case."""
    invoice_ref = _ref(dispute.get("payment_intent")) or _ref(dispute.get("charge"))
    return {
        "invoice_ref": invoice_ref,
        **_money(dispute, "amount"),
        "failure_reason": _text(dispute, "reason"),
    }


_EXTRACTORS: dict[str, Callable[[Obj, TriggerKind], Fields]] = {
    "invoice": _invoice,
    "charge": _charge,
    "payment_intent": _payment_intent,
    "subscription": _subscription,
    "dispute": _dispute,
}


def _money(obj: Obj, key: str) -> Fields:
    """Amount and currency together, since the amount means nothing without its exponent."""
    value, currency = obj.get(key), _currency(obj)
    if value is None:
        return {"amount": None, "currency": currency}
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"{obj.get('object', 'object')}.{key} is not an integer: {value!r}")
    return {"amount": to_major_units(value, currency), "currency": currency}


def _contact(obj: Obj, prefix: str = "", fallback_email: str | None = None) -> Fields:
    """Who to reach: invoices say ``customer_email``, billing details just ``email``."""
    found = {f"customer_{key}": _text(obj, prefix + key) for key in ("email", "name", "phone")}
    found["customer_email"] = found["customer_email"] or fallback_email
    return found


def _currency(obj: Obj) -> str | None:
    code = _text(obj, "currency")
    return code.lower() if code else None


def _ref(value: Any) -> str | None:
    """An ID whether Stripe sent it bare (``"cus_1"``) or expanded (``{"id": "cus_1"}``)."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _text(obj: Obj, key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) and value else None


def _mapping(value: Any) -> Obj:
    return value if isinstance(value, Mapping) else {}
