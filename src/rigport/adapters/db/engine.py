"""Engines and schema upgrades for the embedded SQLite default and PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import Callable, Hashable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from rigport.errors import UnavailableError
from rigport.settings import Settings, database_url_for


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, foreign keys on, and wait rather than fail on a busy file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def as_unavailable(exc: BaseException, engine: Engine | None = None) -> UnavailableError | None:
    """The UnavailableError for a database that is down, locked, read-only or full; None for anything else.

    One place decides this so the API (503) and the CLI (exit 1) agree, and neither shows a traceback
    for an outage the user can only wait out or fix outside rigport.
    """
    if isinstance(exc, UnavailableError):
        return exc
    lost = isinstance(exc, DBAPIError) and exc.connection_invalidated
    where = f" ({engine.url.render_as_string(hide_password=True)})" if engine is not None else ""
    if isinstance(exc, OperationalError | InterfaceError) or lost:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()  # first line: one-line CLI errors
        return UnavailableError(f"database unavailable{where}: {reason[0] if reason else type(exc).__name__}")
    if isinstance(exc, sqlite3.OperationalError):  # raw sqlite3 use (backup) outside SQLAlchemy
        return UnavailableError(f"database unavailable{where}: {exc}")
    return None


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def get_engine(settings: Settings) -> Engine:
    return _engine_at(settings.data_dir, settings.database_url)


@lru_cache(maxsize=8)
def _engine_at(data_dir: Path, database_url: str | None) -> Engine:
    """The engine for a data directory or URL, the directory created on first use.

    Every API request asks for the engine (token check, view keys): remembered here, that is one dict
    lookup instead of a stat and the URL built from settings, which were ~5% of a screening request.
    """
    if database_url is None:
        data_dir.mkdir(parents=True, exist_ok=True)
    return _engine_for(database_url_for(data_dir, database_url))


@lru_cache(maxsize=8)
def _lookup_engine_for(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None, pool_size=8, max_overflow=8)


def libpq_conninfo(engine: Engine) -> str:
    """The engine's database as libpq takes it (psycopg's own connections, pg_dump): no SQLAlchemy driver name."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


T = TypeVar("T")


class PerLoop(Generic[T]):
    """One object per event loop and key, made on first use: an asyncio connection belongs to the loop that
    made it. A closed loop's objects are dropped with it."""

    def __init__(self, make: Callable[..., T]) -> None:
        self.make = make
        self.by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, T]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, *key: Hashable) -> T:
        """This loop's object for `key`, made by `make(*key)` the first time."""
        per_key = self.by_loop.setdefault(asyncio.get_running_loop(), {})
        found = per_key.get(key)
        if found is None:
            found = per_key[key] = self.make(*key)
        return found


def get_lookup_engine(settings: Settings) -> Engine:
    """The engine for one-statement reads made on every request (`store/lookups.py`).

    On PostgreSQL the main engine spends four round trips on one such read: the pre-ping, BEGIN, the
    statement and the ROLLBACK that resets the connection on return: most of what a token check took
    (measured: docs/reliability.md 8). A single read needs no transaction, so this engine runs in autocommit with no
    reset and no pre-ping: one round trip. A connection lost to a server restart is retried once by the
    caller instead of pinged before every use. On SQLite reads already cost one call; it is the same engine.
    """
    engine = get_engine(settings)
    if engine.dialect.name == "sqlite":
        return engine
    return _lookup_engine_for(settings.effective_database_url)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("rigport.adapters.db").joinpath("migrations")))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> frozenset[str]:
    """Every schema revision this release can upgrade from (a backup at another is not rigport's, or newer)."""
    return frozenset(r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions())


def rigport_tables() -> frozenset[str]:
    """The tables this release's schema has (plus alembic's own): anything else in a backup is foreign."""
    from rigport.adapters.db import reminder_tables, screening_tables  # noqa: F401  (register their tables on Base)
    from rigport.adapters.db.tables import Base

    return frozenset(Base.metadata.tables) | {"alembic_version"}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> str | None:
    """Bring the schema to the newest migration (idempotent)."""
    config = alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise as_unavailable(exc, engine) or exc from None
    return head_revision()


_checked: set[str] = set()


def ensure_schema(engine: Engine) -> None:
    """The embedded SQLite database upgrades itself on first use; PostgreSQL needs `rigport db upgrade`."""
    key = str(engine.url)
    if key in _checked:
        return
    try:
        current = current_revision(engine)
    except OperationalError as exc:
        raise as_unavailable(exc, engine) or exc from None
    if current != head_revision():
        if engine.dialect.name == "sqlite":
            upgrade(engine)
        else:
            raise UnavailableError(
                f"database schema is at {current or 'nothing'}, expected {head_revision()}: run `rigport db upgrade`"
            )
    _checked.add(key)
