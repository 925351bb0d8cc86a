"""Stripe API objects as the stand-in serves them, and seeds built from domain invoices.

The shapes follow Stripe's API reference for the version the SDK pins (basil and later: an
invoice names its subscription under ``parent.subscription_details`` and its PaymentIntents
through the includable ``payments`` list; a charge says why it failed in ``failure_code`` and
the issuer's decline code in ``outcome.reason``). Only the members Recoup reads, plus the
identifying ones, are filled in; the contract tests also seed the real payloads from
../shared/fixtures to prove the adapter reads those.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from recoup.adapters.stripe.mapping import THREE_DECIMAL_CURRENCIES, ZERO_DECIMAL_CURRENCIES
from recoup.domain.models import Invoice

Obj = dict[str, Any]
#: The made-up account every stand-in object belongs to.
ACCOUNT = "acct_1RecoupStandIn"


def new_id(prefix: str) -> str:
    """An ID shaped like Stripe's (``cs_test_a1B2...``)."""
    return f"{prefix}_{secrets.token_hex(12)}"


def to_minor(amount: Decimal, currency: str) -> int:
    """The inverse of ``to_major_units``: 249.00 usd -> 24900, 500 jpy -> 500."""
    code = currency.lower()
    exponent = (
        0 if code in ZERO_DECIMAL_CURRENCIES else 3 if code in THREE_DECIMAL_CURRENCIES else 2
    )
    return int(amount.scaleb(exponent))


def error(message: str, *, type_: str = "invalid_request_error", **extra: Any) -> Obj:
    """Stripe's error envelope."""
    return {"error": {"type": type_, "message": message, **extra}}


def customer_object(customer_id: str, **fields: Any) -> Obj:
    return {
        "id": customer_id, "object": "customer", "created": int(datetime.now(UTC).timestamp()),
        "email": None, "name": None, "phone": None, "livemode": False, "metadata": {},
        **fields,
    }  # fmt: skip


def invoice_object(invoice_id: str, customer: str, amount_due: int, **fields: Any) -> Obj:
    """An open, finalised invoice charged automatically, unless ``fields`` say otherwise."""
    created = int(fields.pop("created", datetime.now(UTC).timestamp()))
    subscription = fields.pop("subscription", None)
    parent = None if subscription is None else {
        "type": "subscription_details", "quote_details": None,
        "subscription_details": {"metadata": {}, "subscription": subscription},
    }  # fmt: skip
    return {
        "id": invoice_id, "object": "invoice", "customer": customer, "currency": "usd",
        "amount_due": amount_due, "amount_paid": 0, "amount_remaining": amount_due,
        "attempt_count": 0, "attempted": False, "billing_reason": "subscription_cycle",
        "collection_method": "charge_automatically", "created": created, "due_date": None,
        "effective_at": created, "livemode": False, "metadata": {},
        "next_payment_attempt": None, "number": None, "parent": parent, "status": "open",
        "hosted_invoice_url": f"https://invoice.stripe.com/i/{ACCOUNT}/test_{invoice_id}",
        "status_transitions": {"finalized_at": created, "paid_at": None, "voided_at": None,
                               "marked_uncollectible_at": None},
        **fields,
    }  # fmt: skip


def charge_object(charge_id: str, customer: str, amount: int, **fields: Any) -> Obj:
    """A charge; pass ``status="failed"`` with ``failure_code`` and ``decline_code``."""
    decline, status = fields.pop("decline_code", None), fields.get("status", "succeeded")
    failed = status == "failed"
    outcome = {
        "type": "issuer_declined" if failed else "authorized",
        "network_status": "declined_by_network" if failed else "approved_by_network",
        "reason": decline, "risk_level": "normal", "seller_message": "",
    }  # fmt: skip
    return {
        "id": charge_id, "object": "charge", "amount": amount, "currency": "usd",
        "customer": customer, "created": int(datetime.now(UTC).timestamp()),
        "paid": not failed, "payment_intent": None, "failure_code": None,
        "failure_message": None, "livemode": False, "outcome": outcome, "status": status,
        **fields,
    }  # fmt: skip


