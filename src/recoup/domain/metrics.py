"""The success metrics, defined once, over facts loaded from storage.

Nothing here counts on the side: each figure is a function of :class:`CaseFacts`, which
:mod:`recoup.store.facts` builds by querying stored events, messages, promises, dispositions
and payments. Definitions (also in docs/metrics.md):

- recovered_amount: sum of case amounts whose invoice was paid after the case opened.
- link_open_rate: payment links opened / payment links sent.
- link_completion_rate: payment links followed by a payment of their invoice / links sent.
- promise_kept_rate: promises kept / promises resolved (kept + broken).
- dispute_escalation_rate: calls escalated as disputes / calls that reached the right person.
- churn_avoided: recovered cases whose customer did not cancel (no cancellation escalation,
  no subscription deletion): customers who would otherwise have churned involuntarily.
- dso_days: mean days from due date to payment (to closing, or to now, when unpaid).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

DIMENSIONS = ("week", "source", "segment", "owner", "outcome")
#: The six success metrics, by the names every report and the demo's JSON use.
SUCCESS_METRICS = (
    "recovered_amount",
    "link_open_rate",
    "link_completion_rate",
    "promise_kept_rate",
    "dispute_escalation_rate",
    "churn_avoided",
    "dso_days",
)
#: Call outcomes that never reached the customer: no dispute can be raised on them.
UNREACHED = frozenset({"no_answer", "voicemail_left", "wrong_party"})


@dataclass
class CaseFacts:
    """What storage knows about one case."""

    case_id: str
    opened_at: datetime
    source: str
    segment: str | None
    owner: str | None
    outcome: str | None
    amount: Decimal
    due_date: date | None
    closed_at: datetime | None
    paid_at: datetime | None
    cancelled: bool = False
    call_outcomes: list[str] = field(default_factory=list)
    dispute_escalations: int = 0
    links_sent: list[datetime] = field(default_factory=list)
    links_opened: int = 0
    promises: Counter[str] = field(default_factory=Counter)
    messages: int = 0
    alerts: int = 0
    review_items: int = 0


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _dso(case: CaseFacts, now: datetime) -> float | None:
    if case.due_date is None:
        return None
    end = case.paid_at or case.closed_at or now
    return (end.date() - case.due_date).days + 0.0


def summarise(cases: list[CaseFacts], now: datetime) -> dict[str, Any]:
    """Every success metric over ``cases``."""
    recovered = [c for c in cases if c.paid_at is not None and c.paid_at >= c.opened_at]
    links = [(c, sent) for c in cases for sent in c.links_sent]
    completed = sum(1 for c, sent in links if c.paid_at is not None and c.paid_at >= sent)
    reached = sum(1 for c in cases for o in c.call_outcomes if o not in UNREACHED)
    kept = sum(c.promises["kept"] for c in cases)
    broken = sum(c.promises["broken"] for c in cases)
    dsos = [d for d in (_dso(c, now) for c in cases) if d is not None]
    outcomes = Counter(o for c in cases for o in c.call_outcomes)
    return {
        "cases": len(cases),
        "outcomes": dict(sorted(outcomes.items())),
        "calls": sum(len(c.call_outcomes) for c in cases),
        "messages": sum(c.messages for c in cases),
        "alerts": sum(c.alerts for c in cases),
        "review_items": sum(c.review_items for c in cases),
        "recovered_cases": len(recovered),
        "recovered_amount": str(sum((c.amount for c in recovered), Decimal("0.00"))),
        "link_open_rate": _rate(sum(c.links_opened for c in cases), len(links)),
        "link_completion_rate": _rate(completed, len(links)),
        "promise_kept_rate": _rate(kept, kept + broken),
        "dispute_escalation_rate": _rate(sum(c.dispute_escalations for c in cases), reached),
        "churn_avoided": sum(1 for c in recovered if not c.cancelled),
        "dso_days": round(sum(dsos) / len(dsos), 2) if dsos else None,
    }


def group_key(case: CaseFacts, dimension: str) -> str:
    """The value of ``dimension`` (week, source, segment, owner, outcome) for a case."""
    if dimension == "week":
        year, week, _ = case.opened_at.isocalendar()
        return f"{year}-W{week:02d}"
    value = {
        "source": case.source,
        "segment": case.segment,
        "owner": case.owner,
        "outcome": case.outcome,
    }.get(dimension)
    if dimension not in ("source", "segment", "owner", "outcome"):
        raise ValueError(
            f"unknown dimension {dimension!r}: use week, source, segment, owner or outcome"
        )
    return value or "(none)"


def by(cases: list[CaseFacts], dimension: str, now: datetime) -> dict[str, dict[str, Any]]:
    """The metrics for each value of ``dimension``."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}: use {', '.join(DIMENSIONS)}")
    groups: dict[str, list[CaseFacts]] = {}
    for case in cases:
        groups.setdefault(group_key(case, dimension), []).append(case)
    return {key: summarise(group, now) for key, group in sorted(groups.items())}
