"""A stateful stand-in for the parts of Stripe's API that Recoup uses, on a ``VendorServer``.

It behaves as Stripe does where the adapter depends on it: it refuses a wrong
``Authorization: Bearer`` key with 401; answers Stripe's error envelope (404
``resource_missing``, 400 ``parameter_unknown``); keeps invoices, customers and charges so a
metadata update is seen by the next read; honours ``expand[]`` for ``payments`` and
``customer``; and replays the stored answer for a repeated ``Idempotency-Key`` with
``Idempotent-Replayed: true`` (a key reused with other parameters gets 400
``idempotency_error``). Faults: ``fail()`` for one endpoint, ``server.fail_next`` for any.
"""

from __future__ import annotations

import copy
import re
import threading
from datetime import UTC, datetime
from typing import Any

from recoup.domain.models import Invoice
from recoup.testing import stripe_shapes as shapes
from recoup.testing.stand_in import StandIn
from recoup.testing.stripe_protocol import Gate, check_params, expand_of, missing, nested_form
from recoup.testing.vendor_server import Handler, Recorded, Reply

__all__ = ["StripeApi"]

Obj = dict[str, Any]
_ID = r"(?P<id>[A-Za-z0-9_]+)"
_WRITABLE = {"metadata", "expand"}
_CHECKOUT = {"mode", "customer", "currency", "success_url", "cancel_url", "metadata",
             "setup_intent_data", "payment_method_types", "line_items", "expand"}  # fmt: skip
_PORTAL = {"customer", "return_url", "flow_data", "configuration", "locale", "expand"}


