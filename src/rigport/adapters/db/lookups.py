"""One-statement reads on a pooled connection, without an ORM session, for checks made on every request.

The token check and the keys of cached views (`api/cache.py`) run before each API read. Through a unit of
work each cost several times a Core statement on a pooled connection, mostly session set-up and tear-down.
The hottest three (token, shipment version, shipments fingerprint) go one step further: compiled once per
dialect and run on the pooled DBAPI connection, with SQLAlchemy's own bind and result processors, they cost
a fraction of the Core call, most of which was the Core execution context (measured: docs/reliability.md
8). Writes and whole views still go through the unit of work and its repositories.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Dialect, Engine, Select, bindparam, func, literal_column, select
from sqlalchemy.exc import DBAPIError

from rigport.adapters.db import notices
from rigport.adapters.db.engine import (
    PerLoop,
    as_unavailable,
    ensure_schema,
    get_engine,
    get_lookup_engine,
    libpq_conninfo,
)
from rigport.adapters.db.notices import NoticedCache
from rigport.adapters.db.screening_tables import ScreeningDecisionRow
from rigport.adapters.db.tables import ShipmentRow, TokenRow
from rigport.settings import Settings

# Built once with bound parameters: building a statement per call costs more than running it.
_TOKEN = select(TokenRow.id, TokenRow.token_hash, TokenRow.role, TokenRow.label, TokenRow.expires_at,
                TokenRow.revoked_at, TokenRow.client_ids,
                ).where(TokenRow.token_hash == bindparam("token_hash"))  # fmt: skip
_PING: Select[tuple[Any]] = select(literal_column("1"))
_VERSION = select(ShipmentRow.version, ShipmentRow.client_id).where(ShipmentRow.reference == bindparam("reference"))
_DECISIONS = select(
    ScreeningDecisionRow.name_key, ScreeningDecisionRow.name, ScreeningDecisionRow.list_id,
    ScreeningDecisionRow.entry_id, ScreeningDecisionRow.entry_name, ScreeningDecisionRow.entry_fingerprint,
    ScreeningDecisionRow.verdict, ScreeningDecisionRow.reason, ScreeningDecisionRow.reviewer,
    ScreeningDecisionRow.decided_at,
).where(ScreeningDecisionRow.name_key == bindparam("name_key"))  # fmt: skip
_FINGERPRINT = select(
    func.count(), func.coalesce(func.sum(ShipmentRow.version), 0), func.coalesce(func.max(ShipmentRow.id), 0)
)


@dataclass(frozen=True)
class _Plain:
    """A statement compiled for one dialect, with the processors SQLAlchemy would apply to its values."""

    sql: str
    names: tuple[str, ...] | None  # bound parameter order for positional DBAPIs (sqlite3's `?`), else None
    defaults: dict[str, Any]  # values bound in the statement itself (the 0 of coalesce(..., 0))
    binds: dict[str, Callable[[Any], Any]]
    results: tuple[Callable[[Any], Any] | None, ...]

    def parameters(self, params: dict[str, Any]) -> Any:
        values = {k: (self.binds[k](v) if k in self.binds else v) for k, v in {**self.defaults, **params}.items()}
        return values if self.names is None else tuple(values[name] for name in self.names)

    def decode(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(v if f is None or v is None else f(v) for f, v in zip(self.results, row, strict=True))


_plain_cache: dict[tuple[int, str], _Plain] = {}


def _plain(statement: Select[*tuple[Any, ...]], dialect: Dialect) -> _Plain:
    key = (id(statement), dialect.name)
    plain = _plain_cache.get(key)
    if plain is None:
        compiled = statement.compile(dialect=dialect)
        binds = {name: bind.type.dialect_impl(dialect).bind_processor(dialect) for name, bind in compiled.binds.items()}
        results = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in statement.selected_columns
        )
        names = tuple(compiled.positiontup or ()) if dialect.positional else None
        plain = _plain_cache[key] = _Plain(
            compiled.string, names, dict(compiled.params), {k: f for k, f in binds.items() if f}, results
        )
    return plain


def _lookup_engine(settings: Settings) -> Engine:
    """The lookup engine, once the schema is known current; an outage becomes UnavailableError."""
    engine = get_lookup_engine(settings)
    try:
        ensure_schema(get_engine(settings))
    except Exception as exc:
        raise as_unavailable(exc, engine) or exc from None
    return engine


def _driver_failure(
    exc: Exception, engine: Engine, sql: str | None = None, params: dict[str, Any] | None = None, lost: bool = False
) -> Exception:
    """What to raise for the driver's own error (raw connections bypass SQLAlchemy's wrapping): an outage
    becomes UnavailableError as everywhere else, anything else SQLAlchemy's DBAPIError."""
    wrapped = DBAPIError.instance(sql, params, exc, engine.dialect.loaded_dbapi.Error, connection_invalidated=lost)
    return as_unavailable(wrapped, engine) or wrapped


