"""The dashboard's queries: filters, options, cohorts, and the same figures as the
reference after a real demo batch through the workflow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, select

from recoup import demo, wiring
from recoup.domain.metrics import DIMENSIONS, CaseFacts, group_key
from recoup.settings import Settings
from recoup.store import dashboard
from recoup.store.dashboard import Filters
from recoup.store.db import Database
from recoup.store.facts import load_facts
from recoup.store.rollup import cohort_for
from recoup.store.tables import CaseRow
from recoup.store.tables_console import CaseMetricsRow

from .conftest import T0, Check, Facts, expected, from_dashboard, reference

NOW = datetime(2026, 3, 30, 8, tzinfo=UTC)


@pytest.fixture
def seeded(facts: Facts) -> Facts:
    """Twelve cases over three weeks, two sources, segments, owners and every cohort."""
    seqs = (3, 20, 49, 50, 51, 77, 100, 101, 102, 250, 251, 999)
    for i, seq in enumerate(seqs):
        case_id = facts.case(
            seq,
            opened=T0 + timedelta(days=7 * (i % 3), hours=i),
            amount=f"{10 * (i + 1)}.25",
            due=date(2026, 1, 25) if i % 4 else None,
            source="stripe" if i % 2 else "chargebee",
            segment=(None, "smb", "enterprise")[i % 3],
            owner=(None, "Dana Whitfield", "Sam Ortiz", "Lee Park")[i % 4],
            outcome=(None, "link_sent", "promise_recorded", "no_answer")[(i + 1) % 4],
        )
        if i % 3 == 0:
            key = facts.message(case_id, T0 + timedelta(days=1))
            facts.open_link(key, T0 + timedelta(days=2))
            facts.payment(f"in_{seq}", T0 + timedelta(days=8 + i))
        if i % 5 == 1:
            facts.call(case_id, "escalated", escalation="dispute")
            facts.promise(case_id, "kept" if i % 2 else "broken")
        if i == 6:
            facts.cancel(f"in_{seq}")
    return facts


def matching(session: Any, f: Filters) -> list[CaseFacts]:
    """The reference's cases under the filters, selected in Python."""
    seqs = {r[0]: r[1] for r in session.execute(select(CaseRow.case_id, CaseRow.seq))}
    out = []
    for case in load_facts(session):
        week = group_key(case, "week")
        if (f.week_from and week < f.week_from) or (f.week_to and week > f.week_to):
            continue
        if f.cohort and cohort_for(seqs[case.case_id]) != f.cohort:
            continue
        if any(
            getattr(f, dim) is not None and group_key(case, dim) != getattr(f, dim)
            for dim in ("source", "segment", "owner", "outcome")
        ):
            continue
        out.append(case)
    return out


FILTERS = [
    Filters(),
    Filters(week_from="2026-W07"),
    Filters(week_from="2026-W06", week_to="2026-W07", source="stripe"),
    Filters(segment="(none)"),
    Filters(owner="Dana Whitfield", outcome="link_sent"),
    Filters(cohort="runs_51_100"),
    Filters(cohort="steady", segment="smb"),
    Filters(source="nowhere"),
]


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: repr(f)[8:60])
def test_filtered_overview_equals_the_reference(seeded: Facts, db: Database, f: Filters) -> None:
    with db.session() as s:
        assert dashboard.overview(s, NOW, f) == expected(matching(s, f), NOW)


def test_breakdowns_are_filtered_too(seeded: Facts, db: Database) -> None:
    f = Filters(week_from="2026-W07", source="stripe")
    with db.session() as s:
        cases = matching(s, f)
        for dim in DIMENSIONS:
            groups: dict[str, list[CaseFacts]] = {}
            for c in cases:
                groups.setdefault(group_key(c, dim), []).append(c)
            want = [{"key": k, **expected(groups[k], NOW)} for k in sorted(groups)]
            assert dashboard.breakdown(s, dim, NOW, f) == want
        with pytest.raises(ValueError, match="unknown dimension"):
            dashboard.breakdown(s, "tier", NOW)


