"""Backup and restore mechanics: SQLite's online backup API and file swap, PostgreSQL's pg_dump and
pg_restore, and the checks that a file is a sound rigport backup before anything is replaced.

`services.db` decides when (a target that is not a directory, no server running during a restore); this
module does the I/O.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from rigport.adapters.db import engine as store_engine
from rigport.adapters.db import notices
from rigport.errors import InputError, UnavailableError
from rigport.settings import Settings


def write_backup(target: Path, settings: Settings, engine: Engine) -> None:
    """SQLite: the online backup API (consistent while in use), into a file renamed over the target.
    PostgreSQL: pg_dump custom format."""
    if engine.dialect.name == "sqlite":
        tmp = target.with_name(target.name + ".partial")
        source = sqlite3.connect(settings.sqlite_path)
        dest = sqlite3.connect(tmp)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
        tmp.replace(target)
    else:
        # --enable-row-security: the client tables FORCE row-level security (migration 0012), so an owner role's
        # pg_dump with its default row_security=off would refuse them; with it on and no client scope set, the
        # policies let every row through and the dump is whole.
        _pg(["pg_dump", "--format=custom", "--enable-row-security", "--file", str(target),
             store_engine.libpq_conninfo(engine)])  # fmt: skip


def restore_from(source: Path, settings: Settings, engine: Engine) -> dict[str, Any]:
    """Check the backup is sound, then replace the database with it (nothing is dropped before the check)."""
    if engine.dialect.name == "sqlite":
        _check_sqlite_backup(source)
        engine.dispose()
        settings.ensure_data_dir()
        tmp = settings.sqlite_path.with_name(settings.sqlite_path.name + ".restoring")
        shutil.copyfile(source, tmp)
        for suffix in ("-wal", "-shm"):
            Path(str(settings.sqlite_path) + suffix).unlink(missing_ok=True)
        tmp.replace(settings.sqlite_path)
    else:
        _check_pg_archive(source)
        # --list reads only the table of contents; reading every data block catches a truncated or damaged file
        # before anything is dropped, and one transaction means a failure half-way leaves the database as it was.
        _pg(["pg_restore", "--file", os.devnull, str(source)], what=f"{source}: damaged pg_dump archive")
        engine.dispose()
        _pg(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname",
             store_engine.libpq_conninfo(engine), str(source)])  # fmt: skip
        notices.announce_all(engine)  # pg_restore creates triggers after loading rows: they announced nothing
    return {"restored_from": str(source)}


def _check_sqlite_backup(path: Path) -> None:
    if path.read_bytes()[:16] != b"SQLite format 3\x00":
        raise InputError(f"{path}: not a SQLite database (refusing to restore)")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = conn.execute("PRAGMA integrity_check").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: corrupted SQLite file ({exc}); refusing to restore") from None
    if result != "ok":
        raise InputError(f"{path}: integrity check failed ({_first_problem(str(result))}); refusing to restore")
    if "alembic_version" not in tables or "shipments" not in tables:
        raise InputError(f"{path}: not a rigport backup (no shipments table); refusing to restore")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        revisions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: not a rigport backup (unreadable alembic_version: {exc}); refusing to restore") \
            from None
    finally:
        conn.close()
    _check_schema(path, revisions, {t for t in tables if not t.startswith("sqlite_")})


# Tables the first schema revision created: a rigport backup of any revision has them.
CORE_TABLES = frozenset({"shipments", "shipment_quantities", "events", "line_items", "parties", "documents",
                         "audit_log", "api_tokens"})  # fmt: skip


def _check_schema(path: Path, revisions: list[str], tables: set[str]) -> None:
    """A backup is rigport's when its schema revision is one this release knows and it holds rigport's tables
    and no others: a foreign database restored over ours made every command fail afterwards (issue #26)."""
    known = store_engine.known_revisions()
    if len(revisions) != 1 or revisions[0] not in known:
        found = ", ".join(revisions) or "none"
        raise InputError(f"{path}: not a rigport backup this release knows (schema revision {found}; expected one "
                         f"of rigport's, newest {store_engine.head_revision()}); refusing to restore")  # fmt: skip
    foreign = sorted(tables - store_engine.rigport_tables())
    missing = sorted(CORE_TABLES - tables)
    if foreign or missing:
        what = f"foreign tables {', '.join(foreign)}" if foreign else f"missing tables {', '.join(missing)}"
        raise InputError(f"{path}: not a rigport backup ({what}); refusing to restore")


def _check_pg_archive(path: Path) -> None:
    """The archive's tables (from its table of contents) and its alembic revision (its one data row)."""
    listing = _pg_output(["pg_restore", "--list", str(path)], what=f"{path}: not a valid pg_dump archive")
    tables = {m.group(1) for m in re.finditer(r"^\d+; \d+ \d+ TABLE (?!DATA )\S+ (\S+) ", listing, re.M)}
    if "alembic_version" not in tables:
        raise InputError(f"{path}: not a rigport backup (no alembic_version table); refusing to restore")
    data = _pg_output(["pg_restore", "--data-only", "--table", "alembic_version", "--file", "-", str(path)],
                      what=f"{path}: damaged pg_dump archive")  # fmt: skip
    rows = data.partition("FROM stdin;\n")[2].partition("\\.")[0]
    _check_schema(path, [r for r in rows.splitlines() if r.strip()], tables)


def _pg(args: list[str], what: str | None = None) -> None:
    _pg_output(args, what)


def _pg_output(args: list[str], what: str | None = None) -> str:
    if shutil.which(args[0]) is None:
        raise UnavailableError(f"{args[0]} not found: install the PostgreSQL client tools")
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        if what:
            reason = result.stderr.strip().splitlines()
            raise InputError(f"{what} ({reason[0].removeprefix('pg_restore: ')}); refusing to restore" if reason
                             else f"{what}; refusing to restore")  # fmt: skip
        raise UnavailableError(f"{args[0]} failed: {result.stderr.strip()[:300]}")
    return result.stdout


def _first_problem(report: str) -> str:
    """SQLite's integrity report on one line: its first problem and how many more, so the error stays one line
    (a damaged page can list hundreds of cells)."""
    lines = [line.strip() for line in report.splitlines() if line.strip() and not line.startswith("***")]
    if not lines:
        return report.strip()
    more = f"; {len(lines) - 1:,} more problems" if len(lines) > 1 else ""
    return f"{lines[0]}{more}"
