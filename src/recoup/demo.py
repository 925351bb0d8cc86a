"""The demo: a seeded batch of failed payments through the real durable workflow.

Every outside system is simulated, time runs on the accelerated clock, and each failed
invoice enters as a Stripe ``invoice.payment_failed`` event through the same ingest the
webhook uses. Identifiers derive from the seed, so running the demo again with the same seed
and database finds every event already recorded and adds nothing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from recoup.adapters.clock import AcceleratedClock
from recoup.adapters.simulator.persona import Persona
from recoup.adapters.simulator.population import generate_population
from recoup.adapters.simulator.telephony import SimulatedTelephony
from recoup.adapters.simulator.world import Customer, World, invoice_object, stripe_event
from recoup.adapters.stripe.mapping import event_to_trigger
from recoup.domain.metrics import summarise
from recoup.store.facts import load_facts
from recoup.store.tables import CaseRow
from recoup.tracking import open_link
from recoup.wiring import DEMO_END, Started
from recoup.workflows.ingest import ingest

#: Share of seeded accounts whose CRM record lacks the billing ID, so matching falls back to
#: email or name and the low-confidence path is exercised.
UNLINKED_SHARE = 0.05


@dataclass(frozen=True)
class Progress:
    closed: int
    total: int


def _customer(tag: str, i: int, persona: Persona) -> Customer:
    ident = f"{tag}_{i:04d}"
    return Customer(
        persona=persona,
        account_id=f"acct_{ident}",
        customer_ref=f"cus_{ident}",
        invoice_ref=f"in_{ident}",
        event_prefix=f"evt_{ident}",
    )


def sim_origin(app: Started) -> datetime:
    """The simulated instant the world was created at (stable across re-runs)."""
    clock = app.runtime.clock
    return clock.sim_origin if isinstance(clock, AcceleratedClock) else clock.now()


def seed_world(
    app: Started, personas: list[Persona], tag: str, unlinked_share: float = 0.0
) -> tuple[World, list[Customer]]:
    """Create the simulated customers in the fake CRM, billing and telephony."""
    rt = app.runtime
    assert isinstance(rt.telephony, SimulatedTelephony)
    rng = random.Random(tag)
    world = World(
        ledger=app.world.ledger,
        now=rt.clock.now,
        emit=lambda event: _emit(app, event),
        open_link=lambda token: _open(app, token),
    )
    customers = []
    for i, persona in enumerate(personas):
        c = _customer(tag, i, persona)
        linked = rng.random() >= unlinked_share
        ref = c.customer_ref if linked else None
        app.world.crm.add_account(persona.to_account(c.account_id, billing_customer_ref=ref))
        app.world.billing.add_invoice(persona.to_invoice(c.invoice_ref, c.customer_ref))
        rt.telephony.add_customer(c.account_id, persona)
        world.add(c)
        customers.append(c)
    return world, customers


def _emit(app: Started, event: dict[str, Any]) -> None:
    rt = app.runtime
    ingest(rt, event_to_trigger(event), event)


def _open(app: Started, token: str) -> None:
    open_link(app.runtime.db, app.runtime.clock, token)


def failed_event(c: Customer, at: datetime) -> dict[str, Any]:
    """The ``invoice.payment_failed`` event that starts a customer's case."""
    obj = invoice_object(c, "open")
    obj["last_payment_error"] = {
        "code": "card_declined",
        "decline_code": c.persona.invoice.failure_reason,
    }
    return stripe_event(f"{c.event_prefix}_failed", "invoice.payment_failed", at, obj)


def _closed(app: Started, invoice_refs: list[str]) -> int:
    with app.db.session() as s:
        return int(
            s.scalar(
                select(func.count()).where(
                    CaseRow.invoice_ref.in_(invoice_refs), CaseRow.status == "closed"
                )
            )
            or 0
        )


def drive(
    app: Started,
    world: World,
    customers: list[Customer],
    on_progress: Callable[[Progress], None],
    timeout_s: float = 110.0,
) -> int:
    """Send each customer's failure in, then let the world react until every case closes."""
    for c in customers:
        _emit(app, failed_event(c, app.runtime.clock.now()))
    refs = [c.invoice_ref for c in customers]
    deadline = time.monotonic() + timeout_s
    closed = _closed(app, refs)
    while closed < len(refs) and time.monotonic() < deadline:
        world.tick()
        time.sleep(0.05)
        closed = _closed(app, refs)
        on_progress(Progress(closed, len(refs)))
    return closed


def run(
    app: Started,
    cases: int,
    seed: int,
    on_progress: Callable[[Progress], None],
    timeout_s: float = 110.0,
) -> dict[str, Any]:
    """Seed ``cases`` customers from ``seed``, drive them to the end; the success metrics."""
    personas = generate_population(cases, seed, sim_origin(app))
    world, customers = seed_world(app, personas, f"demo{seed}", UNLINKED_SHARE)
    closed = drive(app, world, customers, on_progress, timeout_s)
    refs = {c.invoice_ref for c in customers}
    with app.db.session() as s:
        facts = [f for f in load_facts(s) if f.case_id.split(":")[-1] in refs]
    summary = summarise(facts, app.runtime.clock.now())
    summary["open_cases"] = len(refs) - closed
    summary["simulated_now"] = app.runtime.clock.now().astimezone(UTC).isoformat()
    # `recoup serve` on this database goes on from here (see wiring._after_demo).
    app.world.ledger.put(*DEMO_END, {"at": summary["simulated_now"]})
    return summary
