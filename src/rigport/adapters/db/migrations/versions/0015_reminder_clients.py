"""reminder_clients: a reminder recipient may belong to one client, and its outbox rows carry that client

Issue #28 (per-client reminders). A broker-wide recipient (client_id NULL) hears about every client's
shipments, as before; a client's recipient hears only about that client's shipments, and its digest spans only
them. A scoped identity sees and changes the recipients and reminders of its own clients, nothing else.

- `reminder_recipients.client_id`: NULL (broker-wide, every existing recipient) or a client. A foreign key on
  PostgreSQL; on SQLite a plain column, as `shipments.client_id` in 0012_clients (SQLite cannot drop a column
  that carries REFERENCES, and rebuilding the table would cascade-delete its outbox), and the service checks
  the client exists before writing.
- `reminder_outbox.client_id`: the recipient's client, copied when the reminder is decided, so the scope
  filters the outbox (and its attempts) without a join to the recipients.
- PostgreSQL only: row-level security on the three tables, keyed on `rigport.client_ids` as in 0012_clients.
  A broker-wide recipient and its reminders are invisible to a scoped session.

Revision ID: 0015_reminder_clients
Revises: 0014_documents
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_reminder_clients"
down_revision = "0014_documents"
branch_labels = None
depends_on = None

_SCOPE = "string_to_array(nullif(current_setting('rigport.client_ids', true), ''), ',')::int[]"
_BROKER = "nullif(current_setting('rigport.client_ids', true), '') IS NULL"
POLICIES = {
    "reminder_recipients": f"{_BROKER} OR client_id = ANY({_SCOPE})",
    "reminder_outbox": f"{_BROKER} OR client_id = ANY({_SCOPE})",
    # the outbox's own policy filters the sub-select
    "reminder_attempts": f"{_BROKER} OR outbox_id IN (SELECT id FROM reminder_outbox)",
}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.add_column("reminder_recipients", sa.Column("client_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_reminder_recipients_client_id", "reminder_recipients", "clients", ["client_id"],
                              ["id"])  # fmt: skip
    else:
        op.execute("ALTER TABLE reminder_recipients ADD COLUMN client_id INTEGER")
    op.create_index("ix_reminder_recipients_client_id", "reminder_recipients", ["client_id"])
    op.add_column("reminder_outbox", sa.Column("client_id", sa.Integer(), nullable=True))
    op.create_index("ix_reminder_outbox_client_id", "reminder_outbox", ["client_id"])
    if postgres:
        for table, condition in POLICIES.items():
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY rigport_client_scope ON {table} USING ({condition}) WITH CHECK ({condition})")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        for table in POLICIES:
            op.execute(f"DROP POLICY IF EXISTS rigport_client_scope ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.drop_index("ix_reminder_outbox_client_id", table_name="reminder_outbox")
    op.drop_column("reminder_outbox", "client_id")
    op.drop_index("ix_reminder_recipients_client_id", table_name="reminder_recipients")
    if postgres:
        op.drop_constraint("fk_reminder_recipients_client_id", "reminder_recipients", type_="foreignkey")
        op.drop_column("reminder_recipients", "client_id")
    else:
        op.execute("ALTER TABLE reminder_recipients DROP COLUMN client_id")
