"""session generation: a dashboard session is valid only while its user's or token's generation is unchanged

Logout, a password or role change (`rigport users set`), disabling a user and revoking a token move the
generation on, so every cookie issued before stops working at once (issue #26).

Revision ID: 0009_session_generation
Revises: 0008_screening_relation
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_session_generation"
down_revision = "0008_screening_relation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("users", "api_tokens"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table in ("users", "api_tokens"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("session_generation")
