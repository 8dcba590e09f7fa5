"""Alembic environment: run against the connection rigport hands over (SQLite or PostgreSQL)."""

from __future__ import annotations

from alembic import context

from rigport.adapters.db.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