def test_the_case_table_gives_the_same_figures(seeded: Facts, db: Database) -> None:
    """The benchmark's baseline (one row per case) and the rollup agree."""
    table = CaseMetricsRow.__table__
    assert isinstance(table, Table)
    with db.session() as s:
        for f in FILTERS:
            assert dashboard.overview(s, NOW, f, over=table) == dashboard.overview(s, NOW, f)
        for dim in (*DIMENSIONS, "cohort"):
            assert dashboard.breakdown(s, dim, NOW, over=table) == dashboard.breakdown(s, dim, NOW)


def test_filter_options_list_what_the_rollup_holds(seeded: Facts, db: Database) -> None:
    with db.session() as s:
        options = dashboard.filter_options(s)
    assert options == {
        "week": ["2026-W06", "2026-W07", "2026-W08"],
        "source": ["chargebee", "stripe"],
        "segment": ["(none)", "enterprise", "smb"],
        "owner": ["(none)", "Dana Whitfield", "Lee Park", "Sam Ortiz"],
        "outcome": ["(none)", "link_sent", "no_answer", "promise_recorded"],
        "cohort": ["runs_1_50", "runs_51_100", "steady"],
    }


def test_cohorts_put_the_baseline_first_and_keep_empty_cohorts(
    facts: Facts, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub = {"cases": 7, "note": "from the baseline module"}
    monkeypatch.setattr(dashboard, "_baseline", lambda _s, _now: stub)
    facts.case(120, amount="5.00")
    with db.session() as s:
        rows = dashboard.cohorts(s, NOW)
        cases = load_facts(s)
    assert [r["key"] for r in rows] == ["baseline", "runs_1_50", "runs_51_100", "steady"]
    assert rows[0] == {"key": "baseline", **stub}
    empty = dashboard.metrics({}, NOW)
    assert rows[1] == {"key": "runs_1_50", **empty}
    assert rows[2] == {"key": "runs_51_100", **empty}
    assert empty == {**empty, "cases": 0, "amount": "0.00", "recovered_amount": "0.00"}
    assert empty["link_open_rate"] is None
    assert empty["dso_days"] is None
    assert rows[3] == {"key": "steady", **expected(cases, NOW)}


def test_cohorts_read_the_imported_baseline(seeded: Facts, db: Database) -> None:
    baseline = pytest.importorskip("recoup.store.baseline")
    with db.session() as s:
        rows = dashboard.cohorts(s, NOW)
        assert rows[0] == {"key": "baseline", **baseline.summary(s, NOW)}
        assert rows[1:] == dashboard.breakdown(s, "cohort", NOW)


def test_filters_from_query_parameters() -> None:
    got = dashboard.filters_from({"source": "stripe", "owner": "", "week_to": "2026-W09", "x": "1"})
    assert got == Filters(source="stripe", week_to="2026-W09")


@pytest.fixture
def app(db_url: str) -> Iterator[wiring.Started]:
    settings = Settings(_env_file=None, database_url=db_url, clock_speed=10 * 86_400.0)  # type: ignore[call-arg]
    started = wiring.start(settings)
    yield started
    wiring.stop(started)


def test_a_demo_batch_through_the_workflow_matches_the_reference(app: wiring.Started) -> None:
    summary = demo.run(app, 10, seed=4, on_progress=lambda _: None, timeout_s=90)
    assert summary["open_cases"] == 0
    now = app.runtime.clock.now()
    with app.db.session() as s:
        want = reference(s, now)
        got = from_dashboard(s, now)
    assert got == want
    assert got["overview"]["cases"] == summary["cases"] == 10
    assert got["overview"]["recovered_amount"] == summary["recovered_amount"]


def test_check_fixture_covers_the_seed(seeded: Facts, check: Check) -> None:
    figures = check(NOW)
    assert figures["overview"]["cases"] == 12
    assert {r["key"] for r in figures["cohort"]} == {"runs_1_50", "runs_51_100", "steady"}
