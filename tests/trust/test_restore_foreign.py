"""Restore refuses a foreign file: a schema revision this release does not know, or tables that are not
rigport's (issue #26, item 9). The database is left as it was, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from rigport.adapters.db.engine import get_engine, head_revision, libpq_conninfo
from rigport.settings import Settings
from tests.helpers.records import make
from tests.pg import skip_or_fail
from tests.trust.support import cli, snapshot

FOREIGN_TABLES = [
    ("unknown revision, two tables", "9999", ["CREATE TABLE shipments (id INTEGER PRIMARY KEY, reference TEXT)",
                                              "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"]),
    ("a known revision, but someone else's tables", "HEAD", ["CREATE TABLE shipments (id INTEGER PRIMARY KEY)",
                                                               "CREATE TABLE wallets (id INTEGER PRIMARY KEY)"]),
]  # fmt: skip


def foreign_sqlite(path: Path, revision: str, statements: list[str]) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
        for statement in statements:
            conn.execute(statement)
    conn.close()
    return path


def foreign_pg_archive(settings: Settings, path: Path, revision: str, statements: list[str]) -> Path:
    """A pg_dump archive of another database in the same cluster holding the foreign tables."""
    import psycopg

    url = settings.effective_database_url
    base, _, name = url.rpartition("/")
    other = f"{name}_foreign"
    with psycopg.connect(f"{base.replace('+psycopg', '')}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{other}"')
    engine = create_engine(f"{base}/{other}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})
        for statement in statements:
            conn.execute(text(statement.replace("INTEGER PRIMARY KEY", "SERIAL PRIMARY KEY")))
    subprocess.run(["pg_dump", "--format=custom", "--file", str(path), libpq_conninfo(engine)], check=True)
    engine.dispose()
    return path


@pytest.mark.parametrize(("label", "revision", "statements"), FOREIGN_TABLES, ids=["revision-9999", "wallets"])
def test_restore_refuses_a_foreign_database(db_settings: Settings, tmp_path: Path, label: str, revision: str,
                                            statements: list[str]) -> None:  # fmt: skip
    if db_settings.database_url and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        skip_or_fail("pg_dump/pg_restore not installed")
    revision = head_revision() or "" if revision == "HEAD" else revision
    make(db_settings, "MINE")
    before = snapshot(db_settings)
    if db_settings.database_url:
        source = foreign_pg_archive(db_settings, tmp_path / "foreign.backup", revision, statements)
    else:
        source = foreign_sqlite(tmp_path / "foreign.db", revision, statements)
    result = cli(db_settings, "db", "restore", str(source))
    assert result.returncode == 2, (label, result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and source.name in result.stderr
    assert "not a rigport backup" in result.stderr, result.stderr
    assert snapshot(db_settings) == before
    listed = cli(db_settings, "shipments", "list", "--json")
    assert listed.returncode == 0 and "MINE" in listed.stdout, listed.stderr
    get_engine(db_settings).dispose()
