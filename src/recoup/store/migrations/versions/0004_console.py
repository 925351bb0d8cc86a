"""console: users, sessions, metric rollup, baseline, review resolution

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 23:46:27.198560
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "baseline_invoices",
        sa.Column("invoice_ref", sa.String(length=255), nullable=False),
        sa.Column("customer_ref", sa.String(length=255), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("segment", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("batch", sa.String(length=255), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("invoice_ref"),
    )
    op.create_table(
        "metric_rollup",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("segment", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("cohort", sa.String(length=20), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("recovered_cases", sa.Integer(), nullable=False),
        sa.Column("recovered_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("churn_avoided", sa.Integer(), nullable=False),
        sa.Column("links_sent", sa.Integer(), nullable=False),
        sa.Column("links_opened", sa.Integer(), nullable=False),
        sa.Column("links_completed", sa.Integer(), nullable=False),
        sa.Column("promises_kept", sa.Integer(), nullable=False),
        sa.Column("promises_broken", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("reached_calls", sa.Integer(), nullable=False),
        sa.Column("dispute_escalations", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("review_items", sa.Integer(), nullable=False),
        sa.Column("dso_fixed_days", sa.Integer(), nullable=False),
        sa.Column("dso_fixed_n", sa.Integer(), nullable=False),
        sa.Column("dso_open_due_ordinal", sa.BigInteger(), nullable=False),
        sa.Column("dso_open_n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "week", "source", "segment", "owner", "outcome", "cohort", name="uq_metric_rollup_dims"
        ),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "case_metrics",
        sa.Column("case_id", sa.String(length=255), nullable=False),
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("segment", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("cohort", sa.String(length=20), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("recovered_cases", sa.Integer(), nullable=False),
        sa.Column("recovered_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("churn_avoided", sa.Integer(), nullable=False),
        sa.Column("links_sent", sa.Integer(), nullable=False),
        sa.Column("links_opened", sa.Integer(), nullable=False),
        sa.Column("links_completed", sa.Integer(), nullable=False),
        sa.Column("promises_kept", sa.Integer(), nullable=False),
        sa.Column("promises_broken", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("reached_calls", sa.Integer(), nullable=False),
        sa.Column("dispute_escalations", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("review_items", sa.Integer(), nullable=False),
        sa.Column("dso_fixed_days", sa.Integer(), nullable=False),
        sa.Column("dso_fixed_n", sa.Integer(), nullable=False),
        sa.Column("dso_open_due_ordinal", sa.BigInteger(), nullable=False),
        sa.Column("dso_open_n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
        ),
        sa.PrimaryKeyConstraint("case_id"),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_sessions_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolution", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("resolved_by", sa.String(length=255), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_column("resolved_by")
        batch_op.drop_column("note")
        batch_op.drop_column("resolution")

    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_sessions_user_id"))

    op.drop_table("console_sessions")
    op.drop_table("case_metrics")
    op.drop_table("users")
    op.drop_table("metric_rollup")
    op.drop_table("baseline_invoices")
