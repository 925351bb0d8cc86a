"""A seeded batch through the real workflow: invariants, idempotent re-runs, no card data."""

from __future__ import annotations

import base64
import dataclasses
import io
import logging
import pickle
import re
from collections import Counter
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import MetaData, create_engine, func, select

from recoup import demo, logs, wiring
from recoup.agent.redact import find_card_numbers
from recoup.domain.metrics import SUCCESS_METRICS
from recoup.store import guard
from recoup.store.tables import (
    AccountRow,
    AlertRow,
    CallAttemptRow,
    CaseRow,
    DispositionRow,
    MessageRow,
    TriggerEventRow,
    WriteBackRow,
)
from recoup.wiring import system_database_url

CASES = 24


def table_counts(app: wiring.Started) -> dict[str, int]:
    models = [
        CaseRow,
        TriggerEventRow,
        CallAttemptRow,
        DispositionRow,
        MessageRow,
        AlertRow,
        WriteBackRow,
    ]
    with app.db.session() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0 for m in models}


def unpickled(value: str) -> object | None:
    """A DBOS value (pickled, base64-encoded), or None when ``value`` is not one."""
    if len(value) < 16:
        return None
    try:
        return pickle.loads(base64.b64decode(value, validate=True))  # noqa: S301 - test's own data
    except (
        ValueError,
        pickle.UnpicklingError,
        EOFError,
        TypeError,
        AttributeError,
        ModuleNotFoundError,
        IndexError,
    ):
        return None


def strings(value: object) -> list[str]:
    """Every string leaf of a stored object (models, dicts, lists); datetimes are not text."""
    if isinstance(value, BaseModel):
        return strings(value.model_dump(mode="python"))
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(k) + strings(v)]
    if isinstance(value, list | tuple | set):
        return [s for v in value for s in strings(v)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return strings(dataclasses.asdict(value))
    return [value] if isinstance(value, str) else []


def found_in(value: str) -> list[str]:
    """Card numbers in a stored string: digits anywhere, spoken forms in decoded text."""
    try:
        float(value)
        return []  # a number stored as text (DBOS keeps wake-up times so), not card data
    except ValueError:
        pass
    decoded = unpickled(value)
    leaves = strings(decoded) if decoded is not None else [value]
    return guard.card_numbers(value) + [n for leaf in leaves for n in find_card_numbers(leaf)]


def card_numbers_in(url: str, skip_kinds: tuple[str, ...] = ("persona",)) -> list[str]:
    """Every Luhn-valid card number stored in any table of the database at ``url``."""
    engine = create_engine(url)
    found: list[str] = []
    meta = MetaData()
    schemas = [None] if engine.dialect.name == "sqlite" else [None, "dbos"]
    with engine.connect() as conn:
        for schema in schemas:
            meta.reflect(conn, schema=schema)
        for table in meta.tables.values():
            for row in conn.execute(select(table)):
                values = dict(row._mapping)
                if table.name == "sim_ledger" and values.get("kind") in skip_kinds:
                    continue  # the simulated customers' own scripts, not Recoup's data
                for value in values.values():
                    if isinstance(value, str):  # numbers (timestamps) are not card data
                        found += found_in(value)
    engine.dispose()
    return found


def test_demo_batch_closes_every_case_once(app: wiring.Started, db_url: str) -> None:
    summary = demo.run(app, CASES, seed=3, on_progress=lambda _: None, timeout_s=90)
    assert summary["open_cases"] == 0
    assert summary["cases"] == CASES
    counts = table_counts(app)
    assert counts["call_attempts"] == counts["dispositions"] == summary["calls"]
    assert counts["write_backs"] == 2 * counts["call_attempts"]
    ledger = app.world.ledger
    assert len(ledger.items("call")) == counts["call_attempts"]
    assert len(ledger.items("message")) == counts["messages"]
    assert len(ledger.items("alert")) == counts["alerts"]
    assert len(ledger.items("crm_note")) == len(ledger.items("billing_note")) == summary["calls"]
    assert sum(summary["outcomes"].values()) == summary["calls"]
    for key in SUCCESS_METRICS:
        assert key in summary

    again = demo.run(app, CASES, seed=3, on_progress=lambda _: None, timeout_s=5)
    assert table_counts(app) == counts
    assert again["calls"] == summary["calls"]


def test_no_card_number_is_stored_anywhere(app: wiring.Started, db_url: str) -> None:
    stream = io.StringIO()
    handler = logs.configure("DEBUG", stream)
    try:
        summary = demo.run(app, 30, seed=5, on_progress=lambda _: None, timeout_s=90)
    finally:
        for name in ("recoup", "dbos"):
            logging.getLogger(name).removeHandler(handler)
    written = stream.getvalue()
    assert "calling" in written  # the log really captured the calls
    assert re.search(r"\+\d{8,}|@\w+\.example", written) is None  # phones, emails masked
    assert guard.card_numbers(written) == []
    messages = [line.split(": ", 1)[-1] for line in written.splitlines()]  # no timestamps
    assert [n for m in messages for n in find_card_numbers(m)] == []
    assert summary["open_cases"] == 0
    readers = [
        v
        for _, v in app.world.ledger.items("persona")
        if (v.get("behaviour") or {}).get("kind") == "card_then_link"
    ]
    assert readers, "the seed must include customers who read out a card number"
    assert card_numbers_in(db_url) == []
    assert card_numbers_in(system_database_url(db_url)) == []


def test_calls_are_placed_inside_the_local_calling_window(app: wiring.Started, db_url: str) -> None:
    demo.run(app, 20, seed=9, on_progress=lambda _: None, timeout_s=90)
    with app.db.session() as s:
        rows = s.execute(
            select(CallAttemptRow.placed_at, AccountRow.timezone)
            .join(CaseRow, CaseRow.case_id == CallAttemptRow.case_id)
            .join(AccountRow, AccountRow.account_id == CaseRow.account_id)
        ).all()
    assert rows
    window = app.runtime.playbook.calling.window
    days: Counter[str] = Counter()
    for placed_at, zone in rows:
        local = placed_at.astimezone(ZoneInfo(zone))
        assert window.start <= local.time().replace(tzinfo=None) < window.end, (placed_at, zone)
        days[local.strftime("%a").lower()] += 1
    assert set(days) <= set(window.days)