class StripeApi(StandIn):
    """Invoices, customers, charges, Checkout and billing-portal sessions, in memory."""

    def __init__(self, api_key: str = "sk_test_recoup_stand_in") -> None:
        super().__init__("stripe")
        self.invoices: dict[str, Obj] = {}
        self.customers: dict[str, Obj] = {}
        self.charges: list[Obj] = []
        self.payments: dict[str, list[Obj]] = {}
        self.sessions: list[Obj] = []
        self.gate = Gate(api_key)
        self._lock = threading.RLock()
        self._routes()

    # -- lifecycle --------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every object, stored answer, fault and recorded request: a fresh account
        on the same server, so a test module can start the server once."""
        with self._lock:
            for table in (self.invoices, self.customers, self.payments):
                table.clear()
            self.charges.clear()
            self.sessions.clear()
            self.server.requests.clear()
        self.gate.reset()

    # -- seeding ----------------------------------------------------------------------------

    def add_customer(self, customer: Obj) -> Obj:
        with self._lock:
            self.customers[customer["id"]] = copy.deepcopy(customer)
        return customer

    def add_invoice(self, invoice: Obj, payment_intents: tuple[str, ...] = ()) -> Obj:
        """Store an invoice object (a fixture's, or one from ``stripe_shapes``)."""
        with self._lock:
            self.invoices[invoice["id"]] = copy.deepcopy(invoice)
            rows = [shapes.invoice_payment(invoice, pi) for pi in payment_intents]
            self.payments[invoice["id"]] = rows
        return invoice

    def add_charge(self, charge: Obj) -> Obj:
        with self._lock:
            self.charges.append(copy.deepcopy(charge))
        return charge

    def seed(self, invoice: Invoice, email: str | None = None, name: str | None = None) -> Obj:
        """Everything the adapter reads for ``invoice``; the stored invoice object."""
        seed = shapes.seed_for(invoice, email=email, name=name)
        self.add_customer(seed.customer)
        for charge in seed.charges:
            self.add_charge(charge)
        return self.add_invoice(seed.invoice, (seed.payment_intent,) if seed.charges else ())

    def pay_invoice(self, invoice_ref: str) -> Obj:
        """Mark the invoice paid, as a completed hosted-page payment would, and return the
        ``invoice.paid`` event Stripe would send (unsigned: sign it with ``webhook.sign``)."""
        now = int(datetime.now(UTC).timestamp())
        with self._lock:
            inv = self.invoices[invoice_ref]
            inv.update(status="paid", amount_paid=inv["amount_due"], amount_remaining=0,
                       next_payment_attempt=None)  # fmt: skip
            inv.setdefault("status_transitions", {})["paid_at"] = now
            snapshot = copy.deepcopy(inv)
        return {
            "id": shapes.new_id("evt"), "object": "event", "type": "invoice.paid",
            "created": now, "livemode": False, "pending_webhooks": 1,
            "data": {"object": snapshot}, "request": {"id": None, "idempotency_key": None},
        }  # fmt: skip

    def fail(self, method: str, path: str, reply: Reply, times: int = 1) -> None:
        """Answer the next ``times`` requests matching ``method`` and the ``path`` regex with
        ``reply``, after authentication (``server.fail_next`` fails whatever comes next)."""
        self.gate.fail(method, path, reply, times)

    # -- routes -----------------------------------------------------------------------------

    def _routes(self) -> None:
        add = self._add
        add("GET", rf"/v1/invoices/{_ID}", self._get_invoice)
        add("POST", rf"/v1/invoices/{_ID}", self._update("invoice", self.invoices))
        add("GET", rf"/v1/customers/{_ID}", self._get_customer)
        add("POST", rf"/v1/customers/{_ID}", self._update("customer", self.customers))
        add("GET", r"/v1/charges", self._list_charges)
        add("POST", r"/v1/checkout/sessions", self._checkout)
        add("POST", r"/v1/billing_portal/sessions", self._portal)

    def _add(self, method: str, pattern: str, handler: Handler) -> None:
        self.server.route(method, pattern)(self._guarded(handler))

    def _guarded(self, handler: Handler) -> Handler:
        def serve(req: Recorded, match: re.Match[str]) -> Reply:
            return self.gate.serve(req, lambda: handler(req, match))

        return serve

    def _get_invoice(self, req: Recorded, match: re.Match[str]) -> Reply:
        with self._lock:
            found = self.invoices.get(match["id"])
            if found is None:
                return missing("invoice", match["id"])
            body, expand = copy.deepcopy(found), expand_of(req.query)
            if "payments" in expand:
                rows = copy.deepcopy(self.payments.get(match["id"], []))
                url = f"/v1/invoice_payments?invoice={match['id']}"
                body["payments"] = {"object": "list", "data": rows, "has_more": False, "url": url}
            if "customer" in expand:
                gone = {"id": body["customer"], "object": "customer", "deleted": True}
                body["customer"] = copy.deepcopy(self.customers.get(body["customer"])) or gone
        return Reply(200, body)

    def _get_customer(self, req: Recorded, match: re.Match[str]) -> Reply:
        with self._lock:
            found = self.customers.get(match["id"])
            return Reply(200, copy.deepcopy(found)) if found else missing("customer", match["id"])

    def _update(self, kind: str, table: dict[str, Obj]) -> Handler:
        """``POST /v1/<kind>s/{id}`` for metadata: an empty value deletes that key."""

        def update(req: Recorded, match: re.Match[str]) -> Reply:
            form = nested_form(req.body)
            problem = check_params(form, _WRITABLE)
            if problem is not None:
                return problem
            with self._lock:
                found = table.get(match["id"])
                if found is None:
                    return missing(kind, match["id"])
                meta = found.setdefault("metadata", {})
                for name, value in dict(form.get("metadata") or {}).items():
                    if value == "":
                        meta.pop(name, None)
                    else:
                        meta[name] = value
                return Reply(200, copy.deepcopy(found))

        return update

    def _list_charges(self, req: Recorded, match: re.Match[str]) -> Reply:
        """Newest first, filtered by customer, PaymentIntent and ``created[gte]``."""
        query = {k: v[0] for k, v in req.query.items()}
        since, limit = int(query.get("created[gte]", 0)), int(query.get("limit", 10))
        keys = ("customer", "payment_intent")
        with self._lock:
            rows = [c for c in self.charges
                    if all(query.get(k) in (None, c.get(k)) for k in keys)
                    and int(c.get("created", 0)) >= since]  # fmt: skip
            rows = copy.deepcopy(sorted(rows, key=lambda c: -int(c.get("created", 0))))
        body = {"object": "list", "data": rows[:limit], "has_more": len(rows) > limit,
                "url": "/v1/charges"}  # fmt: skip
        return Reply(200, body)

    def _checkout(self, req: Recorded, match: re.Match[str]) -> Reply:
        form = nested_form(req.body)
        problem = check_params(form, _CHECKOUT, ("mode", "success_url")) or self._no_customer(form)
        setup = form.get("mode") == "setup"
        if (
            problem is None
            and setup
            and not (form.get("currency") or form.get("payment_method_types"))
        ):
            problem = check_params({}, set(), ("currency",))
        return problem or self._session(shapes.checkout_session(form))

    def _portal(self, req: Recorded, match: re.Match[str]) -> Reply:
        form = nested_form(req.body)
        problem = check_params(form, _PORTAL, ("customer",)) or self._no_customer(form)
        return problem or self._session(shapes.portal_session(form))

    def _no_customer(self, form: Obj) -> Reply | None:
        customer = form.get("customer")
        with self._lock:
            known = customer is None or customer in self.customers
        return None if known else missing("customer", str(customer), "customer", status=400)

    def _session(self, session: Obj) -> Reply:
        with self._lock:
            self.sessions.append(session)
        return Reply(200, session)
