"""Tables of the operator console (issue 5): people, their sessions, the dashboard's
pre-aggregated metrics and the imported pre-launch baseline.

``case_metrics`` holds one row per case with the inputs of every success metric, and
``metric_rollup`` their sums per (week, source, segment, owner, outcome, cohort): both are
derived from the fact tables by :mod:`recoup.store.rollup`, kept current in the transaction
that changes a fact, and can be rebuilt from the facts at any time. A scan of a million
cases takes over a second on SQLite; a scan of the rollup takes milliseconds.

Imported by :mod:`recoup.store.tables`, so ``Base.metadata`` always holds these tables.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from recoup.store.tables import Base, Money

#: The dimensions a rollup row is keyed by; a missing value is stored as ``NONE``.
ROLLUP_DIMENSIONS = ("week", "source", "segment", "owner", "outcome", "cohort")
NONE = "(none)"


class UserRow(Base):
    """A person who signs in to the console. ``name`` is matched against ``cases.owner``, so
    an owner sees their own accounts' items first."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    #: admin | finance | owner | viewer
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class ConsoleSessionRow(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so
    a copy of the database signs nobody in. ``csrf_token`` is the form token of the session."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class _Measures:
    """The additive inputs of the success metrics (see docs/metrics.md)."""

    cases: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    recovered_cases: Mapped[int] = mapped_column(Integer, default=0)
    recovered_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    churn_avoided: Mapped[int] = mapped_column(Integer, default=0)
    links_sent: Mapped[int] = mapped_column(Integer, default=0)
    links_opened: Mapped[int] = mapped_column(Integer, default=0)
    links_completed: Mapped[int] = mapped_column(Integer, default=0)
    promises_kept: Mapped[int] = mapped_column(Integer, default=0)
    promises_broken: Mapped[int] = mapped_column(Integer, default=0)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    reached_calls: Mapped[int] = mapped_column(Integer, default=0)
    dispute_escalations: Mapped[int] = mapped_column(Integer, default=0)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    alerts: Mapped[int] = mapped_column(Integer, default=0)
    review_items: Mapped[int] = mapped_column(Integer, default=0)
    #: Days sales outstanding, kept additive: cases paid or closed contribute their days;
    #: open unpaid cases contribute their due date (as a day ordinal), aged at query time.
    dso_fixed_days: Mapped[int] = mapped_column(Integer, default=0)
    dso_fixed_n: Mapped[int] = mapped_column(Integer, default=0)
    #: A sum of day ordinals (~740,000 each): 64-bit, as 32 bits overflow past ~2,900 cases.
    dso_open_due_ordinal: Mapped[int] = mapped_column(BigInteger, default=0)
    dso_open_n: Mapped[int] = mapped_column(Integer, default=0)


class _Dimensions:
    """What a metric is broken down by (:data:`ROLLUP_DIMENSIONS`)."""

    week: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(40))
    segment: Mapped[str] = mapped_column(String(40))
    owner: Mapped[str] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(String(40))
    cohort: Mapped[str] = mapped_column(String(20))


class CaseMetricsRow(_Dimensions, _Measures, Base):
    """One case's contribution to the rollup, as last computed from its facts."""

    __tablename__ = "case_metrics"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), primary_key=True)


class MetricRollupRow(_Dimensions, _Measures, Base):
    """The sums of ``case_metrics`` per combination of dimensions."""

    __tablename__ = "metric_rollup"
    __table_args__ = (UniqueConstraint(*ROLLUP_DIMENSIONS, name="uq_metric_rollup_dims"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)


class BaselineInvoiceRow(Base):
    """A failed invoice from before launch, imported by ``recoup baseline import``: what
    happened without Recoup, for the cohort comparison."""

    __tablename__ = "baseline_invoices"

    invoice_ref: Mapped[str] = mapped_column(String(255), primary_key=True)
    customer_ref: Mapped[str] = mapped_column(String(255), default="")
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(8))
    due_date: Mapped[date]
    failed_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    paid_amount: Mapped[Decimal | None] = mapped_column(Money)
    cancelled_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(40), default="baseline")
    segment: Mapped[str] = mapped_column(String(40), default=NONE)
    owner: Mapped[str] = mapped_column(String(255), default=NONE)
    #: The file it came from (name and SHA-256 prefix), so an import can be traced.
    batch: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