def read_values(
    settings: Settings, statement: Select[*tuple[Any, ...]], params: dict[str, Any] | None = None
) -> list[Any]:
    """The rows of one column-only SELECT as tuples, run on the pooled DBAPI connection (see the module doc).

    The lookup engine does not ping connections before use, so a connection the server dropped (a restart)
    fails on first use: it is invalidated and the read retried once before the failure counts as an outage.
    """
    return _read_values(_lookup_engine(settings), statement, params)


def _read_values(engine: Engine, statement: Select[*tuple[Any, ...]], params: dict[str, Any] | None) -> list[Any]:
    plain = _plain(statement, engine.dialect)
    dbapi_error = engine.dialect.loaded_dbapi.Error
    for attempt in (1, 2):
        try:
            connection = engine.raw_connection()
        except dbapi_error as exc:  # the pool hands on the driver's own error when it cannot connect
            raise _driver_failure(exc, engine) from None
        except Exception as exc:
            raise as_unavailable(exc, engine) or exc from None
        try:
            cursor = connection.cursor()
            cursor.execute(plain.sql, plain.parameters(params or {}))
            rows = cursor.fetchall()
            cursor.close()
        except dbapi_error as exc:
            lost = engine.dialect.is_disconnect(exc, connection.dbapi_connection, None)
            if lost:
                connection.invalidate()
                if attempt == 1:
                    continue
            raise _driver_failure(exc, engine, plain.sql, params, lost) from None
        finally:
            connection.close()
        return [plain.decode(row) for row in rows]
    raise AssertionError("unreachable")


async def read_values_async(
    settings: Settings, statement: Select[*tuple[Any, ...]], params: dict[str, Any] | None = None
) -> list[Any]:
    """`read_values` for the event loop: the API's per-request checks, without a thread hand-off.

    On SQLite the read runs inline (short, and it never waits for writers under WAL). On PostgreSQL it runs
    on an asyncio psycopg connection, so a database that stalls stalls this request only, not the loop; it
    used to go to a thread, and the two hand-offs per request were a fifth of a cached read (measured:
    docs/reliability.md 8).
    """
    engine = _lookup_engine(settings)
    if engine.dialect.name == "sqlite":
        return _read_values(engine, statement, params)
    plain = _plain(statement, engine.dialect)
    try:
        rows = await _async_connections.get(engine).fetch(plain.sql, plain.parameters(params or {}))
    except engine.dialect.loaded_dbapi.Error as exc:
        raise _driver_failure(exc, engine, plain.sql, params) from None
    return [plain.decode(row) for row in rows]


class _AsyncConnections:
    """At most MAX_OPEN autocommit psycopg connections of one event loop, reused last-in first-out.

    Not a general pool: per-request reads of one statement each, so a connection is either idle here or
    running one statement, and a request waits for one rather than opening another. Opening one starts a
    server process; when bursts of 16 requests opened connections that a cap on idle ones then closed,
    connecting and closing took ~7% of a worker's CPU and the server's start-up more. One that fails or
    is cancelled mid-statement is closed, never reused; a reused one the server dropped (a restart) is
    replaced once before the failure counts as an outage.
    """

    MAX_OPEN = 4

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.idle: list[Any] = []
        self.slots = asyncio.Semaphore(self.MAX_OPEN)

    async def fetch(self, sql: str, params: Any) -> list[Any]:
        import psycopg

        async with self.slots:
            while True:
                reused = bool(self.idle)
                connection = self.idle.pop() if reused else await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True
                )  # fmt: skip
                try:
                    cursor = await connection.execute(sql, params)
                    rows = await cursor.fetchall()
                except psycopg.OperationalError:
                    await connection.close()
                    if reused:
                        continue
                    raise
                except BaseException:
                    await connection.close()
                    raise
                self.idle.append(connection)
                return rows


