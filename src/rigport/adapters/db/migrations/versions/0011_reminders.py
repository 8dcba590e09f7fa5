"""reminders: recipients and rules, the outbox (unique per reminder), delivery attempts, calendar feed secrets

Issue #29. Numbered 0011: it revises 0010_login_attempts (issue #26), added in parallel and re-chained
when the branches were merged.

Revision ID: 0011_reminders
Revises: 0010_login_attempts
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_reminders"
down_revision = "0010_login_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("before_days", sa.String(length=64), nullable=False),
        sa.Column("on_day", sa.Boolean(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "reminder_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("shipment", sa.String(length=64), nullable=False),
        sa.Column("clock", sa.String(length=64), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("threshold", sa.String(length=16), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["recipient_id"], ["reminder_recipients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
        sa.UniqueConstraint("shipment", "clock", "due", "threshold", "recipient_id", name="uq_reminder_outbox_key"),
    )
    op.create_index("ix_reminder_outbox_recipient_id", "reminder_outbox", ["recipient_id"])
    op.create_index("ix_reminder_outbox_status", "reminder_outbox", ["status"])
    op.create_index("ix_reminder_outbox_next_attempt_at", "reminder_outbox", ["next_attempt_at"])
    op.create_table(
        "reminder_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["outbox_id"], ["reminder_outbox.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reminder_attempts_outbox_id", "reminder_attempts", ["outbox_id"])
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
        sa.UniqueConstraint("secret_hash"),
    )


def downgrade() -> None:
    op.drop_table("calendar_feeds")
    op.drop_index("ix_reminder_attempts_outbox_id", table_name="reminder_attempts")
    op.drop_table("reminder_attempts")
    for name in ("next_attempt_at", "status", "recipient_id"):
        op.drop_index(f"ix_reminder_outbox_{name}", table_name="reminder_outbox")
    op.drop_table("reminder_outbox")
    op.drop_table("reminder_recipients")
