"""Ingest under concurrent deliveries: distinct events all start cases, repeats start one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from recoup import demo, wiring
from recoup.adapters.stripe.mapping import event_to_trigger
from recoup.store.tables import CaseRow, TriggerEventRow
from recoup.workflows.ingest import ingest

from .test_case_workflow import example


def test_concurrent_deliveries_are_recorded_once_each(app: wiring.Started) -> None:
    _, customers = demo.seed_world(app, [example("pay_now")] * 24, "burst")
    events = [demo.failed_event(c, app.runtime.clock.now()) for c in customers]
    deliveries = events + events[:8]  # Stripe re-delivers some while the first is in flight

    def deliver(event: dict[str, object]) -> str:
        return ingest(app.runtime, event_to_trigger(event), event).status

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(deliver, deliveries))
    assert statuses.count("started") == 24
    assert set(statuses) <= {"started", "duplicate"}
    with app.db.session() as s:
        assert s.scalar(select(func.count()).select_from(TriggerEventRow)) == 24
        seqs = s.scalars(select(CaseRow.seq)).all()
    assert len(set(seqs)) == 24
