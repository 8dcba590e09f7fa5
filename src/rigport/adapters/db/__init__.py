"""Persistence: SQLAlchemy tables, repositories and the unit of work (SQLite default, PostgreSQL for teams)."""
