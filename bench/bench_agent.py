"""Per-turn cost of the agent: understanding plus the dialog's decision, p50/p95/p99.

Every customer reply of a seeded simulated population is fed to ``Dialog.hear`` exactly as a
call would (the first turn after ``open``), and each ``hear`` is timed. Baseline, measured in
the same run on the same replies: ``normalise`` alone (lowercasing, contractions, fillers),
the floor any understanding pays. The target is p95 under 20 ms per turn on this machine
with the default install.

Run: ``.venv/bin/python bench/bench_agent.py [--personas N]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from recoup.adapters.simulator.customer import ScriptedCustomer
from recoup.adapters.simulator.persona import AnswerMode
from recoup.adapters.simulator.population import generate_population
from recoup.agent.dates import warm_up
from recoup.agent.dialog import Dialog
from recoup.agent.understand import normalise
from recoup.simulate import request_for

TARGET_P95_MS = 20.0


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


def timed_calls(n: int) -> tuple[list[float], list[str]]:
    """Milliseconds per ``hear`` over whole simulated calls, and every reply heard."""
    now = datetime(2026, 11, 24, 20, tzinfo=UTC)
    turns: list[float] = []
    replies: list[str] = []
    for i, persona in enumerate(generate_population(n, 17, now)):
        if persona.answers is not AnswerMode.HUMAN:
            continue
        dialog = Dialog(request_for(persona, f"bench-{i}"), persona.now)
        customer = ScriptedCustomer(persona.replies)
        turn = dialog.open("human")
        while not turn.done:
            reply = customer.reply(turn.act, turn.text)
            if reply is None:
                break
            replies.append(reply)
            start = time.perf_counter()
            turn = dialog.hear(reply)
            turns.append((time.perf_counter() - start) * 1000)
    return turns, replies


def baseline(replies: list[str]) -> list[float]:
    out = []
    for reply in replies:
        start = time.perf_counter()
        normalise(reply)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--personas", type=int, default=600)
    args = parser.parse_args()
    warm_up()
    turns, replies = timed_calls(args.personas)
    base = baseline(replies)
    print(f"turns: {len(turns)} from {args.personas} simulated customers")
    for name, values in (("normalise only (baseline)", base), ("understand + dialog", turns)):
        print(
            f"{name:28}: p50 {pct(values, 50):6.3f} ms  p95 {pct(values, 95):6.3f} ms  "
            f"p99 {pct(values, 99):6.3f} ms  max {max(values):6.2f} ms"
        )
    p95 = pct(turns, 95)
    print(f"ratio p95 (turn/baseline)   : {p95 / pct(base, 95):.1f}x")
    print(
        f"target p95 < {TARGET_P95_MS} ms       : {'met' if p95 < TARGET_P95_MS else 'MISSED'} "
        f"({p95 / TARGET_P95_MS:.3f} of the budget)"
    )


if __name__ == "__main__":
    main()
