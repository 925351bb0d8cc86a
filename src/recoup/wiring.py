"""Builds every port from Settings: the only module that chooses real or fake adapters.

The simulated world (working fakes kept in the database's ``sim_ledger`` table, so worker
processes share one world) stands in for every vendor that is not configured; the real
adapters are chosen by settings in :mod:`recoup.wiring_vendors`, without the workflows
noticing.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dbos import DBOS, DBOSConfig

from recoup.adapters.clock import AcceleratedClock, SystemClock
from recoup.adapters.fake.billing import FakeBilling
from recoup.adapters.fake.crm import FakeCrm
from recoup.adapters.fake.ledger import Ledger, SqlLedger
from recoup.adapters.fake.messaging import FakeAlerts, FakeMessaging
from recoup.adapters.simulator.telephony import SimulatedTelephony
from recoup.agent.dates import warm_up
from recoup.playbook import Playbook, load_playbook
from recoup.ports import ClockPort
from recoup.settings import Settings
from recoup.store.db import Database, normalise_url, sqlite_path
from recoup.store.migrate import upgrade
from recoup.wiring_vendors import (
    build_alerts,
    build_billing,
    build_crm,
    build_messaging,
    build_telephony,
)
from recoup.workflows import queues, runtime
from recoup.workflows.dispatch import ClientDispatcher, Dispatcher, LocalDispatcher
from recoup.workflows.ingest import dispatch_pending


@dataclass(frozen=True)
class World:
    """The simulated outside world: its ledger and the fakes that keep state in it."""

    ledger: Ledger
    billing: FakeBilling
    crm: FakeCrm
    messaging: FakeMessaging
    alerts: FakeAlerts


def system_database_url(app_url: str) -> str:
    """DBOS's own database: a sibling SQLite file, or the same PostgreSQL database."""
    path = sqlite_path(app_url)
    if path is not None:
        return f"sqlite:///{path.with_suffix('.dbos.sqlite')}"
    return normalise_url(app_url).replace("postgresql+psycopg://", "postgresql://", 1)


def _enable_wal(url: str) -> None:
    """WAL is a property of the SQLite file; set it once before DBOS opens the file."""
    path = sqlite_path(url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


def build_clock(settings: Settings, ledger: Ledger) -> ClockPort:
    """The system clock, or an accelerated one whose origin every process shares."""
    if settings.clock_speed == 1.0 and settings.clock_origin is None:
        return _after_demo(ledger) or SystemClock()
    if settings.clock_origin:
        return AcceleratedClock.decode(settings.clock_origin)
    fresh = AcceleratedClock(datetime.now(UTC), time.time(), settings.clock_speed)
    stored, _ = ledger.add("clock", "origin", {"encoded": fresh.encode()})
    return AcceleratedClock.decode(str(stored["encoded"]))


#: Where the demo leaves the simulated instant it stopped at (see :func:`_after_demo`).
DEMO_END = ("clock", "demo_end")


def _after_demo(ledger: Ledger) -> ClockPort | None:
    """On a database the demo filled, go on from the demo's last simulated instant at real
    speed: its cases live in simulated time, weeks ahead of the wall clock, and the console's
    ages, days outstanding and dry-run window would otherwise be measured from before they
    happened. A database the demo never touched has no such entry and gets the system clock."""
    ended = ledger.get(*DEMO_END)
    if ended is None:
        return None
    return AcceleratedClock(datetime.fromisoformat(str(ended["at"])), time.time(), 1.0)


def build_world(db: Database, settings: Settings) -> World:
    """The simulated vendors, sharing the application database."""
    ledger = SqlLedger(db.engine)
    return World(
        ledger=ledger,
        billing=FakeBilling(ledger, pay_base_url=f"{settings.public_base_url}/pay"),
        crm=FakeCrm(ledger),
        messaging=FakeMessaging(ledger),
        alerts=FakeAlerts(ledger),
    )


def build_runtime(
    settings: Settings, db: Database, world: World, playbook: Playbook, dispatcher: Dispatcher
) -> runtime.Runtime:
    """Every port the workflows use, wired from settings."""
    clock = build_clock(settings, world.ledger)
    return runtime.Runtime(
        dispatcher=dispatcher,
        db=db,
        billing=build_billing(settings, world),
        crm=build_crm(settings, world),
        telephony=build_telephony(
            settings, db, clock, SimulatedTelephony(world.ledger, clock, settings.sim_call_seconds)
        ),
        messaging=build_messaging(settings, world),
        alerts=build_alerts(settings, world),
        clock=clock,
        playbook=playbook,
        public_base_url=settings.public_base_url,
        company_name=settings.company_name,
        callback_number=settings.callback_number,
    )


def dbos_config(settings: Settings) -> DBOSConfig:
    """DBOS configuration for this process."""
    return {
        "name": "recoup",
        "system_database_url": system_database_url(settings.database_url),
        "executor_id": settings.executor_id,
        "sys_db_pool_size": settings.sys_db_pool_size,
        "max_executor_threads": 512,
        "notification_listener_polling_interval_sec": 0.05,
        "log_level": "WARNING",
    }


@dataclass(frozen=True)
class Started:
    """A running process: settings, database, world and runtime."""

    settings: Settings
    db: Database
    world: World
    runtime: runtime.Runtime
    worker: bool


def start(settings: Settings, playbook_path: Path | None = None, *, worker: bool = True) -> Started:
    """Migrate, wire and, for a worker, launch DBOS (recovering this executor's workflows).

    ``worker=False`` gives a process that records events and hands them to workers through
    ``DBOSClient`` without running workflows itself; a worker must have created the system
    database first.
    """
    playbook = load_playbook(playbook_path or settings.playbook)
    upgrade(settings.database_url)
    sys_url = system_database_url(settings.database_url)
    _enable_wal(sys_url)
    db = Database(settings.database_url, pool_size=settings.sys_db_pool_size)
    world = build_world(db, settings)
    dispatcher: Dispatcher = LocalDispatcher() if worker else ClientDispatcher(sys_url)
    rt = build_runtime(settings, db, world, playbook, dispatcher)
    runtime.install(rt)
    if worker:
        warm_up()  # dateparser's first call costs ~150 ms: pay it before the first live call
        DBOS(config=dbos_config(settings))
        DBOS.launch()
        queues.register(settings.worker_concurrency)
        dispatch_pending(rt)
    return Started(settings, db, world, rt, worker)


def stop(started: Started) -> None:
    """Shut DBOS (or the client) down and release the database."""
    if started.worker:
        DBOS.destroy(destroy_registry=False)
    elif isinstance(started.runtime.dispatcher, ClientDispatcher):
        started.runtime.dispatcher.close()
    started.db.dispose()
