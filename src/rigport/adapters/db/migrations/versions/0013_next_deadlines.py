"""shipment_next_deadlines: each shipment's soonest open clock, for filtering and sorting the list in SQL

Issue #30 (find, sort, export). Numbered 0013: it revises 0012_clients (issue #28), added in parallel.
The rows are derived and filled on first use by `services.shipment_search`, so the migration only creates
the table.

Revision ID: 0013_next_deadlines
Revises: 0012_clients
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_next_deadlines"
down_revision = "0012_clients"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shipment_next_deadlines",
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", sa.String(length=32), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("clock", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["shipment_id"], ["shipments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("shipment_id"),
    )
    op.create_index("ix_shipment_next_deadlines_due", "shipment_next_deadlines", ["due"])


def downgrade() -> None:
    op.drop_index("ix_shipment_next_deadlines_due", table_name="shipment_next_deadlines")
    op.drop_table("shipment_next_deadlines")
