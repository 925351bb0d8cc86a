"""The simulated world around Recoup: customers who receive links, open them, pay, keep or
break promises, and the billing system that reports their payments as Stripe events.

It acts only through Recoup's public doors (the payment-link tracker and event ingest), on
the simulated clock, so the demo exercises the same code paths real customers would.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from recoup.adapters.fake.ledger import Ledger
from recoup.adapters.simulator.persona import Behaviour, Persona
from recoup.domain.models import Disposition, OutboundMessage, Outcome

#: Emits a Stripe-shaped event dict into Recoup's ingest.
EventSink = Callable[[dict[str, Any]], None]
#: Opens a tracked link by token.
LinkOpener = Callable[[str], None]


@dataclass(frozen=True)
class Customer:
    """A seeded customer: the persona and the billing identifiers it was given."""

    persona: Persona
    account_id: str
    customer_ref: str
    invoice_ref: str
    event_prefix: str


def stripe_event(
    event_id: str, event_type: str, at: datetime, obj: dict[str, Any]
) -> dict[str, Any]:
    """A Stripe event envelope around ``obj``."""
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "api_version": "2025-04-30.basil",
        "created": int(at.timestamp()),
        "livemode": False,
        "data": {"object": obj},
    }


def invoice_object(c: Customer, status: str) -> dict[str, Any]:
    """The Stripe invoice for a simulated customer, in minor units."""
    inv, acc = c.persona.invoice, c.persona.account
    due = datetime.combine(inv.due_date, time(12), UTC)
    cents = int(inv.amount * 100)
    return {
        "id": c.invoice_ref,
        "object": "invoice",
        "customer": c.customer_ref,
        "customer_email": acc.email,
        "customer_name": acc.name,
        "customer_phone": acc.phone,
        "number": inv.number,
        "amount_due": cents,
        "amount_paid": cents if status == "paid" else 0,
        "amount_remaining": 0 if status == "paid" else cents,
        "currency": inv.currency,
        "due_date": int(due.timestamp()),
        "attempt_count": inv.prior_failures + 1,
        "status": status,
        "paid": status == "paid",
    }


@dataclass
class World:
    """Reacts to what Recoup sends and does what each customer's behaviour says."""

    ledger: Ledger
    now: Callable[[], datetime]
    emit: EventSink
    open_link: LinkOpener
    customers: dict[str, Customer] = field(default_factory=dict)
    _queue: list[tuple[datetime, int, str, str]] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    _paid: set[str] = field(default_factory=set)
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def add(self, customer: Customer) -> None:
        self.customers[customer.account_id] = customer

    def _schedule(self, at: datetime, action: str, account_id: str) -> None:
        heapq.heappush(self._queue, (at, next(self._counter), action, account_id))

    def tick(self) -> int:
        """Notice new calls and messages, then perform every action now due; returns how many."""
        self._notice_calls()
        self._notice_messages()
        done = 0
        while self._queue and self._queue[0][0] <= self.now():
            _, _, action, account_id = heapq.heappop(self._queue)
            self._perform(action, account_id)
            done += 1
        return done

    def _new(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        fresh = []
        for key, value in self.ledger.items(kind):
            if f"{kind}:{key}" in self._seen or (kind == "call" and "disposition" not in value):
                continue
            self._seen.add(f"{kind}:{key}")
            fresh.append((key, value))
        return fresh

    def _notice_calls(self) -> None:
        for _, value in self._new("call"):
            customer = self.customers.get(str(value.get("account_id")))
            behaviour = customer.persona.behaviour if customer else None
            if customer is None or behaviour is None:
                continue
            disposition = Disposition.model_validate(value["disposition"])
            self._after_call(customer, behaviour, disposition)

    def _after_call(self, c: Customer, b: Behaviour, d: Disposition) -> None:
        if d.outcome is Outcome.PROMISE_RECORDED and d.promise_date is not None:
            zone = ZoneInfo(c.persona.account.timezone or "UTC")
            promised = datetime.combine(d.promise_date, time(10), zone).astimezone(UTC)
            if b.keeps_promise:
                self._schedule(promised - timedelta(hours=6), "pay", c.account_id)
            elif b.pays_late_days is not None:
                self._schedule(promised + timedelta(days=b.pays_late_days), "pay", c.account_id)
        elif d.outcome in (Outcome.REVIEW, Outcome.ESCALATED) and b.pays_late_days is not None:
            self._schedule(self.now() + timedelta(days=b.pays_late_days), "pay", c.account_id)

    def _notice_messages(self) -> None:
        for key, value in self._new("message"):
            message = OutboundMessage.model_validate(value)
            customer = self._by_case(message.case_id)
            behaviour = customer.persona.behaviour if customer else None
            if customer is None or behaviour is None or not key.endswith(":link"):
                continue
            delay = timedelta(hours=behaviour.pay_delay_hours)
            if behaviour.opens_link:
                self._schedule(
                    self.now() + delay / 2, f"open:{message.tracking_token}", customer.account_id
                )
            if behaviour.pays_via_link:
                self._schedule(self.now() + delay, "pay", customer.account_id)

    def _by_case(self, case_id: str) -> Customer | None:
        for customer in self.customers.values():
            if case_id.endswith(f":{customer.invoice_ref}"):
                return customer
        return None

    def _perform(self, action: str, account_id: str) -> None:
        customer = self.customers[account_id]
        if action.startswith("open:"):
            self.open_link(action.removeprefix("open:"))
        elif action == "pay" and account_id not in self._paid:
            self._paid.add(account_id)
            event = stripe_event(
                f"{customer.event_prefix}_paid",
                "invoice.paid",
                self.now(),
                invoice_object(customer, "paid"),
            )
            self.emit(event)
