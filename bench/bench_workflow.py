"""Cases per second through the whole case workflow, with instant fakes.

Baseline, measured in the same process on the same database: a three-step no-op DBOS
workflow. The ratio says what the case workflow's real steps (enrichment, policy, the call
with the agent, routing, write-backs, storage) cost over DBOS's own bookkeeping.

The clock runs so fast (a simulated year per wall second) that calling windows, promise
dates and the give-up deadline pass at once, so the figure is work, not waiting.

Run: ``.venv/bin/python bench/bench_workflow.py [--cases N] [--database URL]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from dbos import DBOS

from recoup import demo, wiring
from recoup.adapters.simulator.population import generate_population
from recoup.settings import Settings

SPEED = 365 * 86_400.0


@DBOS.step()
def noop_step(i: int) -> int:
    return i


@DBOS.workflow()
def noop_workflow(i: int) -> int:
    return noop_step(i) + noop_step(i) + noop_step(i)


def baseline(n: int) -> float:
    start = time.perf_counter()
    handles = [DBOS.start_workflow(noop_workflow, i) for i in range(n)]
    for handle in handles:
        handle.get_result()
    return n / (time.perf_counter() - start)


def cases(app: wiring.Started, n: int) -> float:
    personas = generate_population(n, 11, demo.sim_origin(app))
    world, customers = demo.seed_world(app, personas, "bench")
    start = time.perf_counter()
    closed = demo.drive(app, world, customers, lambda _: None, timeout_s=600)
    elapsed = time.perf_counter() - start
    if closed < n:
        raise SystemExit(f"only {closed} of {n} cases closed")
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--database", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        settings = Settings(_env_file=None, database_url=url, clock_speed=SPEED)  # type: ignore[call-arg]
        app = wiring.start(settings)
        try:
            base = baseline(args.cases)
            rate = cases(app, args.cases)
        finally:
            wiring.stop(app)
    print(f"cases: {args.cases}, database: {'sqlite' if 'sqlite' in url else 'postgresql'}")
    print(f"baseline 3-step no-op workflow : {base:8.1f} workflows/s")
    print(f"case workflow, instant fakes   : {rate:8.1f} cases/s")
    print(f"ratio (case/baseline)          : {rate / base:.3f}x")


if __name__ == "__main__":
    main()
