"""The Stripe stand-in behaves as Stripe does where the adapter relies on it, and the real
adapter reads Stripe's published payloads (../shared/fixtures/stripe) served by it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

import stripe
from recoup.adapters.retry import Backoff
from recoup.adapters.stripe.client import StripeBilling
from recoup.adapters.stripe.mapping import event_to_trigger
from recoup.domain.models import TriggerKind
from recoup.testing.stripe_api import StripeApi
from recoup.testing.stripe_protocol import nested_form
from recoup.testing.stripe_shapes import charge_object, customer_object, invoice_object

KEY = "sk_test_stand_in_tests"


@pytest.fixture(scope="module")
def stand_in() -> Iterator[StripeApi]:
    with StripeApi(KEY) as server:
        yield server


@pytest.fixture
def api(stand_in: StripeApi) -> StripeApi:
    stand_in.reset()
    return stand_in


def client(api: StripeApi, key: str = KEY) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": api.url}, max_network_retries=0)


def billing(api: StripeApi) -> StripeBilling:
    return StripeBilling(SecretStr(KEY), base_url=api.url, backoff=Backoff(base=0.001))


def fixture(shared_dir: Path, name: str) -> dict[str, Any]:
    loaded = json.loads((shared_dir / "fixtures" / "stripe" / name).read_text(encoding="utf-8"))
    wrapped = loaded.get("object")  # some pay__ files wrap the object, others are it
    return dict(wrapped if isinstance(wrapped, dict) else loaded)


def test_a_wrong_key_gets_stripes_401(api: StripeApi) -> None:
    with pytest.raises(stripe.AuthenticationError) as refused:
        client(api, "sk_test_other_key_1234").v1.invoices.retrieve("in_1")
    assert refused.value.http_status == 401
    assert "sk_test_" in str(refused.value.user_message)  # Stripe masks it; we must not pass it


def test_missing_objects_and_unknown_parameters_answer_like_stripe(api: StripeApi) -> None:
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client(api).v1.invoices.retrieve("in_nope")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
    api.add_customer(customer_object("cus_1"))
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client(api).v1.customers.update("cus_1", params={"email": "x@example.com"})
    assert (unknown.value.http_status, unknown.value.code) == (400, "parameter_unknown")


def test_a_repeated_idempotency_key_replays_the_stored_answer(api: StripeApi) -> None:
    api.add_customer(customer_object("cus_1", metadata={"old": "1"}))
    stripe_client = client(api)
    update: Any = {"metadata": {"a": "1", "old": ""}}
    first = stripe_client.v1.customers.update("cus_1", update, {"idempotency_key": "k1"})
    api.customers["cus_1"]["metadata"]["a"] = "changed later"
    again = stripe_client.v1.customers.update("cus_1", update, {"idempotency_key": "k1"})
    assert first.to_dict()["metadata"] == {"a": "1"}  # an empty value deletes the key
    assert again.to_dict() == first.to_dict()  # the stored answer, not the current state
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.customers.update(
            "cus_1", {"metadata": {"a": "2"}}, {"idempotency_key": "k1"}
        )


def test_charges_are_filtered_and_newest_first(api: StripeApi) -> None:
    for n, (customer, pi) in enumerate([("cus_1", "pi_1"), ("cus_1", "pi_2"), ("cus_2", "pi_3")]):
        api.add_charge(charge_object(f"ch_{n}", customer, 100, payment_intent=pi, created=n))
    listed = client(api).v1.charges.list({"customer": "cus_1", "created": {"gte": 0}})
    assert [c.id for c in listed.data] == ["ch_1", "ch_0"]
    by_intent = client(api).v1.charges.list({"payment_intent": "pi_3"})
    assert [c.id for c in by_intent.data] == ["ch_2"]


def test_paying_an_invoice_gives_the_invoice_paid_event(api: StripeApi) -> None:
    api.add_customer(customer_object("cus_1"))
    api.add_invoice(invoice_object("in_1", "cus_1", 24900, number="INV-1"))
    event = api.pay_invoice("in_1")
    trigger = event_to_trigger(event)
    assert (trigger.kind, trigger.invoice_ref, trigger.amount) == (
        TriggerKind.PAYMENT_SUCCEEDED,
        "in_1",
        Decimal("249.00"),
    )
    assert billing(api).get_invoice("in_1").status == "paid"  # type: ignore[union-attr]


def test_nested_forms_decode() -> None:
    body = b"metadata[a]=1&flow_data[type]=payment_method_update&setup_intent_data[metadata][b]="
    assert nested_form(body) == {
        "metadata": {"a": "1"},
        "flow_data": {"type": "payment_method_update"},
        "setup_intent_data": {"metadata": {"b": ""}},
    }


def test_reads_a_basil_invoice_from_stripes_own_payload(api: StripeApi, shared_dir: Path) -> None:
    raw = fixture(shared_dir, "pay__invoice.payment_failed.json")
    api.add_customer(customer_object(raw["customer"]))
    api.add_invoice(raw)
    found = billing(api).get_invoice(raw["id"])
    assert found is not None
    assert (found.number, found.amount, found.currency, found.status) == (
        "F612594F-0002",
        Decimal("249.00"),
        "usd",
        "open",
    )
    assert found.subscription_ref == "sub_1234"  # under parent.subscription_details
    assert found.next_payment_attempt == datetime.fromtimestamp(1745552783, UTC)
    assert found.hosted_invoice_url == raw["hosted_invoice_url"]
    assert found.due_date == datetime.fromtimestamp(raw["created"], UTC).date()
    assert (found.prior_failures, found.failure_reason) == (0, None)  # attempt_count 1


def test_reads_a_legacy_invoice_and_a_real_declined_charge(
    api: StripeApi, shared_dir: Path
) -> None:
    raw = fixture(shared_dir, "pay__invoice.json")  # paid; names its payment_intent
    error = json.loads(
        (
            shared_dir / "fixtures/stripe/lago__payment_intent_failed_card_declined_error.json"
        ).read_text(encoding="utf-8")
    )["error"]
    declined = dict(error["payment_intent"]["charges"]["data"][0])
    declined.update(payment_intent=raw["payment_intent"], customer=raw["customer"])
    api.add_invoice(raw)
    api.add_charge(declined)
    api.add_charge(charge_object(raw["charge"], raw["customer"], 24512,
                                 payment_intent=raw["payment_intent"],
                                 created=declined["created"] + 60))  # fmt: skip
    found = billing(api).get_invoice(raw["id"])
    assert found is not None
    assert (found.status, found.amount, found.subscription_ref) == ("paid", Decimal("245.12"), None)
    assert (found.failure_reason, found.decline_code, found.prior_failures) == (
        "generic_decline",
        "generic_decline",
        1,
    )
    charges = api.server.calls("GET", "/v1/charges")
    assert [c.query["payment_intent"] for c in charges] == [[raw["payment_intent"]]]
