"""Dashboard queries over a million cases: the rollup against one row per case.

Loads N cases (``cases`` and their ``case_metrics`` rows, bulk Core inserts) spread over 52
weeks, 3 sources, 4 segments, 7 owners (one of them none), 8 outcomes and the three run
cohorts, builds ``metric_rollup`` from ``case_metrics`` with one INSERT ... SELECT ... GROUP
BY, then times every dashboard query (:mod:`recoup.store.dashboard`) on the rollup.
Baseline, measured in the same run on the same data: the same queries grouped straight over
``case_metrics`` (one row per case), which is what the dashboard would do without a rollup.
Target: every dashboard query under one second.

The write path: :func:`recoup.store.rollup.refresh` of one case at that scale (with a
change to apply, and with none), and the commit of one payment with and without the rollup
hook installed on the session class.

Run: ``.venv/bin/python bench/bench_console.py [--cases N] [--backend sqlite|postgres|both]``
PostgreSQL: database ``test`` at 127.0.0.1:5432 (user postgres or root), in a schema of its
own that is dropped afterwards; skipped when unreachable.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from recoup.domain.metrics import CaseFacts
from recoup.store import dashboard, guard, rollup
from recoup.store.db import GuardedSession, make_engine
from recoup.store.tables import Base, CaseRow, PaymentRow
from recoup.store.tables_console import ROLLUP_DIMENSIONS, CaseMetricsRow, MetricRollupRow

START = datetime(2025, 3, 3, 8, tzinfo=UTC)  # a Monday; 52 ISO weeks follow
NOW = START + timedelta(days=380)
SOURCES = (("stripe", 0.7), ("chargebee", 0.2), ("recurly", 0.1))
SEGMENTS = (None, "smb", "mid_market", "enterprise")
OWNERS = (None, "Dana Whitfield", "Sam Ortiz", "Lee Park", "Ana Ruiz", "Kim Lo", "Raj Iyer")
OUTCOMES = (
    None,
    "link_sent",
    "promise_recorded",
    "escalated",
    "review",
    "do_not_contact",
    "voicemail_left",
    "no_answer",
)
CALL_OUTCOMES = ("link_sent", "promise_recorded", "no_answer", "voicemail_left", "escalated")
CHUNK = 20_000
PG_SCHEMA = "bench_console"

CASES = Base.metadata.tables["cases"]
CASE_METRICS = Base.metadata.tables["case_metrics"]
ROLLUP = Base.metadata.tables["metric_rollup"]


# --- synthetic data ----------------------------------------------------------------------


def _facts(rng: random.Random, i: int, n: int) -> tuple[dict[str, Any], CaseFacts]:
    """One case: its ``cases`` row and the facts its ``case_metrics`` row is computed from."""
    opened = START + timedelta(seconds=int(364 * 86_400 * (i - 1) / n) + rng.randint(0, 600))
    amount = Decimal(int(rng.lognormvariate(5, 1) * 100) + 500) / 100
    due = None if rng.random() < 0.05 else opened.date() - timedelta(days=rng.randint(0, 10))
    paid = opened + timedelta(hours=rng.randint(1, 720)) if rng.random() < 0.45 else None
    closed = paid or (opened + timedelta(days=30) if opened + timedelta(days=30) < NOW else None)
    source = rng.choices([s for s, _ in SOURCES], [w for _, w in SOURCES])[0]
    row = {
        "case_id": f"case:{source}:in_{i:07d}",
        "seq": i,
        "invoice_ref": f"in_{i:07d}",
        "source": source,
        "trigger_kind": "payment_failed",
        "segment": rng.choice(SEGMENTS),
        "owner": rng.choice(OWNERS),
        "amount": amount,
        "currency": "usd",
        "due_date": due,
        "status": "closed" if closed else "open",
        "outcome": rng.choice(OUTCOMES),
        "opened_at": opened,
        "closed_at": closed,
    }
    links = [opened + timedelta(hours=rng.randint(0, 48)) for _ in range(rng.randint(0, 2))]
    calls = [rng.choice(CALL_OUTCOMES) for _ in range(rng.randint(1, 3))]
    facts = CaseFacts(
        case_id=row["case_id"],
        opened_at=opened,
        source=source,
        segment=row["segment"],
        owner=row["owner"],
        outcome=row["outcome"],
        amount=amount,
        due_date=due,
        closed_at=closed,
        paid_at=paid,
        cancelled=rng.random() < 0.05,
        call_outcomes=calls,
        dispute_escalations=sum(1 for c in calls if c == "escalated" and rng.random() < 0.3),
        links_sent=links,
        links_opened=sum(1 for _ in links if rng.random() < 0.6),
        messages=len(links) + rng.randint(0, 2),
        alerts=int(rng.random() < 0.1),
        review_items=int(rng.random() < 0.08),
    )
    if rng.random() < 0.2:
        facts.promises["kept" if rng.random() < 0.65 else "broken"] += 1
    return row, facts


def _chunks(n: int, rng: random.Random) -> Iterator[tuple[list[dict[str, Any]], list[Any]]]:
    for start in range(1, n + 1, CHUNK):
        cases, metrics = [], []
        for i in range(start, min(start + CHUNK, n + 1)):
            row, facts = _facts(rng, i, n)
            cases.append(row)
            metrics.append(rollup.contribution(facts, i))
        yield cases, metrics


def load(engine: Engine, n: int) -> dict[str, float]:
    """Bulk-insert ``n`` cases and their per-case metrics, then build the rollup from them
    with one grouped INSERT ... SELECT; seconds per phase."""
    rng = random.Random(7)
    took: dict[str, float] = {}
    start = time.perf_counter()
    with engine.begin() as conn:
        for cases, metrics in _chunks(n, rng):
            conn.execute(insert(CASES), cases)
            conn.execute(insert(CASE_METRICS), metrics)
    took["load cases + case_metrics"] = time.perf_counter() - start
    start = time.perf_counter()
    sums = [func.sum(CASE_METRICS.c[m]) for m in rollup.MEASURES]
    dims = [CASE_METRICS.c[d] for d in ROLLUP_DIMENSIONS]
    grouped = select(*dims, *sums).group_by(*dims)
    with engine.begin() as conn:
        conn.execute(insert(ROLLUP).from_select([*ROLLUP_DIMENSIONS, *rollup.MEASURES], grouped))
    took["build rollup (INSERT ... SELECT ... GROUP BY)"] = time.perf_counter() - start
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return took


# --- timing ------------------------------------------------------------------------------


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and worst wall time of ``fn`` over ``repeat`` runs after one warm-up, in ms."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), max(runs)


def queries(session: Session, over: Table | None) -> dict[str, Callable[[], object]]:
    """Every dashboard query, on the rollup (``over`` None) or on ``case_metrics``."""
    weeks = dashboard.Filters(week_from="2025-W20", week_to="2025-W40", source="stripe")
    out: dict[str, Callable[[], object]] = {
        "overview": lambda: dashboard.overview(session, NOW, over=over),
        "overview, 21 weeks of stripe": lambda: dashboard.overview(session, NOW, weeks, over=over),
        "overview, one owner": lambda: dashboard.overview(
            session, NOW, dashboard.Filters(owner="Kim Lo"), over=over
        ),
    }
    for dim in ROLLUP_DIMENSIONS:
        out[f"breakdown by {dim}"] = lambda d=dim: dashboard.breakdown(session, d, NOW, over=over)
    out["cohorts"] = lambda: dashboard.cohorts(session, NOW, over=over)
    out["filter_options"] = lambda: dashboard.filter_options(session, over=over)
    return out


def query_figures(engine: Engine, repeat: int) -> None:
    case_table = CaseMetricsRow.__table__
    assert isinstance(case_table, Table)
    with Session(engine) as s:
        fast = queries(s, None)
        slow = queries(s, case_table)
        assert dashboard.overview(s, NOW) == dashboard.overview(s, NOW, over=case_table)
        print(f"  {'query':32} {'rollup p50/max ms':>19} {'per-case p50 ms':>16} {'speed-up':>9}")
        worst = 0.0
        for name, fn in fast.items():
            p50, top = timed(fn, repeat)
            base, _ = timed(slow[name], max(2, repeat // 3))
            worst = max(worst, top)
            print(f"  {name:32} {p50:9.1f} /{top:8.1f} {base:16.1f} {base / p50:8.0f}x")
        print(f"  slowest rollup query: {worst:.1f} ms (target < 1000 ms)")


def write_figures(engine: Engine, repeat: int) -> None:
    """One case's refresh at this scale, and a one-payment commit with and without the hook."""
    rng = random.Random(3)
    with Session(engine) as s:
        n = s.scalar(select(func.count()).select_from(CASES)) or 0
        ids = [
            s.scalar(select(CaseRow.case_id).where(CaseRow.seq == rng.randint(1, n)))
            for _ in range(repeat)
        ]
    changed, unchanged = [], []
    for case_id in ids:
        for runs in (changed, unchanged):  # the stored synthetic row differs from the facts
            with Session(engine) as s, s.begin():
                start = time.perf_counter()
                rollup.refresh(s, [str(case_id)])
                runs.append((time.perf_counter() - start) * 1000)

    class GuardOnly(Session):
        """The session class before this change: the card guard, no rollup."""

    guard.install(GuardOnly)
    commits: dict[str, list[float]] = {"with rollup hook": [], "card guard only": []}
    for k, case_id in enumerate(ids):
        for label, cls in (("with rollup hook", GuardedSession), ("card guard only", GuardOnly)):
            factory = sessionmaker(engine, class_=cls)
            ref = str(case_id).rsplit(":", 1)[1]
            start = time.perf_counter()
            with factory() as s, s.begin():
                s.add(PaymentRow(key=f"bench:{label}:{k}", invoice_ref=ref, paid_at=NOW))
            commits[label].append((time.perf_counter() - start) * 1000)
    print(f"  refresh(one case), a change to apply : {statistics.median(changed):7.2f} ms p50")
    print(f"  refresh(one case), nothing changed   : {statistics.median(unchanged):7.2f} ms p50")
    hook, plain = (statistics.median(v) for v in commits.values())
    print(f"  commit one payment, card guard only  : {plain:7.2f} ms p50 (baseline)")
    print(f"  commit one payment, with rollup hook : {hook:7.2f} ms p50 ({hook / plain:.2f}x)")


