"""The DBOS queue cases run on, registered once DBOS is launched.

Case workflows spend most of their life waiting (calling windows, promise dates), and a DBOS
queue counts a waiting workflow against its concurrency, so the queue sets no concurrency
limit by default: it exists so that any worker process sharing the database can pick a
case up. ``RECOUP_WORKER_CONCURRENCY`` sets a per-worker limit where cases must be spread.
"""

from __future__ import annotations

from dbos import DBOS, Queue

CASE_QUEUE = "recoup-cases"
_queue: Queue | None = None


def register(worker_concurrency: int | None = None, polling_interval_sec: float = 0.2) -> Queue:
    """Register (or update) the case queue; call after ``DBOS.launch()``."""
    global _queue
    _queue = DBOS.register_queue(
        CASE_QUEUE,
        worker_concurrency=worker_concurrency,
        polling_interval_sec=polling_interval_sec,
    )
    return _queue


def case_queue() -> Queue:
    """The registered case queue."""
    if _queue is None:
        raise RuntimeError("the case queue is not registered: launch DBOS through recoup.wiring")
    return _queue
