"""screening results: each stored hit keeps its relation to the name screened and its sub-list

Revision ID: 0008_screening_relation
Revises: 0007_event_voids
Create Date: 2026-12-07

A stored shipment screening must keep the listed party apart from its possible affiliates (issue #23), and
say which list inside the Consolidated Screening List the entry is on. Rows stored before are same-party
hits (no other relation existed) with an unknown sub-list.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_screening_relation"
down_revision = "0007_event_voids"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("screening_results") as batch:
        batch.add_column(sa.Column("relation", sa.String(24), nullable=False, server_default="same"))
        batch.add_column(sa.Column("source_list", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("screening_results") as batch:
        batch.drop_column("source_list")
        batch.drop_column("relation")
