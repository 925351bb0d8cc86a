"""The BillingPort contract, run on the real Stripe adapter (against the local stand-in, through
the official SDK) and on the fake; then the requests only the real adapter sends, and how it
fails."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import SecretStr

from recoup.adapters.fake.billing import FakeBilling
from recoup.adapters.fake.ledger import MemoryLedger
from recoup.adapters.retry import Backoff
from recoup.adapters.stripe.client import LinkMode, StripeBilling
from recoup.domain import models as m
from recoup.domain.errors import ConfigError, PermanentPortError, TransientPortError
from recoup.ports import BillingPort
from recoup.testing.stripe_api import StripeApi
from recoup.testing.stripe_shapes import error
from recoup.testing.vendor_server import Reply

KEY = "sk_test_contract_51AbCdEf"
OPEN = m.Invoice(
    invoice_ref="in_1Open",
    number="INV-2026-0042",
    customer_ref="cus_1",
    amount=Decimal("249.00"),
    due_date=date(2026, 3, 1),
    failure_reason="insufficient_funds",
    decline_code="insufficient_funds",
    prior_failures=2,
    subscription_ref="sub_1",
    next_payment_attempt=datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
    hosted_invoice_url="https://invoice.stripe.com/i/acct_1/test_in_1Open",
)
INVOICES = {
    "open": OPEN,
    "expired card, no decline code": OPEN.model_copy(
        update={"failure_reason": "expired_card", "decline_code": None, "prior_failures": 0}
    ),
    "paid yen": OPEN.model_copy(
        update={
            "invoice_ref": "in_2Yen",
            "amount": Decimal(5000),
            "currency": "jpy",
            "status": "paid",
            "next_payment_attempt": None,
        }
    ),
    "three-decimal, never attempted": OPEN.model_copy(
        update={
            "invoice_ref": "in_3Kwd",
            "amount": Decimal("12.345"),
            "currency": "kwd",
            "failure_reason": None,
            "decline_code": None,
            "prior_failures": 0,
            "subscription_ref": None,
            "next_payment_attempt": None,
        }
    ),
}


@dataclass
class Billing:
    port: BillingPort
    seed: Callable[[m.Invoice], object]
    api: StripeApi | None


@pytest.fixture(scope="module")
def stand_in() -> Iterator[StripeApi]:
    """One server per module (stopping one takes half a second); each test resets it."""
    with StripeApi(KEY) as server:
        yield server


@pytest.fixture
def api(stand_in: StripeApi) -> StripeApi:
    stand_in.reset()
    return stand_in


@pytest.fixture(params=["stripe", "fake"])
def billing(request: pytest.FixtureRequest) -> Billing:
    if request.param == "fake":
        fake = FakeBilling(MemoryLedger())
        return Billing(fake, fake.add_invoice, None)
    api: StripeApi = request.getfixturevalue("api")
    return Billing(real(api), api.seed, api)


def real(
    api: StripeApi, key: str = KEY, mode: LinkMode = "hosted_invoice", attempts: int = 3
) -> StripeBilling:
    return StripeBilling(
        SecretStr(key), base_url=api.url, link_mode=mode, return_url="https://app.test/done",
        backoff=Backoff(attempts=attempts, base=0.001), sleep=lambda _: None,
    )  # fmt: skip


def write(
    key: str, summary: str = "Will pay Friday", outcome: str = "promise_recorded"
) -> m.WriteBack:
    return m.WriteBack(
        key=key, case_id="case_1", account_id="acc_1", invoice_ref=OPEN.invoice_ref,
        outcome=m.Outcome(outcome), promise_date=date(2026, 3, 6), next_action="remind",
        summary=summary,
    )  # fmt: skip


# -- the contract: the same assertions on both ------------------------------------------------


def test_is_a_billing_port(billing: Billing) -> None:
    assert isinstance(billing.port, BillingPort)


def test_unknown_invoice_is_none(billing: Billing) -> None:
    assert billing.port.get_invoice("in_unknown") is None


@pytest.mark.parametrize("name", list(INVOICES))
def test_invoice_reads_back(billing: Billing, name: str) -> None:
    billing.seed(INVOICES[name])
    assert billing.port.get_invoice(INVOICES[name].invoice_ref) == INVOICES[name]


def test_payment_link_is_stable_per_key(billing: Billing) -> None:
    billing.seed(OPEN)
    link = billing.port.payment_link(OPEN, "case_1:link:1")
    assert link.startswith("https://")
    assert billing.port.payment_link(OPEN, "case_1:link:1") == link


def test_disposition_is_recorded_once_per_key(billing: Billing) -> None:
    billing.seed(OPEN)
    first = billing.port.record_disposition(write("call_1"))
    again = billing.port.record_disposition(write("call_1", summary="Changed"))
    other = billing.port.record_disposition(write("call_2"))
    assert (first.key, first.system, first.duplicate) == ("call_1", "billing", False)
    assert first.provider_id
    assert again.model_dump() == {**first.model_dump(), "duplicate": True}
    assert (other.key, other.duplicate) == ("call_2", False)


# -- the real adapter's requests --------------------------------------------------------------


def test_get_invoice_reads_the_invoice_then_its_payment_intents_charges(api: StripeApi) -> None:
    api.seed(OPEN)
    real(api).get_invoice(OPEN.invoice_ref)
    first, second = api.server.calls()
    assert (first.method, first.path, first.query) == (
        "GET", "/v1/invoices/in_1Open", {"expand[0]": ["payments"]})  # fmt: skip
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert first.headers["stripe-version"]
    assert (second.method, second.path) == ("GET", "/v1/charges")
    assert second.query == {"payment_intent": ["pi_1Open"], "limit": ["100"]}


def test_without_a_payment_intent_the_customers_recent_charges_are_read(api: StripeApi) -> None:
    stored = api.seed(OPEN)
    api.payments[OPEN.invoice_ref] = []
    found = real(api).get_invoice(OPEN.invoice_ref)
    charges = api.server.calls("GET", "/v1/charges")[0]
    assert charges.query == {"customer": ["cus_1"], "limit": ["100"],
                             "created[gte]": [str(stored["created"])]}  # fmt: skip
    assert found == OPEN


def test_disposition_writes_metadata_with_idempotency_keys(api: StripeApi) -> None:
    api.seed(OPEN)
    receipt = real(api).record_disposition(write("call_1", summary="x" * 900))
    assert receipt.provider_id == OPEN.invoice_ref
    read, on_invoice, on_customer = api.server.calls()
    assert (read.method, read.query) == ("GET", {"expand[0]": ["customer"]})
    assert (on_invoice.method, on_invoice.path) == ("POST", "/v1/invoices/in_1Open")
    assert on_invoice.headers["idempotency-key"] == "recoup:disposition:invoices:call_1"
    assert (on_customer.method, on_customer.path) == ("POST", "/v1/customers/cus_1")
    assert on_customer.headers["idempotency-key"] == "recoup:disposition:customers:call_1"
    assert on_invoice.headers["authorization"] == f"Bearer {KEY}"
    meta = api.invoices[OPEN.invoice_ref]["metadata"]
    assert {k: v for k, v in meta.items() if k != "recoup_summary"} == {
        "recoup_outcome": "promise_recorded", "recoup_call_id": "call_1",
        "recoup_case_id": "case_1", "recoup_promise_date": "2026-03-06",
        "recoup_next_action": "remind",
    }  # fmt: skip
    assert len(meta["recoup_summary"]) == 500
    assert api.customers["cus_1"]["metadata"]["recoup_invoice_ref"] == OPEN.invoice_ref


def test_a_repeated_disposition_writes_nothing(api: StripeApi) -> None:
    api.seed(OPEN)
    port = real(api)
    port.record_disposition(write("call_1"))
    before = len(api.server.calls())
    assert port.record_disposition(write("call_1")).duplicate is True
    assert [c.method for c in api.server.calls()[before:]] == ["GET"]


def test_a_replayed_write_is_a_duplicate_and_changes_nothing(api: StripeApi) -> None:
    api.seed(OPEN)
    port = real(api)
    port.record_disposition(write("call_1"))
    port.record_disposition(write("call_2", outcome="link_sent"))  # a later call's note
    assert port.record_disposition(write("call_1")).duplicate is True  # Stripe replays
    assert api.invoices[OPEN.invoice_ref]["metadata"]["recoup_call_id"] == "call_2"


def test_a_retry_after_a_partial_write_finishes_without_writing_twice(api: StripeApi) -> None:
    api.seed(OPEN)
    port = real(api, attempts=3)
    api.fail("POST", "/v1/customers/.*", Reply(500, error("boom", type_="api_error")), times=3)
    with pytest.raises(TransientPortError):
        port.record_disposition(write("call_1"))
    assert api.invoices[OPEN.invoice_ref]["metadata"]["recoup_call_id"] == "call_1"
    assert port.record_disposition(write("call_1")).duplicate is False
    assert len(api.server.calls("POST", "/v1/invoices/.*")) == 1
    assert len(api.server.calls("POST", "/v1/customers/.*")) == 4
    assert api.customers["cus_1"]["metadata"]["recoup_call_id"] == "call_1"


@pytest.mark.parametrize(
    ("mode", "path"),
    [("checkout", "/v1/checkout/sessions"), ("billing_portal", "/v1/billing_portal/sessions")],
)
def test_session_links_are_created_once_per_key(api: StripeApi, mode: LinkMode, path: str) -> None:
    api.seed(OPEN)
    port = real(api, mode=mode)
    link = port.payment_link(OPEN, "case_1:link:1")
    assert port.payment_link(OPEN, "case_1:link:1") == link
    assert port.payment_link(OPEN, "case_1:link:2") != link
    first, repeat, _ = api.server.calls("POST", path)
    assert first.headers["idempotency-key"] == f"recoup:link:{mode}:case_1:link:1"
    assert repeat.headers["idempotency-key"] == first.headers["idempotency-key"]
    assert len(api.sessions) == 2
    form = first.form()
    assert form["customer"] == ["cus_1"]
    if mode == "checkout":
        assert (form["mode"], form["currency"]) == (["setup"], ["usd"])
        assert form["success_url"] == ["https://app.test/done"]
        assert form["metadata[recoup_invoice_ref]"] == [OPEN.invoice_ref]
    else:
        assert form["flow_data[type]"] == ["payment_method_update"]
        assert form["return_url"] == ["https://app.test/done"]


def test_checkout_needs_a_return_url_and_the_portal_does_not(api: StripeApi) -> None:
    with pytest.raises(ConfigError, match="RECOUP_STRIPE_RETURN_URL"):
        StripeBilling(SecretStr(KEY), base_url=api.url, link_mode="checkout")
    api.seed(OPEN)
    portal = StripeBilling(SecretStr(KEY), base_url=api.url, link_mode="billing_portal")
    assert portal.payment_link(OPEN, "k").startswith("https://billing.stripe.com/")
    assert "return_url" not in api.server.calls("POST")[0].form()


def test_hosted_link_is_fetched_when_the_invoice_lacks_it(api: StripeApi) -> None:
    api.seed(OPEN)
    bare = OPEN.model_copy(update={"hosted_invoice_url": None})
    assert real(api).payment_link(bare, "k") == OPEN.hosted_invoice_url
    assert [c.method for c in api.server.calls()] == ["GET"]
    api.invoices[OPEN.invoice_ref]["hosted_invoice_url"] = None  # a draft
    with pytest.raises(PermanentPortError, match="no hosted page"):
        real(api).payment_link(bare, "k")


# -- failures ----------------------------------------------------------------------------------


def test_rate_limit_waits_for_retry_after_then_succeeds(api: StripeApi) -> None:
    api.seed(OPEN)
    slept: list[float] = []
    port = StripeBilling(SecretStr(KEY), base_url=api.url,
                         backoff=Backoff(base=0.001), sleep=slept.append)  # fmt: skip
    api.server.fail_next(Reply(429, error("Too many requests", type_="rate_limit_error"),
                               headers={"Retry-After": "2"}))  # fmt: skip
    assert port.get_invoice(OPEN.invoice_ref) == OPEN
    assert slept == [2.0]


def test_server_errors_exhaust_retries(api: StripeApi) -> None:
    api.seed(OPEN)
    api.server.fail_next(Reply(500, error("boom", type_="api_error")), times=3)
    with pytest.raises(TransientPortError, match="500"):
        real(api, attempts=3).get_invoice(OPEN.invoice_ref)
    assert len(api.server.calls()) == 3


def test_a_bad_request_is_permanent_and_not_retried(api: StripeApi) -> None:
    api.seed(OPEN)
    api.server.fail_next(Reply(400, error("Invalid metadata", code="parameter_invalid")))
    with pytest.raises(PermanentPortError, match="parameter_invalid"):
        real(api).record_disposition(write("call_1"))
    assert len(api.server.calls()) == 1


def test_a_500_stripe_says_not_to_retry_is_permanent(api: StripeApi) -> None:
    reply = Reply(500, error("boom", type_="api_error"), headers={"Stripe-Should-Retry": "false"})
    api.server.fail_next(reply)
    with pytest.raises(PermanentPortError, match="retry would not help"):
        real(api).get_invoice(OPEN.invoice_ref)
    assert len(api.server.calls()) == 1


def test_a_refused_key_says_so_without_the_key(api: StripeApi) -> None:
    wrong = "sk_test_wrong_key_9999"
    port = real(api, key=wrong)
    with pytest.raises(PermanentPortError) as refused:
        port.get_invoice(OPEN.invoice_ref)
    message = str(refused.value)
    assert "refused the API key" in message
    assert "RECOUP_STRIPE_API_KEY" in message
    assert "9999" not in message
    assert "sk_" not in message
    assert wrong not in repr(port)
    assert len(api.server.calls()) == 1


def test_a_missing_permission_names_the_docs(api: StripeApi) -> None:
    api.server.fail_next(Reply(403, error("The provided key 'rk_test_***abc' lacks ...")))
    with pytest.raises(PermanentPortError, match="permission") as refused:
        real(api).get_invoice(OPEN.invoice_ref)
    assert "rk_" not in str(refused.value)


def test_an_unreachable_stripe_is_transient() -> None:
    with StripeApi(KEY) as gone:
        url = gone.url
    port = StripeBilling(SecretStr(KEY), base_url=url,
                         backoff=Backoff(attempts=2, base=0.001), sleep=lambda _: None)  # fmt: skip
    with pytest.raises(TransientPortError, match="unreachable"):
        port.get_invoice(OPEN.invoice_ref)


def test_a_link_key_reused_for_another_invoice_is_refused(api: StripeApi) -> None:
    api.seed(OPEN)
    other = OPEN.model_copy(update={"invoice_ref": "in_9Other"})
    port = real(api, mode="checkout")
    port.payment_link(OPEN, "same")
    with pytest.raises(PermanentPortError, match="idempotent"):
        port.payment_link(other, "same")
