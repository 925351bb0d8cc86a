"""`recoup serve` after `recoup demo` goes on from the demo's simulated time, at real speed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from recoup.adapters.clock import AcceleratedClock, SystemClock
from recoup.adapters.fake.ledger import MemoryLedger
from recoup.settings import Settings
from recoup.wiring import DEMO_END, build_clock


def test_a_database_the_demo_filled_continues_its_simulated_time() -> None:
    ledger = MemoryLedger()
    ended = datetime(2027, 1, 9, 15, 0, tzinfo=UTC)
    ledger.put(*DEMO_END, {"at": ended.isoformat()})
    clock = build_clock(Settings(), ledger)
    assert isinstance(clock, AcceleratedClock)
    assert clock.speed == 1.0
    assert ended <= clock.now() < ended + timedelta(seconds=5)


def test_any_other_database_gets_the_system_clock() -> None:
    assert isinstance(build_clock(Settings(), MemoryLedger()), SystemClock)
