"""``StripeBilling``: the billing port on Stripe's API, through the official SDK.

Why these choices:

- One ``StripeClient`` aimed at ``base_url`` (production, or a local stand-in in tests) with
  the SDK's own retries off, so ``with_retries`` is the only retry loop and honours our
  ``Backoff`` and Stripe's ``Retry-After``.
- Every POST carries an ``Idempotency-Key`` derived from the domain key, so a DBOS step that
  re-runs after a crash replays Stripe's stored answer instead of writing again.
- The disposition is also looked up before it is written (metadata already carrying this
  call ID), which keeps "never twice" true after Stripe forgets a key (24 hours).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import SecretStr

import stripe
from recoup.adapters.retry import Backoff, with_retries
from recoup.adapters.stripe import billing_mapping as bm
from recoup.adapters.stripe.errors import header, is_missing, translate
from recoup.domain.errors import ConfigError, PermanentPortError
from recoup.domain.models import Invoice, WriteBack, WriteReceipt

__all__ = ["LinkMode", "StripeBilling"]

log = logging.getLogger(__name__)
T = TypeVar("T")
LinkMode = Literal["hosted_invoice", "checkout", "billing_portal"]
#: How many charges one listing reads; an invoice retried more often than this is no case.
CHARGE_PAGE = 100


class StripeBilling:
    """Invoices, payment links and the disposition note, kept in the team's Stripe account."""

    def __init__(
        self,
        api_key: SecretStr,
        base_url: str = "https://api.stripe.com",
        link_mode: LinkMode = "hosted_invoice",
        return_url: str = "",
        backoff: Backoff | None = None,
        timeout: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if link_mode == "checkout" and not return_url:
            raise ConfigError("Stripe checkout links need a return URL (RECOUP_STRIPE_RETURN_URL)")
        self._client = stripe.StripeClient(
            api_key.get_secret_value(),
            base_addresses={"api": base_url.rstrip("/")},
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=timeout),
        )
        self._link_mode: LinkMode = link_mode
        self._return_url = return_url
        self._backoff = backoff or Backoff()
        self._sleep = sleep

    def __repr__(self) -> str:  # the client holds the key: never let a repr reach a log
        return f"StripeBilling(link_mode={self._link_mode!r})"

    # -- the port ---------------------------------------------------------------------------

    def get_invoice(self, invoice_ref: str) -> Invoice | None:
        """The invoice with its subscription and the charges that tried to pay it."""
        raw = self._find_invoice(invoice_ref, expand=["payments"])
        if raw is None:
            return None
        return bm.invoice_from(raw, self._charges_for(raw))

    def payment_link(self, invoice: Invoice, key: str) -> str:
        """The hosted invoice page, or a Checkout / billing-portal session made once per key."""
        if self._link_mode == "checkout":
            return self._session_url("checkout", invoice, key)
        if self._link_mode == "billing_portal":
            return self._session_url("billing_portal", invoice, key)
        url = invoice.hosted_invoice_url
        if url is None:
            raw = self._find_invoice(invoice.invoice_ref, expand=[])
            url = None if raw is None else raw.get("hosted_invoice_url")
        if not isinstance(url, str) or not url:
            raise PermanentPortError(
                f"Stripe invoice {invoice.invoice_ref} has no hosted page (a draft, or deleted)"
            )
        return url

    def record_disposition(self, write: WriteBack) -> WriteReceipt:
        """The outcome in the invoice's and the customer's metadata, each written once."""
        raw = self._find_invoice(write.invoice_ref, expand=["customer"])
        if raw is None:
            raise PermanentPortError(f"Stripe has no invoice {write.invoice_ref} to annotate")
        metadata = bm.disposition_metadata(write)
        customer = raw.get("customer")
        wrote = self._annotate("invoices", write.invoice_ref, raw, metadata, write.key)
        customer_ref = bm.ref_of(customer)
        if customer_ref and not (isinstance(customer, dict) and customer.get("deleted")):
            meta = {**metadata, "recoup_invoice_ref": write.invoice_ref}
            wrote |= self._annotate("customers", customer_ref, customer, meta, write.key)
        log.info("stripe disposition %s on %s (new=%s)", write.outcome, write.invoice_ref, wrote)
        return WriteReceipt(
            key=write.key, system="billing", provider_id=write.invoice_ref, duplicate=not wrote
        )

    # -- reads ------------------------------------------------------------------------------

    def _find_invoice(self, invoice_ref: str, expand: list[str]) -> dict[str, Any] | None:
        """The invoice as a plain dict, or None for a 404."""
        params: Any = {"expand": expand} if expand else None
        try:
            found = self._call(
                f"reading invoice {invoice_ref}",
                lambda: self._client.v1.invoices.retrieve(invoice_ref, params=params),
                missing_ok=True,
            )
        except _MissingError:
            return None
        return found.to_dict()

    def _charges_for(self, raw: dict[str, Any]) -> list[dict[str, Any]]:
        """The invoice's PaymentIntents' charges; without one, the customer's charges since
        the invoice was created (an approximation: they may include other payments)."""
        intents = bm.payment_intents_of(raw)
        queries: list[Any] = [{"payment_intent": pi, "limit": CHARGE_PAGE} for pi in intents]
        if not queries:
            since = raw.get("created")
            customer = bm.ref_of(raw.get("customer"))
            query: dict[str, Any] = {"customer": customer, "limit": CHARGE_PAGE}
            if isinstance(since, int):
                query["created"] = {"gte": since}
            queries.append(query)
        charges: list[dict[str, Any]] = []
        for params in queries:
            charges.extend(self._list_charges(str(raw.get("id")), params))
        return charges

    def _list_charges(self, invoice_ref: str, params: Any) -> list[dict[str, Any]]:
        page = self._call(
            f"listing charges of {invoice_ref}",
            lambda: self._client.v1.charges.list(params=params),
        )
        return [charge.to_dict() for charge in page.data]

    # -- writes -----------------------------------------------------------------------------

    def _annotate(
        self, kind: str, ref: str, current: Any, metadata: dict[str, str], key: str
    ) -> bool:
        """Set ``metadata`` on one object unless it already carries this call; True when this
        request changed it (not skipped, not an idempotent replay)."""
        if bm.metadata_of(current).get(bm.CALL_ID_KEY) == metadata[bm.CALL_ID_KEY]:
            return False
        service: Any = getattr(self._client.v1, kind)
        options: Any = {"idempotency_key": bm.idempotency_key(f"disposition:{kind}", key)}
        updated = self._call(
            f"writing the disposition on {ref}",
            lambda: service.update(ref, params={"metadata": metadata}, options=options),
        )
        return not _replayed(updated)

    def _session_url(self, kind: str, invoice: Invoice, key: str) -> str:
        """A Checkout (setup mode: save a new card) or billing-portal (update the card) session."""
        options: Any = {"idempotency_key": bm.idempotency_key(f"link:{kind}", key)}
        meta = {"recoup_invoice_ref": invoice.invoice_ref, "recoup_link_key": key[:500]}
        if kind == "checkout":
            params: Any = {
                "mode": "setup",
                "customer": invoice.customer_ref,
                "currency": invoice.currency,
                "success_url": self._return_url,
                "cancel_url": self._return_url,
                "metadata": meta,
                "setup_intent_data": {"metadata": meta},
            }
            service: Any = self._client.v1.checkout.sessions
        else:
            params = {
                "customer": invoice.customer_ref,
                "flow_data": {"type": "payment_method_update"},
            }
            if self._return_url:
                params["return_url"] = self._return_url
            service = self._client.v1.billing_portal.sessions
        session = self._call(
            f"creating a {kind} session for {invoice.invoice_ref}",
            lambda: service.create(params=params, options=options),
        )
        url = session.to_dict().get("url")
        if not isinstance(url, str) or not url:
            raise PermanentPortError(f"Stripe returned a {kind} session without a URL")
        return url

    # -- plumbing ---------------------------------------------------------------------------

    def _call(self, action: str, call: Callable[[], T], missing_ok: bool = False) -> T:
        """``call()`` with retries on transient failures; Stripe errors become ours."""

        def attempt() -> T:
            try:
                return call()
            except stripe.StripeError as exc:
                if missing_ok and is_missing(exc):
                    raise _MissingError from exc
                raise translate(exc, action) from exc

        return with_retries(attempt, self._backoff, sleep=self._sleep)


class _MissingError(Exception):
    """A 404 where the port answers None instead of failing."""


def _replayed(obj: Any) -> bool:
    """Whether Stripe answered from its idempotency store (``Idempotent-Replayed: true``)."""
    response = getattr(obj, "last_response", None)
    headers = getattr(response, "headers", None) or {}
    return (header(headers, "idempotent-replayed") or "").lower() == "true"
