"""login attempts: the dashboard sign-in limit shared by every server worker and process

One row per allowed attempt and key (account or client address), kept for the limit's window; the
check-and-insert runs in one locked transaction before the password is checked (issue #26, item 5).

Revision ID: 0010_login_attempts
Revises: 0009_session_generation
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_login_attempts"
down_revision = "0009_session_generation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_attempts_key_at", "login_attempts", ["key", "attempted_at"])
    op.create_index("ix_login_attempts_attempted_at", "login_attempts", ["attempted_at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempts_attempted_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_key_at", table_name="login_attempts")
    op.drop_table("login_attempts")
