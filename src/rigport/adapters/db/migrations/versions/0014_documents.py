"""documents: the uploaded file behind an evidence document (name, media type, size, SHA-256, who and when)

Issue #30. The `documents` table already held each piece of evidence by shipment and kind (the checklist and
the hold-risk factors read it); an uploaded file is the same document with its file described here, so there
is one source of truth. The bytes live under the data directory, content-addressed by SHA-256
(`adapters/evidence_files.py`); the row holds no path. Columns are nullable: a document recorded without a
file (a lab named by hand) stays valid.

Numbered 0014: it revises 0013_next_deadlines, after 0012_clients (issue #28), both added in parallel and
re-chained when main was merged.

Revision ID: 0014_documents
Revises: 0013_next_deadlines
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_documents"
down_revision = "0013_next_deadlines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("filename", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("media_type", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("size_bytes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("uploaded_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_documents_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_sha256"))
        for column in ("uploaded_at", "uploaded_by", "sha256", "size_bytes", "media_type", "filename"):
            batch_op.drop_column(column)
