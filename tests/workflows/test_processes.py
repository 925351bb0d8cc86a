"""Worker processes: killed with SIGKILL mid-call and mid-promise, and two sharing PostgreSQL.

The test process plays the outside world (it records events through ``DBOSClient`` and
simulates customers); ``recoup worker`` subprocesses run the workflows. The simulated
vendors keep their memory in the shared database, like real vendors remember idempotency
keys across our crashes, so the counts below are what the outside world actually saw.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from recoup import demo, wiring
from recoup.adapters.clock import AcceleratedClock
from recoup.adapters.simulator.persona import Persona
from recoup.settings import Settings
from recoup.store.tables import (
    AlertRow,
    CallAttemptRow,
    CaseRow,
    MessageRow,
    PromiseRow,
    WriteBackRow,
)

from .test_case_workflow import disputer, example

pytestmark = pytest.mark.slow

SPEED = 86_400.0
PLAYBOOK = """
give_up_after_days: 20
promise_grace_days: 1
calling:
  window: {start: "00:00", end: "23:59", days: [mon, tue, wed, thu, fri, sat, sun]}
  retry_after_hours: 12
"""


class Workers:
    """``recoup worker`` subprocesses sharing one database and one simulated clock."""

    def __init__(self, url: str, tmp: Path, clock: str, **extra: str) -> None:
        (tmp / "playbook.yaml").write_text(PLAYBOOK)
        self.tmp = tmp
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("RECOUP_")}
        self.env.update(
            RECOUP_DATABASE_URL=url,
            RECOUP_CLOCK_ORIGIN=clock,
            RECOUP_PLAYBOOK=str(tmp / "playbook.yaml"),
            RECOUP_ENVIRONMENT="test",
            **extra,
        )
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, executor_id: str) -> None:
        log = self.tmp / f"{executor_id}.log"
        with log.open("ab") as out:
            self.procs[executor_id] = subprocess.Popen(
                [sys.executable, "-m", "recoup", "worker"],
                stdout=out,
                stderr=out,
                env={**self.env, "RECOUP_EXECUTOR_ID": executor_id},
            )
        wait_for(
            lambda: f"worker {executor_id} running" in log.read_text(),
            60,
            f"worker {executor_id} did not start: {log.read_text()[-2000:]}",
        )

    def kill(self, executor_id: str) -> None:
        proc = self.procs.pop(executor_id)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()


def wait_for(
    condition: Callable[[], bool],
    seconds: float,
    message: str,
    tick: Callable[[], object] | None = None,
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        if tick is not None:
            tick()
        time.sleep(0.05)


@pytest.fixture
def clock() -> str:
    return AcceleratedClock(datetime.now(UTC), time.time(), SPEED).encode()


def driver(url: str, clock: str) -> wiring.Started:
    settings = Settings(_env_file=None, database_url=url, clock_origin=clock)  # type: ignore[call-arg]
    return wiring.start(settings, worker=False)


def count(app: wiring.Started, model: type, **where: object) -> int:
    with app.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).filter_by(**where)) or 0)


def exactly_once(app: wiring.Started) -> None:
    """Every effect the world saw happened once per key, and matches what Recoup stored."""
    ledger = app.world.ledger
    calls = count(app, CallAttemptRow)
    assert len(ledger.items("call")) == calls
    assert all(v.get("status") == "completed" for _, v in ledger.items("call"))
    assert len(ledger.items("message")) == count(app, MessageRow)
    assert len(ledger.items("alert")) == count(app, AlertRow)
    assert len(ledger.items("billing_note")) == len(ledger.items("crm_note")) == calls
    assert count(app, WriteBackRow) == 2 * calls
    per_call = Counter(
        key.rsplit(":", 1)[0] for key, _ in ledger.items("message") if key.endswith(":link")
    )
    assert all(n == 1 for n in per_call.values())


def personas() -> list[Persona]:
    slow_payer = example("promise", behaviour={"keeps_promise": True})
    return [example("pay_now"), slow_payer, disputer(), example("voicemail")]


def test_sigkill_during_a_call_and_a_promise_wait_loses_nothing(
    sqlite_url: str, tmp_path: Path, clock: str
) -> None:
    workers = Workers(sqlite_url, tmp_path, clock, RECOUP_SIM_CALL_SECONDS="1.5")
    workers.start("w1")
    app = driver(sqlite_url, clock)
    try:
        world, customers = demo.seed_world(app, personas(), "crash")
        for c in customers:
            demo._emit(app, demo.failed_event(c, app.runtime.clock.now()))
        wait_for(
            lambda: count(app, CallAttemptRow, status="dialing") > 0,
            60,
            "no call started",
            world.tick,
        )
        workers.kill("w1")
        assert count(app, CallAttemptRow, status="dialing") > 0, "killed after the call ended"
        workers.start("w1")
        wait_for(
            lambda: count(app, PromiseRow, status="pending") > 0,
            60,
            "no promise recorded",
            world.tick,
        )
        workers.kill("w1")
        workers.start("w1")
        wait_for(
            lambda: count(app, CaseRow, status="closed") == len(customers),
            120,
            "cases left open after the crashes",
            world.tick,
        )
        exactly_once(app)
        assert count(app, PromiseRow, status="kept") == 1
        assert count(app, AlertRow) == 1
    finally:
        workers.stop_all()
        wiring.stop(app)


def test_two_workers_share_postgresql(pg_url: str, tmp_path: Path, clock: str) -> None:
    workers = Workers(pg_url, tmp_path, clock, RECOUP_WORKER_CONCURRENCY="3")
    workers.start("w1")
    workers.start("w2")
    app = driver(pg_url, clock)
    try:
        batch = personas() + personas()
        world, customers = demo.seed_world(app, batch, "pair")
        for c in customers:
            demo._emit(app, demo.failed_event(c, app.runtime.clock.now()))
        wait_for(
            lambda: count(app, CaseRow, status="closed") == len(customers),
            120,
            "cases left open with two workers",
            world.tick,
        )
        exactly_once(app)
        executors = executors_used(pg_url)
        assert executors == {"w1", "w2"}
    finally:
        workers.stop_all()
        wiring.stop(app)


def executors_used(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select distinct executor_id from dbos.workflow_status where name like '%case_workflow'"
        ).fetchall()
    return {str(r[0]) for r in rows}
