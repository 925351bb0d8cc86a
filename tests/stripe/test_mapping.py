"""Every Stripe payload in ../shared/fixtures/stripe mapped to a TriggerEvent, field by field.

Real envelopes are used as they are. The pay-rails files hold only an event's ``data`` member
and the lago error bodies hold a PaymentIntent (with its failed charge) rather than an event, so
those are wrapped in an envelope of the type their SOURCES.md entry names.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from recoup.adapters.stripe import event_to_trigger, to_major_units
from recoup.domain.errors import PayloadError
from recoup.domain.models import TriggerKind

Loader = Callable[[str], Any]
CREATED = 1745000000


def envelope(event_type: str, data: dict[str, Any], event_id: str = "evt_test") -> dict[str, Any]:
    return {"id": event_id, "object": "event", "type": event_type, "created": CREATED, "data": data}


def build(load: Loader, fixture: str, shape: str, event_type: str) -> dict[str, Any]:
    """The event a fixture stands for, per its SOURCES.md entry.

    ``event``: a full envelope. ``data``: pay-rails, the file is the event's ``data`` member.
    ``object``: the file is the object itself. ``error_pi`` / ``error_charge``: a lago API error
    body whose ``error.payment_intent`` (and its ``charges.data[0]``, a real failed charge) is
    what ``payment_intent.payment_failed`` (``charge.failed``) carries.
    """
    raw = load(f"stripe/{fixture}")
    if shape == "event":
        return dict(raw)
    if shape == "data":
        return envelope(event_type, raw)
    if shape == "object":
        return envelope(event_type, {"object": raw})
    intent = raw["error"]["payment_intent"]
    if shape == "error_pi":
        return envelope("payment_intent.payment_failed", {"object": intent})
    return envelope("charge.failed", {"object": intent["charges"]["data"][0]})


class Case(NamedTuple):
    fixture: str
    shape: str
    event_type: str
    kind: TriggerKind
    customer_ref: str | None
    invoice_ref: str | None
    amount: str | None
    currency: str | None
    failure_reason: str | None
    subscription_ref: str | None = None
    email: str | None = None
    name: str | None = None


K = TriggerKind
BASIL = "lago__2025-04-30.basil_"
DECLINED = "lago__payment_intent_failed_card_declined_error.json"
LAGO_PI = ("cus_TSOWyTkxXlWiTc", "pi_3SVvxMQ8iJWBZFaM1Lao8ehu", "118.80", "usd")
LAGO_PI_FAILURE = ("authentication_not_handled", None, "gagerg@sfsefs.csrkgjsdbrgjdrbg", "awdawd")
LAGO_CHARGE = ("cus_RqdXlBPlUJcVEr", "pi_3QwwOwQ8iJWBZFaM2eEGbwPE", "84.04", "usd")
LAGO_CHARGE_FAILURE = ("generic_decline", None, "adadwa@adw.coo", "Testing Stripe")
DISPUTE = (None, "pi_3RWXidQ8iJWBZFaM0hwfe7LL", "1.00", "usd", "fraudulent")
PAID = ("cus_S9YwWMaQEgeJYO", "in_1RFFohKXBGcbgpbZk9MxzDMc", "245.12", "usd", None, None)
PAID_CONTACT = ("missouri@example.org", "Missouri")
SUB = ("cus_00000000000000", "in_1000", None, None, None, "sub_00000000000000")
EXAMPLE = ("customer@example.org", "Example Customer")
PI_FAILED = "payment_intent.payment_failed"

CASES = {
    "pi_failed_2020-08-27": Case("lago__2020-08-27_webhooks_payment_intent_payment_failed.json",
        "event", PI_FAILED, K.PAYMENT_FAILED, *LAGO_PI, *LAGO_PI_FAILURE),
    "pi_failed_acacia": Case("lago__2024-09-30.acacia_webhooks_payment_intent_payment_failed.json",
        "event", PI_FAILED, K.PAYMENT_FAILED, *LAGO_PI, *LAGO_PI_FAILURE),
    "pi_failed_basil_no_invoice_member": Case(f"{BASIL}webhooks_payment_intent_payment_failed.json",
        "event", PI_FAILED, K.PAYMENT_FAILED, *LAGO_PI, *LAGO_PI_FAILURE),
    "pi_succeeded": Case(f"{BASIL}webhooks_payment_intent_succeeded.json", "event",
        "payment_intent.succeeded", K.PAYMENT_SUCCEEDED,
        "cus_SOXv8CncjHqSEv", "pi_3RTkpYQ8iJWBZFaM1LBHNo0J", "46.20", "eur", None),
    "pi_canceled_is_unknown": Case(f"{BASIL}webhooks_payment_intent_canceled.json", "event",
        "payment_intent.canceled", K.UNKNOWN,
        "cus_TOlZpKcK7V4tSl", "pi_3SVCroQ8iJWBZFaM22iaIuU3", "230.40", "usd", None),
    "dispute_created": Case(f"{BASIL}webhooks_charge_dispute_created.json", "event",
        "charge.dispute.created", K.DISPUTE_OPENED, *DISPUTE),
    "dispute_closed_is_unknown": Case(f"{BASIL}webhooks_charge_dispute_closed.json", "event",
        "charge.dispute.closed", K.UNKNOWN, *DISPUTE),
    "charge_failed_from_error_body": Case(DECLINED, "error_charge", "charge.failed",
        K.PAYMENT_FAILED, *LAGO_CHARGE, *LAGO_CHARGE_FAILURE),
    "pi_failed_from_error_body": Case(DECLINED, "error_pi", PI_FAILED,
        K.PAYMENT_FAILED, *LAGO_CHARGE, *LAGO_CHARGE_FAILURE),
    "pi_failed_auth_required_eur": Case(
        f"{BASIL}payment_intent_authentication_required_response.json", "error_pi", PI_FAILED,
        K.PAYMENT_FAILED, "cus_TRjC4B0UDzH8K1", "pi_3SUpk9Q8iJWBZFaM20I3flZT", "13433.33", "eur",
        "authentication_not_handled"),
    "pi_failed_card_declined_eur": Case(f"{BASIL}payment_intent_card_declined_response.json",
        "error_pi", PI_FAILED, K.PAYMENT_FAILED,
        "cus_SRCIP043oBsNpV", "pi_3RWJu0Q8iJWBZFaM2S1rzYRV", "46.20", "eur", "generic_decline"),
    "pi_requires_action_is_unknown": Case(f"{BASIL}payment_intent_requires_action_response.json",
        "object", "payment_intent.requires_action", K.UNKNOWN,
        "cus_TRjC4B0UDzH8K1", "pi_3SUpkBQ8iJWBZFaM0SuylvJC", "13433.33", "eur", None),
    "invoice_paid": Case("pay__invoice.json", "object", "invoice.paid",
        K.PAYMENT_SUCCEEDED, *PAID, *PAID_CONTACT),
    "invoice_payment_succeeded": Case("pay__invoice.json", "object", "invoice.payment_succeeded",
        K.PAYMENT_SUCCEEDED, *PAID, *PAID_CONTACT),
    "invoice_payment_failed_basil_parent": Case("pay__invoice.payment_failed.json", "data",
        "invoice.payment_failed", K.PAYMENT_FAILED,
        "cus_1234", "in_1234", "249.00", "usd", None, "sub_1234", *EXAMPLE),
    "invoice_payment_action_required": Case("pay__invoice.payment_action_required.json", "data",
        "invoice.payment_action_required", K.PAYMENT_FAILED,
        "cus_1234", "in_1234", "91.84", "usd", "authentication_required", "sub_1234", *EXAMPLE),
    "invoice_upcoming_is_unknown": Case("pay__invoice.upcoming.json", "data", "invoice.upcoming",
        K.UNKNOWN, "cus_L7lJPQIi3GxrTG", None, "19.00", "usd", None, "sub_1234", *EXAMPLE),
    "invoice_updated_invoice_payment_is_unknown": Case("pay__invoice.updated.json", "data",
        "invoice.updated", K.UNKNOWN, None, None, None, None, None),
    "subscription_updated_canceled_is_unknown": Case("pay__subscription.updated.json", "data",
        "customer.subscription.updated", K.UNKNOWN, *SUB),
    "subscription_deleted": Case("pay__subscription.deleted.json", "data",
        "customer.subscription.deleted", K.SUBSCRIPTION_CANCELED, *SUB),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_fixture_maps_to_expected_trigger(case: Case, load_json: Loader) -> None:
    event = build(load_json, case.fixture, case.shape, case.event_type)
    trigger = event_to_trigger(event)
    assert (trigger.source, trigger.kind) == ("stripe", case.kind)
    assert trigger.event_id == event["id"]
    assert trigger.event_type == case.event_type
    assert trigger.occurred_at == datetime.fromtimestamp(event["created"], tz=UTC)
    assert trigger.customer_ref == case.customer_ref
    assert trigger.invoice_ref == case.invoice_ref
    assert (None if trigger.amount is None else str(trigger.amount)) == case.amount
    assert trigger.currency == case.currency
    assert trigger.failure_reason == case.failure_reason
    assert trigger.subscription_ref == case.subscription_ref
    assert (trigger.customer_email, trigger.customer_name) == (case.email, case.name)


def test_every_stripe_fixture_is_covered(shared_dir: Path) -> None:
    on_disk = {path.name for path in (shared_dir / "fixtures" / "stripe").glob("*.json")}
    assert on_disk, "no Stripe fixtures found"
    assert on_disk - {case.fixture for case in CASES.values()} == set()


@pytest.mark.parametrize(
    ("status", "previous", "kind"),
    [
        ("past_due", {"status": "active"}, K.SUBSCRIPTION_PAST_DUE),
        ("unpaid", {"status": "past_due"}, K.SUBSCRIPTION_UNPAID),
        ("past_due", None, K.SUBSCRIPTION_PAST_DUE),
        ("active", {"status": "past_due"}, K.UNKNOWN),
        ("past_due", "keep the fixture's: only the plan changed", K.UNKNOWN),
    ],
)
def test_subscription_update_kind_follows_a_status_change(
    status: str, previous: Any, kind: TriggerKind, load_json: Loader
) -> None:
    data = load_json("stripe/pay__subscription.updated.json")
    data["object"]["status"] = status
    if previous is None:
        del data["previous_attributes"]
    elif not isinstance(previous, str):
        data["previous_attributes"] = previous
    trigger = event_to_trigger(envelope("customer.subscription.updated", data))
    assert trigger.kind is kind
    assert trigger.invoice_ref == "in_1000"
    assert trigger.subscription_ref == "sub_00000000000000"


def test_pre_basil_references_are_read(load_json: Loader) -> None:
    """Before basil, invoice.subscription, payment_intent.invoice and charge.invoice existed."""
    data = load_json("stripe/pay__invoice.payment_action_required.json")
    data["object"]["parent"] = None
    assert event_to_trigger(envelope("invoice.payment_failed", data)).subscription_ref == "sub_1234"
    pi_event = load_json("stripe/lago__2020-08-27_webhooks_payment_intent_payment_failed.json")
    pi_event["data"]["object"]["invoice"] = "in_old"
    assert event_to_trigger(pi_event).invoice_ref == "in_old"
    charge = build(load_json, DECLINED, "error_charge", "charge.failed")
    charge["data"]["object"]["invoice"] = {"id": "in_expanded", "object": "invoice"}
    assert event_to_trigger(charge).invoice_ref == "in_expanded"


@pytest.mark.parametrize(
    ("minor", "currency", "major"),
    [
        (24900, "usd", "249.00"),
        (500, "jpy", "500"),
        (500, "JPY", "500"),
        (1000, "krw", "1000"),
        (12340, "kwd", "12.340"),
        (50000, "isk", "500.00"),  # two-decimal in the API despite having no minor unit
        (0, "eur", "0.00"),
    ],
)
def test_minor_units_respect_the_currency_exponent(minor: int, currency: str, major: str) -> None:
    assert str(to_major_units(minor, currency)) == major


def test_zero_decimal_event_amount(load_json: Loader) -> None:
    event = load_json("stripe/lago__2025-04-30.basil_webhooks_payment_intent_payment_failed.json")
    event["data"]["object"]["currency"] = "JPY"
    trigger = event_to_trigger(event, source="stripe-jp")
    assert (trigger.source, trigger.amount, trigger.currency) == (
        "stripe-jp",
        Decimal(11880),
        "jpy",
    )


DROP = object()


def _change(path: str, value: Any = DROP) -> Callable[[dict[str, Any]], None]:
    """Set (or delete) the member at a dotted path of an event."""
    *parents, last = path.split(".")

    def mutate(event: dict[str, Any]) -> None:
        node = event
        for key in parents:
            node = node[key]
        if value is DROP:
            del node[last]
        else:
            node[last] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_change("id"), "no 'id'"),
        (_change("id", ""), "no 'id'"),
        (_change("type"), "no 'type'"),
        (_change("data"), "no 'data.object'"),
        (_change("data.object"), "no 'data.object'"),
        (_change("data.object", "pi_123"), "no 'data.object'"),
        (_change("created"), "'created'"),
        (_change("created", "yesterday"), "'created'"),
        (_change("data.object.id"), "no 'data.object.id'"),
        (_change("data.object.object", "charge"), "should carry a 'payment_intent'"),
        (_change("data.object.amount", "118.80"), r"payment_intent\.amount is not an integer"),
    ],
)
def test_unreadable_events_raise_payload_error_naming_the_gap(
    mutate: Callable[[dict[str, Any]], None], message: str, load_json: Loader
) -> None:
    event = load_json("stripe/lago__2025-04-30.basil_webhooks_payment_intent_payment_failed.json")
    mutate(event)
    with pytest.raises(PayloadError, match=message):
        event_to_trigger(event)


def test_event_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(PayloadError, match="JSON object"):
        event_to_trigger(["evt_1"])  # type: ignore[arg-type]


def test_unknown_type_never_raises_on_odd_members(load_json: Loader) -> None:
    """Unknown types are acknowledged, so a malformed member must not make Stripe retry."""
    event = load_json("stripe/lago__2025-04-30.basil_webhooks_charge_dispute_closed.json")
    original = copy.deepcopy(event)
    event["data"]["object"]["amount"] = "lots"
    trigger = event_to_trigger(event)
    assert trigger.kind is K.UNKNOWN
    assert trigger.amount is None
    assert event_to_trigger(original).amount == Decimal("1.00")
