"""pallet storage: facilities that bill per pallet per day

Revision ID: 0005_pallet_storage
Revises: 0004_users
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_pallet_storage"
down_revision = "0004_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
        batch.add_column(sa.Column("storage_pallets", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("storage_usd_per_pallet_day", sa.Numeric(16, 2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
        batch.drop_column("storage_usd_per_pallet_day")
        batch.drop_column("storage_pallets")
