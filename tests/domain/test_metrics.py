"""Every success metric, computed by hand over six cases built to exercise each definition."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from recoup.domain.metrics import CaseFacts, by, group_key, summarise

NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def cases() -> list[CaseFacts]:
    # A: paid after opening and after its link; DSO uses paid_at (12 days), not closed_at.
    a = CaseFacts(
        "A", at(3, 2), "stripe", "smb", "ana", "link_sent", Decimal("100.00"),
        date(2026, 2, 20), closed_at=at(3, 5), paid_at=at(3, 4, 15),
        call_outcomes=["no_answer", "link_sent"], links_sent=[at(3, 3)], links_opened=1,
        messages=1,
    )  # fmt: skip
    # B: recovered but the customer cancelled; the second link came after the payment.
    b = CaseFacts(
        "B", at(3, 3), "stripe", "enterprise", "bo", "promise_recorded", Decimal("250.50"),
        date(2026, 2, 25), closed_at=at(3, 20, 9), paid_at=at(3, 20, 8), cancelled=True,
        call_outcomes=["promise_recorded", "voicemail_left"], links_sent=[at(3, 4), at(3, 21)],
        links_opened=1, promises=Counter(kept=2, pending=2), messages=2,
    )  # fmt: skip
    # C: paid the day before the case opened, so not recovered by us.
    c = CaseFacts(
        "C", at(3, 10), "csv", None, None, "escalated", Decimal("75.00"), date(2026, 3, 1),
        closed_at=at(3, 11), paid_at=at(3, 9, 23), call_outcomes=["escalated", "wrong_party"],
        dispute_escalations=1, promises=Counter(broken=1), alerts=1,
    )  # fmt: skip
    # D: never paid, closed: DSO runs to closed_at (16 days).
    d = CaseFacts(
        "D", at(3, 16), "csv", "smb", "ana", "review", Decimal("1000.00"), date(2026, 3, 10),
        closed_at=at(3, 26), paid_at=None, call_outcomes=["escalated", "review"],
        dispute_escalations=1, links_sent=[at(3, 17)], links_opened=1,
        promises=Counter(broken=1, kept=1), review_items=1,
    )  # fmt: skip
    # E: still open and unpaid: DSO runs to now (10 days).
    e = CaseFacts(
        "E", at(3, 23), "stripe", "smb", None, None, Decimal("40.00"), date(2026, 3, 21),
        closed_at=None, paid_at=None,
    )  # fmt: skip
    # F: no due date, so no DSO at all.
    f = CaseFacts(
        "F", at(3, 24), "stripe", "smb", None, None, Decimal("60.00"), None,
        closed_at=None, paid_at=None,
    )  # fmt: skip
    return [a, b, c, d, e, f]


def test_summary_of_every_metric() -> None:
    assert summarise(cases(), NOW) == {
        "cases": 6,
        "outcomes": {
            "escalated": 2,
            "link_sent": 1,
            "no_answer": 1,
            "promise_recorded": 1,
            "review": 1,
            "voicemail_left": 1,
            "wrong_party": 1,
        },
        "calls": 8,
        "messages": 3,
        "alerts": 1,
        "review_items": 1,
        "recovered_cases": 2,
        "recovered_amount": "350.50",  # A + B; C was paid before its case opened
        "link_open_rate": 0.75,  # 3 opened / 4 sent
        "link_completion_rate": 0.5,  # A's link and B's first; not B's late one, not D's
        "promise_kept_rate": 0.6,  # 3 kept / (3 kept + 2 broken); B's 2 pending ignored
        "dispute_escalation_rate": 0.4,  # 2 disputes / 5 calls that reached the person
        "churn_avoided": 1,  # A; B cancelled
        "dso_days": 13.8,  # (12 + 23 + 8 + 16 + 10) / 5; F has no due date
    }


def test_rates_are_none_when_nothing_to_divide_by() -> None:
    e, f = cases()[4:]
    unreached = CaseFacts(
        "G", at(3, 25), "stripe", None, None, None, Decimal("10.00"), None, None, None,
        call_outcomes=["no_answer", "voicemail_left", "wrong_party"],
        promises=Counter(pending=3),
    )  # fmt: skip
    summary = summarise([f, unreached], NOW)
    for key in (
        "link_open_rate",
        "link_completion_rate",
        "promise_kept_rate",
        "dispute_escalation_rate",
        "dso_days",
    ):
        assert summary[key] is None, key
    assert summary["recovered_amount"] == "0.00"
    assert (summary["recovered_cases"], summary["churn_avoided"], summary["calls"]) == (0, 0, 3)
    assert summarise([], NOW)["recovered_amount"] == "0.00"
    assert summarise([], NOW)["cases"] == 0
    assert summarise([e], NOW)["dso_days"] == 10.0


def test_rates_round_to_four_places_and_payment_at_opening_counts() -> None:
    case = CaseFacts(
        "H", at(3, 2), "stripe", None, None, None, Decimal("19.99"), date(2026, 3, 1),
        closed_at=None, paid_at=at(3, 2), links_sent=[at(3, 2), at(3, 3), at(3, 4)],
        links_opened=1, promises=Counter(kept=2, broken=1),
        call_outcomes=["callback_scheduled", "escalated", "link_sent"], dispute_escalations=2,
    )  # fmt: skip
    summary = summarise([case], NOW)
    assert summary["link_open_rate"] == 0.3333
    assert summary["link_completion_rate"] == 0.3333  # only the link sent at the payment time
    assert summary["promise_kept_rate"] == 0.6667
    assert summary["dispute_escalation_rate"] == 0.6667
    assert summary["recovered_amount"] == "19.99"
    assert summary["dso_days"] == 1.0


def test_by_week_uses_the_iso_week_of_opening() -> None:
    grouped = by(cases(), "week", NOW)
    assert list(grouped) == ["2026-W10", "2026-W11", "2026-W12", "2026-W13"]
    assert [grouped[k]["cases"] for k in grouped] == [2, 1, 1, 2]
    assert grouped["2026-W10"]["recovered_amount"] == "350.50"
    assert grouped["2026-W10"]["dso_days"] == 17.5
    assert grouped["2026-W13"]["dso_days"] == 10.0
    new_year = CaseFacts("Y", datetime(2027, 1, 1, tzinfo=UTC), "s", None, None, None,
                         Decimal(1), None, None, None)  # fmt: skip
    assert group_key(new_year, "week") == "2026-W53"


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        ("source", {"csv": ["C", "D"], "stripe": ["A", "B", "E", "F"]}),
        ("segment", {"(none)": ["C"], "enterprise": ["B"], "smb": ["A", "D", "E", "F"]}),
        ("owner", {"(none)": ["C", "E", "F"], "ana": ["A", "D"], "bo": ["B"]}),
        (
            "outcome",
            {
                "(none)": ["E", "F"],
                "escalated": ["C"],
                "link_sent": ["A"],
                "promise_recorded": ["B"],
                "review": ["D"],
            },
        ),
    ],
)
def test_by_dimension(dimension: str, expected: dict[str, list[str]]) -> None:
    facts = cases()
    grouped = by(facts, dimension, NOW)
    assert list(grouped) == list(expected)
    for key, ids in expected.items():
        assert grouped[key] == summarise([c for c in facts if c.case_id in ids], NOW)
        assert grouped[key]["cases"] == len(ids)


def test_by_owner_figures() -> None:
    ana = by(cases(), "owner", NOW)["ana"]
    assert ana["recovered_amount"] == "100.00"
    assert ana["link_open_rate"] == 1.0
    assert ana["link_completion_rate"] == 0.5
    assert ana["promise_kept_rate"] == 0.5
    assert ana["dispute_escalation_rate"] == 0.3333  # 1 dispute / link_sent, escalated, review
    assert ana["dso_days"] == 14.0


@pytest.mark.parametrize("dimension", ["region", "Week", "", "case_id"])
def test_unknown_dimension_is_refused(dimension: str) -> None:
    with pytest.raises(ValueError, match="unknown dimension"):
        by(cases(), dimension, NOW)
    with pytest.raises(ValueError, match="use week, source, segment, owner or outcome"):
        group_key(cases()[0], dimension)