def invoice_payment(invoice: Obj, payment_intent: str) -> Obj:
    """One row of an invoice's ``payments`` list."""
    paid = invoice.get("status") == "paid"
    return {
        "id": new_id("inpay"), "object": "invoice_payment", "invoice": invoice["id"],
        "amount_paid": invoice.get("amount_paid") if paid else None,
        "amount_requested": invoice.get("amount_due"), "currency": invoice.get("currency"),
        "is_default": True, "livemode": False, "created": invoice.get("created"),
        "payment": {"type": "payment_intent", "payment_intent": payment_intent},
        "status": "paid" if paid else "open",
    }  # fmt: skip


@dataclass(frozen=True)
class Seed:
    """What the stand-in must hold for the adapter to read back one domain invoice."""

    customer: Obj
    invoice: Obj
    payment_intent: str
    charges: list[Obj]


def seed_for(invoice: Invoice, email: str | None = None, name: str | None = None) -> Seed:
    """Stripe objects that map back to ``invoice`` exactly: ``prior_failures`` failed charges
    before the latest attempt, which failed (or, for a paid invoice, succeeded)."""
    ref, currency = invoice.invoice_ref, invoice.currency
    minor = to_minor(invoice.amount, currency)
    due = int(datetime.combine(invoice.due_date, time(12), UTC).timestamp())
    paid = invoice.status == "paid"
    retry = invoice.next_payment_attempt
    intent = f"pi_{ref.removeprefix('in_')}"
    tried = paid or invoice.failure_reason is not None or invoice.prior_failures > 0
    attempts = invoice.prior_failures + 1 if tried else 0
    charges = [
        charge_object(
            f"ch_{ref.removeprefix('in_')}_{n}", invoice.customer_ref, minor, currency=currency,
            payment_intent=intent, created=due - 3600 * (attempts - n), status="failed",
            failure_code="card_declined" if invoice.decline_code else invoice.failure_reason,
            decline_code=invoice.decline_code,
        )
        for n in range(attempts)
    ]  # fmt: skip
    if paid:
        charges[-1].update(status="succeeded", paid=True, failure_code=None)
        charges[-1]["outcome"].update(type="authorized", reason=None)
    raw = invoice_object(
        ref, invoice.customer_ref, minor, currency=currency, due_date=due, created=due - 86400,
        number=invoice.number, status=invoice.status, attempt_count=attempts,
        attempted=attempts > 0, amount_paid=minor if paid else 0,
        amount_remaining=0 if paid else minor, subscription=invoice.subscription_ref,
        next_payment_attempt=None if retry is None else int(retry.timestamp()),
        hosted_invoice_url=invoice.hosted_invoice_url,
        customer_email=email, customer_name=name,
    )  # fmt: skip
    customer = customer_object(invoice.customer_ref, email=email, name=name)
    return Seed(customer=customer, invoice=raw, payment_intent=intent, charges=charges)


def checkout_session(form: Obj) -> Obj:
    """A Checkout Session as ``POST /v1/checkout/sessions`` answers it."""
    session_id = f"cs_test_{secrets.token_hex(16)}"
    now = int(datetime.now(UTC).timestamp())
    return {
        "id": session_id, "object": "checkout.session", "mode": form.get("mode"),
        "customer": form.get("customer"), "currency": form.get("currency"),
        "success_url": form.get("success_url"), "cancel_url": form.get("cancel_url"),
        "metadata": form.get("metadata") or {}, "status": "open", "payment_status": "unpaid",
        "created": now, "expires_at": now + 86400, "livemode": False,
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
    }  # fmt: skip


def portal_session(form: Obj) -> Obj:
    """A billing-portal session as ``POST /v1/billing_portal/sessions`` answers it."""
    flow = form.get("flow_data")
    return {
        "id": new_id("bps"), "object": "billing_portal.session", "configuration": new_id("bpc"),
        "customer": form.get("customer"), "return_url": form.get("return_url"),
        "flow": None if not flow else {"type": flow.get("type"), "after_completion": {}},
        "created": int(datetime.now(UTC).timestamp()), "livemode": False, "locale": None,
        "url": f"https://billing.stripe.com/p/session/test_{secrets.token_hex(16)}",
    }  # fmt: skip
