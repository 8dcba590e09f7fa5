"""change notices: PostgreSQL tells listening API workers when api_tokens changes

Revision ID: 0006_change_notices
Revises: 0005_pallet_storage
Create Date: 2026-11-26

A statement-level trigger sends NOTIFY whatever changed the table (the API, the CLI in another process, SQL
typed by hand), so a worker may keep the tokens it has read until one changes (store/notices.py). SQLite has
no notices and nothing to add: its reads are in-process and cheap enough to make on every request.
"""

from __future__ import annotations

from alembic import op

revision = "0006_change_notices"
down_revision = "0005_pallet_storage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION rigport_notify_change() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_notify(TG_ARGV[0], ''); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER api_tokens_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_tokens "
        "FOR EACH STATEMENT EXECUTE FUNCTION rigport_notify_change('rigport_api_tokens')"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER api_tokens_changed ON api_tokens")
    op.execute("DROP FUNCTION rigport_notify_change()")
