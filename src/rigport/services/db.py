"""Database administration: schema upgrade, readiness and health, backup and restore.

The entry points reach the database only through here and the other services (an import-linter contract).
"""

from __future__ import annotations

from pathlib import Path

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters import evidence_files
from rigport.adapters.db import backup as backup_files
from rigport.adapters.db import engine as store_engine
from rigport.adapters.db import lookups, serving
from rigport.errors import ConflictError, InputError
from rigport.settings import Settings, get_settings


class Upgraded(TypedDict):
    """`rigport db upgrade --json`."""

    database: str  # the URL, password hidden
    revision: str | None  # the newest migration now applied


class BackupWritten(TypedDict):
    """`rigport db backup --json`."""

    backup: str  # the file written
    bytes: int
    documents: int  # evidence files copied to `<backup>.documents/`


class Restored(TypedDict):
    """`rigport db restore --json`."""

    restored_from: str
    documents: int  # evidence files brought back


def upgrade(settings: Settings | None = None) -> Upgraded:
    settings = settings or get_settings()
    engine = store_engine.get_engine(settings)
    revision = store_engine.upgrade(engine)
    return {"database": engine.url.render_as_string(hide_password=True), "revision": revision}


def ensure_ready(settings: Settings) -> None:
    """Create or upgrade the schema before a server answers its first request."""
    store_engine.ensure_schema(store_engine.get_engine(settings))


def hold_while_serving(settings: Settings) -> None:
    """Mark every database connection of this server process, so `db restore` refuses while it serves."""
    serving.hold_while_serving(settings)


async def ping_async(settings: Settings) -> str:
    """The database's dialect name once a round trip on the event loop succeeds; raises the driver's error."""
    await lookups.ping_async(settings)
    return store_engine.get_engine(settings).dialect.name


def backup(target: Path, settings: Settings | None = None) -> BackupWritten:
    """SQLite: the online backup API (consistent while in use). PostgreSQL: pg_dump custom format. The
    evidence files go to `<target>.documents/` beside it (`documents`: how many)."""
    settings = settings or get_settings()
    engine = store_engine.get_engine(settings)
    store_engine.ensure_schema(engine)
    target = target.expanduser()
    if target.is_dir():
        raise InputError(f"{target}: expected a file path, got a directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_files.write_backup(target, settings, engine)
    # Evidence files live beside the database (services/evidence.py): copied to `<target>.documents/`, so a
    # restore brings them back with the rows that name them.
    documents = evidence_files.copy_tree(evidence_files.root(settings.data_dir), evidence_files.companion(target))
    return {"backup": str(target), "bytes": target.stat().st_size, "documents": documents}


def restore(source: Path, settings: Settings | None = None) -> Restored:
    """Replace the database with a backup, after checking the backup is sound."""
    settings = settings or get_settings()
    if not source.is_file():
        raise InputError(f"{source}: backup file not found")
    engine = store_engine.get_engine(settings)
    with serving.no_server(settings, engine) as busy:
        if busy:
            raise ConflictError(f"{busy}: stop the server, then restore; refusing to restore under it, since its "
                                "workers would keep the old database open and lose writes")  # fmt: skip
        folder = evidence_files.companion(source)
        evidence_files.verify_tree(folder)  # a damaged copy of a file stops the restore before anything changes
        restored = backup_files.restore_from(source, settings, engine)
    documents = evidence_files.copy_tree(folder, evidence_files.root(settings.data_dir))
    return {"restored_from": str(restored["restored_from"]), "documents": documents}