# --- backends ----------------------------------------------------------------------------


def _postgres_url() -> str | None:
    import psycopg

    for user in ("postgres", "root"):
        try:
            with psycopg.connect(f"postgresql://{user}@127.0.0.1:5432/test", connect_timeout=3):
                return f"postgresql+psycopg://{user}@127.0.0.1:5432/test"
        except psycopg.Error:
            continue
    return None


def run(engine: Engine, label: str, n: int, repeat: int) -> None:
    print(f"\n{label}: {n:,} cases")
    Base.metadata.create_all(engine)
    for phase, seconds in load(engine, n).items():
        print(f"  {phase:45} {seconds:7.1f} s")
    with Session(engine) as s:
        rows = s.scalar(select(func.count()).select_from(MetricRollupRow)) or 0
    print(f"  rollup rows: {rows:,} ({n / max(rows, 1):.0f} cases per row)")
    query_figures(engine, repeat)
    write_figures(engine, repeat)


def sqlite(n: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'console.sqlite'}")
        try:
            run(engine, "SQLite", n, repeat)
        finally:
            engine.dispose()


def postgres(n: int, repeat: int) -> None:
    url = _postgres_url()
    if url is None:
        print("\nPostgreSQL: not reachable at 127.0.0.1:5432/test, skipped")
        return
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={PG_SCHEMA}"})
    try:
        run(engine, "PostgreSQL", n, repeat)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=9, help="timed runs per query")
    args = parser.parse_args()
    print(f'dashboard "now": {NOW.date()}')
    if args.backend in ("sqlite", "both"):
        sqlite(args.cases, args.repeat)
    if args.backend in ("postgres", "both"):
        postgres(args.cases, args.repeat)


if __name__ == "__main__":
    main()
