"""Facts built through the ORM (as the workflow writes them) and the reference they are held
to: :func:`recoup.domain.metrics.summarise` / ``by`` over :func:`load_facts`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from recoup.domain.metrics import DIMENSIONS, CaseFacts, by, group_key, summarise
from recoup.store import dashboard
from recoup.store.db import Database
from recoup.store.facts import load_facts
from recoup.store.migrate import upgrade
from recoup.store.rollup import cohort_for
from recoup.store.tables import (
    AlertRow,
    CallAttemptRow,
    CaseRow,
    DispositionRow,
    MessageRow,
    PaymentRow,
    PromiseRow,
    ReviewItemRow,
    TriggerEventRow,
)

T0 = datetime(2026, 2, 2, 9, 30, tzinfo=UTC)  # a Monday: ISO week 2026-W06


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    upgrade(db_url)
    database = Database(db_url)
    yield database
    database.dispose()


class Facts:
    """Writes facts one transaction each, through the ORM, as the workflow's steps do."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.n = 0

    def _next(self) -> int:
        self.n += 1
        return self.n

    def case(
        self,
        seq: int,
        opened: datetime = T0,
        amount: str | None = "100.00",
        due: date | None = date(2026, 1, 20),
        **columns: Any,
    ) -> str:
        case_id = f"case:stripe:in_{seq}"
        with self.db.session() as s:
            s.add(
                CaseRow(
                    case_id=case_id,
                    seq=seq,
                    invoice_ref=f"in_{seq}",
                    source=columns.pop("source", "stripe"),
                    trigger_kind="payment_failed",
                    amount=None if amount is None else Decimal(amount),
                    currency="usd",
                    due_date=due,
                    status=columns.pop("status", "open"),
                    opened_at=opened,
                    **columns,
                )
            )
        return case_id

    def update_case(self, case_id: str, **values: Any) -> None:
        with self.db.session() as s:
            row = s.get(CaseRow, case_id)
            assert row is not None
            for name, value in values.items():
                setattr(row, name, value)

    def payment(self, invoice_ref: str, at: datetime) -> None:
        with self.db.session() as s:
            s.add(PaymentRow(key=f"pay:{self._next()}", invoice_ref=invoice_ref, paid_at=at))

    def message(self, case_id: str, at: datetime, kind: str = "link") -> str:
        key = f"msg:{self._next()}"
        with self.db.session() as s:
            s.add(
                MessageRow(
                    key=key,
                    case_id=case_id,
                    kind=kind,
                    channel="sms",
                    to_masked="+1•••0000",
                    tracking_token=key,
                    link_url="https://pay.example/x",
                    sent_at=at,
                )
            )
        return key

    def open_link(self, key: str, at: datetime) -> None:
        with self.db.session() as s:
            row = s.get(MessageRow, key)
            assert row is not None
            row.opened_at = at

    def call(
        self, case_id: str, outcome: str, at: datetime = T0, escalation: str | None = None
    ) -> str:
        call_id = f"{case_id}:call-{self._next()}"
        with self.db.session() as s:
            s.add(
                CallAttemptRow(
                    call_id=call_id, case_id=case_id, attempt_no=1, status="ended", placed_at=at
                )
            )
            s.flush()
            s.add(
                DispositionRow(
                    call_id=call_id,
                    case_id=case_id,
                    outcome=outcome,
                    intent="other",
                    escalation_reason=escalation,
                    created_at=at,
                    data={},
                )
            )
        return call_id

    def promise(self, case_id: str, status: str = "pending") -> str:
        key = f"promise:{self._next()}"
        with self.db.session() as s:
            s.add(
                PromiseRow(
                    key=key,
                    case_id=case_id,
                    call_id=key,
                    promise_date=date(2026, 2, 20),
                    status=status,
                    created_at=T0,
                )
            )
        return key

    def resolve_promise(self, key: str, status: str) -> None:
        with self.db.session() as s:
            row = s.get(PromiseRow, key)
            assert row is not None
            row.status, row.resolved_at = status, T0 + timedelta(days=20)

    def alert(self, case_id: str) -> None:
        n = self._next()
        with self.db.session() as s:
            s.add(
                AlertRow(
                    key=f"alert:{n}",
                    case_id=case_id,
                    team="finance",
                    reason="dispute",
                    target="#ar",
                    summary="s",
                    sent_at=T0,
                )
            )

    def review(self, case_id: str) -> None:
        n = self._next()
        with self.db.session() as s:
            s.add(
                ReviewItemRow(key=f"review:{n}", case_id=case_id, reason="hardship", created_at=T0)
            )

    def cancel(self, invoice_ref: str, at: datetime = T0) -> None:
        n = self._next()
        with self.db.session() as s:
            s.add(
                TriggerEventRow(
                    source="stripe",
                    event_id=f"evt_{n}",
                    event_type="customer.subscription.deleted",
                    kind="subscription_canceled",
                    occurred_at=at,
                    received_at=at,
                    invoice_ref=invoice_ref,
                    payload={},
                )
            )


@pytest.fixture
def facts(db: Database) -> Facts:
    return Facts(db)


def expected(cases: list[CaseFacts], now: datetime) -> dict[str, Any]:
    """The reference metric dict: ``summarise`` without the per-outcome counts (the rollup
    keys cases by their outcome instead), plus the cases' total amount."""
    out = summarise(cases, now)
    out.pop("outcomes")
    out["amount"] = str(sum((c.amount for c in cases), Decimal("0.00")))
    return out


def _by_cohort(session: Session, cases: list[CaseFacts], now: datetime) -> list[dict[str, Any]]:
    seqs = {r[0]: r[1] for r in session.execute(select(CaseRow.case_id, CaseRow.seq))}
    groups: dict[str, list[CaseFacts]] = {}
    for c in cases:
        groups.setdefault(cohort_for(seqs[c.case_id]), []).append(c)
    order = ("runs_1_50", "runs_51_100", "steady")
    return [{"key": k, **expected(groups[k], now)} for k in order if k in groups]


def reference(session: Session, now: datetime) -> dict[str, Any]:
    """Overview and every breakdown, computed by the reference over ``load_facts``."""
    cases = load_facts(session)
    out: dict[str, Any] = {"overview": expected(cases, now)}
    for dim in DIMENSIONS:
        groups: dict[str, list[CaseFacts]] = {}
        for c in cases:
            groups.setdefault(group_key(c, dim), []).append(c)
        assert list(by(cases, dim, now)) == sorted(groups)
        out[dim] = [{"key": k, **expected(groups[k], now)} for k in sorted(groups)]
    out["cohort"] = _by_cohort(session, cases, now)
    return out


def from_dashboard(session: Session, now: datetime) -> dict[str, Any]:
    out: dict[str, Any] = {"overview": dashboard.overview(session, now)}
    for dim in (*DIMENSIONS, "cohort"):
        out[dim] = dashboard.breakdown(session, dim, now)
    return out


Check = Callable[[datetime], dict[str, Any]]


@pytest.fixture
def check(db: Database) -> Check:
    """Asserts the dashboard equals the reference at ``now``; returns the figures."""

    def run(now: datetime) -> dict[str, Any]:
        with db.session() as s:
            want = reference(s, now)
            got = from_dashboard(s, now)
        for part, value in want.items():
            assert got[part] == value, part
        return got

    return run
