"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 18:03:36.105443
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("billing_customer_ref", sa.String(length=255), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("company", sa.String(length=255), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.Column("segment", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounts_billing_customer_ref"), ["billing_customer_ref"], unique=False
        )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.String(length=255), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_case_at", ["case_id", "id"], unique=False)

    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(length=255), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("invoice_ref", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("trigger_kind", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=True),
        sa.Column("segment", sa.String(length=40), nullable=True),
        sa.Column("owner", sa.String(length=255), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=8), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("match_confidence", sa.Double(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("close_reason", sa.String(length=40), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("case_id"),
        sa.UniqueConstraint("invoice_ref"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_outcome"), ["outcome"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_status"), ["status"], unique=False)

    op.create_table(
        "payments",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("invoice_ref", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.String(length=255), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_invoice_ref"), ["invoice_ref"], unique=False)

    op.create_table(
        "trigger_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invoice_ref", sa.String(length=255), nullable=True),
        sa.Column("customer_ref", sa.String(length=255), nullable=True),
        sa.Column("case_id", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "event_id", name="uq_trigger_source_event"),
    )
    with op.batch_alter_table("trigger_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trigger_events_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_trigger_events_invoice_ref"), ["invoice_ref"], unique=False
        )

    op.create_table(
        "alerts",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.String(length=255), nullable=False),
        sa.Column("team", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("provider_id", sa.String(length=255), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
        ),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_case_id"), ["case_id"], unique=False)

    op.create_table(
        "call_attempts",
        sa.Column("call_id", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.String(length=255), nullable=False),
        sa.Column("attempt_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
        ),
        sa.PrimaryKeyConstraint("call_id"),
    )
    with op.batch_alter_table("call_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_attempts_case_id"), ["case_id"], unique=False)

    op.create_table(
        "invoices",
        sa.Column("invoice_ref", sa.String(length=255), nullable=False),
        sa.Column("number", sa.String(length=255), nullable=False),
        sa.Column("customer_ref", sa.String(length=255), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("failure_reason", sa.String(length=80), nullable=True),
        sa.Column("prior_failures", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
        ),
        sa.PrimaryKeyConstraint("invoice_ref"),
    )
    op.create_table(
        "messages",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("to_masked", sa.String(length=255), nullable=False),
        sa.Column("tracking_token", sa.String(length=64), nullable=False),
        sa.Column("link_url", sa.Text(), nullable=False),
        sa.Column("provider_id", sa.String(length=255), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
        ),
        sa.PrimaryKeyConstraint("key"),
        sa.UniqueConstraint("tracking_token"),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_case_id"), ["case_id"], unique=False)

    op.create_table(
        "promises",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.String(length=255), nullable=False),
        sa.Column("call_id", sa.String(length=255), nullable=False),
        sa.Column("promise_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
        ),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_promises_case_id"), ["case_id"], unique=False)

    op.create_table(
        "review_items",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
        ),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_items_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_items_status"), ["status"], unique=False)

    op.create_table(
        "write_backs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("system", sa.String(length=20), nullable=False),
        sa.Column("case_id", sa.String(length=255), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("provider_id", sa.String(length=255), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "system", name="uq_write_back_key_system"),
    )
    with op.batch_alter_table("write_backs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_write_backs_case_id"), ["case_id"], unique=False)

    op.create_table(
        "dispositions",
        sa.Column("call_id", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.String(length=255), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("intent", sa.String(length=40), nullable=False),
        sa.Column("escalation_reason", sa.String(length=40), nullable=True),
        sa.Column("review_reason", sa.String(length=40), nullable=True),
        sa.Column("promise_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["call_attempts.call_id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
        ),
        sa.PrimaryKeyConstraint("call_id"),
    )
    with op.batch_alter_table("dispositions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispositions_case_id"), ["case_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("dispositions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispositions_case_id"))

    op.drop_table("dispositions")
    with op.batch_alter_table("write_backs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_write_backs_case_id"))

    op.drop_table("write_backs")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_items_status"))
        batch_op.drop_index(batch_op.f("ix_review_items_case_id"))

    op.drop_table("review_items")
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promises_case_id"))

    op.drop_table("promises")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_case_id"))

    op.drop_table("messages")
    op.drop_table("invoices")
    with op.batch_alter_table("call_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_attempts_case_id"))

    op.drop_table("call_attempts")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_case_id"))

    op.drop_table("alerts")
    with op.batch_alter_table("trigger_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trigger_events_invoice_ref"))
        batch_op.drop_index(batch_op.f("ix_trigger_events_case_id"))

    op.drop_table("trigger_events")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_invoice_ref"))
        batch_op.drop_index(batch_op.f("ix_payments_case_id"))

    op.drop_table("payments")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_status"))
        batch_op.drop_index(batch_op.f("ix_cases_outcome"))

    op.drop_table("cases")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_case_at")

    op.drop_table("audit_log")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_billing_customer_ref"))

    op.drop_table("accounts")
