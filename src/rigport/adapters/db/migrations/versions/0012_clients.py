"""clients: the importers a broker works for; a client on every shipment; identities scoped to clients

Issue #28. Numbered 0012: it revises 0011_reminders.

- `clients` (name unique, archived_at) with one client, "Default", created here: every shipment stored before
  this migration belongs to it, so nothing is left without a client.
- `shipments.client_id`, NOT NULL. On PostgreSQL it is a real foreign key without a default. On SQLite a
  column added by ALTER TABLE cannot carry REFERENCES with a non-NULL default while foreign keys are on
  (they are, for every connection, migrations included), and rebuilding `shipments` (batch mode) would drop
  the table its children cascade from; so there it is `INTEGER NOT NULL DEFAULT 1` (1 is the default client's
  id: the table is new, its first row is 1) and the service checks the client exists before writing.
- `api_tokens.client_ids`, `users.client_ids`: the identity's client scope as comma-separated client ids, NULL
  for broker-wide. A column, not a link table, because the token check of every API request is one
  precompiled statement (adapters/db/lookups.py) and a join there costs every request.
- `audit_log.scope`: the client scope of the identity that made the change ("broker" or "clients:1,2").
- PostgreSQL only: row-level security on client-owned tables, keyed on the session setting
  `rigport.client_ids` that the unit of work sets (SET LOCAL) for a scoped identity. FORCE, because the
  application's role owns the tables and owners bypass policies otherwise. Unset or empty means broker-wide.

Revision ID: 0012_clients
Revises: 0011_reminders
Create Date: 2026-12-07
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0012_clients"
down_revision = "0011_reminders"
branch_labels = None
depends_on = None

# The session setting's value as an array of client ids; NULL when unset or empty (broker-wide).
_SCOPE = "string_to_array(nullif(current_setting('rigport.client_ids', true), ''), ',')::int[]"
_BROKER = "nullif(current_setting('rigport.client_ids', true), '') IS NULL"
# Tables whose rows belong to one client, and the condition that says a row is visible in the scope.
_SHIPMENT_CHILD = "shipment_id IN (SELECT id FROM shipments)"  # shipments' own policy filters the sub-select
POLICIES = {
    "clients": f"{_BROKER} OR id = ANY({_SCOPE})",
    "shipments": f"{_BROKER} OR client_id = ANY({_SCOPE})",
    "shipment_quantities": f"{_BROKER} OR {_SHIPMENT_CHILD}",
    "line_items": f"{_BROKER} OR {_SHIPMENT_CHILD}",
    "parties": f"{_BROKER} OR {_SHIPMENT_CHILD}",
    "documents": f"{_BROKER} OR {_SHIPMENT_CHILD}",
    "events": f"{_BROKER} OR {_SHIPMENT_CHILD}",
    "screening_runs": f"{_BROKER} OR shipment_id IS NULL OR {_SHIPMENT_CHILD}",
}


def upgrade() -> None:
    clients = op.create_table(
        "clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.bulk_insert(clients, [{"id": 1, "name": "Default", "created_at": dt.datetime.now(dt.UTC)}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('clients', 'id'), 1)")
        op.add_column("shipments", sa.Column("client_id", sa.Integer(), nullable=True))
        op.execute("UPDATE shipments SET client_id = 1")
        op.alter_column("shipments", "client_id", nullable=False)
        op.create_foreign_key("fk_shipments_client_id", "shipments", "clients", ["client_id"], ["id"])
    else:
        op.execute("ALTER TABLE shipments ADD COLUMN client_id INTEGER NOT NULL DEFAULT 1")
    op.create_index("ix_shipments_client_id", "shipments", ["client_id"])
    for table in ("api_tokens", "users"):
        op.add_column(table, sa.Column("client_ids", sa.String(length=2000), nullable=True))
    op.add_column("audit_log", sa.Column("scope", sa.String(length=2000), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        for table, condition in POLICIES.items():
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY rigport_client_scope ON {table} USING ({condition}) WITH CHECK ({condition})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in POLICIES:
            op.execute(f"DROP POLICY IF EXISTS rigport_client_scope ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.drop_column("audit_log", "scope")
    for table in ("api_tokens", "users"):
        op.drop_column(table, "client_ids")
    op.drop_index("ix_shipments_client_id", table_name="shipments")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_shipments_client_id", "shipments", type_="foreignkey")
        op.drop_column("shipments", "client_id")
    else:
        op.execute("ALTER TABLE shipments DROP COLUMN client_id")
    op.drop_table("clients")