# Per event loop and engine (engines are made once per URL, store/engine.py).
_async_connections: PerLoop[_AsyncConnections] = PerLoop(lambda engine: _AsyncConnections(libpq_conninfo(engine)))


@dataclass(frozen=True)
class StoredToken:
    id: int
    token_hash: str
    role: str
    label: str
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    client_ids: str | None = None  # the token's client scope as stored (NULL: broker-wide)


def token_by_hash(settings: Settings, token_hash: str) -> StoredToken | None:
    """For the dashboard's sign-in (in a worker thread); the API awaits `token_by_hash_async`."""
    return _token(read_values(settings, _TOKEN, {"token_hash": token_hash}))


async def token_by_hash_async(settings: Settings, token_hash: str) -> StoredToken | None:
    """The token check of every API request. A worker keeps the tokens it has read until the table changes
    (PostgreSQL) or the database does (SQLite), as adapters/db/notices.py tells: on PostgreSQL the round trip
    cost every request more worker CPU than the matching of a screening (measured: docs/reliability.md 8)."""

    async def read() -> StoredToken | None:
        return _token(await read_values_async(settings, _TOKEN, {"token_hash": token_hash}))

    return await _token_caches.get(_lookup_engine(settings)).get(token_hash, read)


TOKEN_MAX_AGE_SECONDS = 10.0  # the last guard should a change notice never come (see store/notices.py)
_token_caches: PerLoop[NoticedCache[str, StoredToken]] = PerLoop(
    lambda engine: NoticedCache(notices.watch(engine, notices.API_TOKENS), TOKEN_MAX_AGE_SECONDS)
)


def _token(rows: list[Any]) -> StoredToken | None:
    return StoredToken(*rows[0]) if rows else None


async def ping_async(settings: Settings) -> None:
    """One round trip to the database for the health check; raises as every lookup does when it is down."""
    await read_values_async(settings, _PING)


async def shipment_version(settings: Settings, reference: str) -> tuple[int, int] | None:
    """The shipment's version and client: one indexed read, to tell whether a cached view is still current
    (and whether the caller's client scope may see it at all: this read is outside the unit of work)."""
    rows = await read_values_async(settings, _VERSION, {"reference": reference})
    return (int(rows[0][0]), int(rows[0][1])) if rows else None


async def shipments_fingerprint(settings: Settings) -> tuple[int, int, int]:
    """(count, sum of versions, highest id): moves whenever a shipment is added or any shipment changes.

    Versions only grow and every change to a shipment or its children bumps its version, so no two
    states of the table reached by changes share a fingerprint.
    """
    ((count, versions, last_id),) = await read_values_async(settings, _FINGERPRINT)
    return int(count), int(versions), int(last_id)


class StoredDecision(NamedTuple):
    """A reviewer decision as `_DECISIONS` reads it (the attributes of `ScreeningDecisionRow` it needs)."""

    name_key: str
    name: str
    list_id: str
    entry_id: str
    entry_name: str
    entry_fingerprint: str
    verdict: str
    reason: str
    reviewer: str
    decided_at: dt.datetime | None


def decisions_for_name(settings: Settings, name_key: str) -> list[StoredDecision]:
    """Reviewer decisions on one normalized name (the screening of one name needs no others)."""
    return [StoredDecision(*row) for row in read_values(settings, _DECISIONS, {"name_key": name_key})]


async def decisions_for_name_async(settings: Settings, name_key: str) -> list[StoredDecision]:
    """`decisions_for_name` for the event loop, as the token check: `POST /screen` asks it for names with hits.

    In a thread it cost more than the wait: with the loop busy, each GIL hand-off back and forth could take
    the 5 ms switch interval, and those few requests made the p99 of a screening load (docs/reliability.md).
    """
    rows = await read_values_async(settings, _DECISIONS, {"name_key": name_key})
    return [StoredDecision(*row) for row in rows]
