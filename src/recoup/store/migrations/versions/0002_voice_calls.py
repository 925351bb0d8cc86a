"""voice calls: the state of each phone call served by Twilio webhooks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 22:38:07.294096
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voice_calls",
        sa.Column("call_id", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.String(length=255), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("provider_status", sa.String(length=20), nullable=True),
        sa.Column("answered_by", sa.String(length=40), nullable=True),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("pickup", sa.String(length=20), nullable=True),
        sa.Column("dialog_now", sa.DateTime(timezone=True), nullable=True),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("heard", sa.JSON(), nullable=False),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("last_twiml", sa.Text(), nullable=True),
        sa.Column("disposition", sa.JSON(), nullable=True),
        sa.Column("dial_intent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("call_id"),
        sa.UniqueConstraint("call_sid"),
    )
    with op.batch_alter_table("voice_calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voice_calls_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("voice_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_calls_case_id"))

    op.drop_table("voice_calls")
