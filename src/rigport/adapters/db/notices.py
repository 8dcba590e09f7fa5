"""Change notices, so an API worker can keep what it read until the database it came from changes.

Every API request checks its token. On PostgreSQL that read is a round trip to another process, and under
load it cost each request more worker CPU than the matching of a screening (docs/reliability.md, section 7;
figures in section 8).
Tokens change rarely, so each worker keeps the ones it has read, and PostgreSQL says when to drop them: a
statement-level trigger (migration 0006) sends NOTIFY on the table's channel after every change, whatever
made it, and `db restore` sends it too, since pg_restore loads rows before it creates triggers.

A worker listens on one connection per channel and never waits for it: before each use of what it keeps, it
takes in whatever notices have already arrived on the socket (a non-blocking read, no round trip). A change
made elsewhere therefore counts for the first request after PostgreSQL has delivered its notice, well under
a millisecond on one machine. While the listening connection is lost nothing is kept, and nothing is kept
longer than `max_age` seconds, as a last guard should a notice never come (a trigger dropped by hand).

SQLite has no notices, but each connection can ask whether anyone else has committed since it last asked
(`PRAGMA data_version`), far cheaper than the in-process token read it saves, which was a noticeable share
of a screening request (measured: docs/reliability.md 8). That counts a change to any table, so every write
drops what is kept: safe, if less thrifty.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Engine, text

from rigport.adapters.db.engine import PerLoop, libpq_conninfo

API_TOKENS = "rigport_api_tokens"
CHANNELS = (API_TOKENS,)

K = TypeVar("K")
V = TypeVar("V")


class Watch(Protocol):
    async def current(self) -> int | None:
        """A count that moves with every change seen; None when changes cannot be seen now (keep nothing)."""


class ChangeWatch:
    """Counts the changes seen on one channel: a value read at one count is current while the count holds.

    The count also moves when listening starts or is lost, so nothing read before, or while deaf, is kept.
    """

    RETRY_SECONDS = 5.0  # after a failed attempt to listen, requests read the database until then

    def __init__(self, conninfo: str, channel: str) -> None:
        self.conninfo = conninfo
        self.channel = channel
        self.connection: Any = None  # psycopg.AsyncConnection, listening
        self.count = 0
        self.connecting = False
        self.retry_at = 0.0

    async def current(self) -> int | None:
        """The count with every notice received so far taken in; None while not listening."""
        if self.connection is None:
            if self.connecting or time.monotonic() < self.retry_at:
                return None
            await self._listen()
        return self.poll()

    def poll(self) -> int | None:
        """Take in the notices already on the socket; never waits (libpq reads a non-blocking socket)."""
        import psycopg

        if self.connection is None:
            return None
        pgconn = self.connection.pgconn
        try:
            pgconn.consume_input()
            while pgconn.notifies() is not None:
                self.count += 1
            pgconn.consume_input()  # a server shutting down sends a FATAL message, then closes: see the close
        except psycopg.OperationalError:  # the server closed it (a restart, pg_terminate_backend)
            self._deaf()
            return None
        return self.count

    async def _listen(self) -> None:
        import psycopg

        self.connecting = True
        connection = None
        try:
            connection = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
            await connection.execute(f"LISTEN {self.channel}")
        except psycopg.Error:
            if connection is not None:  # connected, but LISTEN failed: not left open
                connection.pgconn.finish()
            self.retry_at = time.monotonic() + self.RETRY_SECONDS
            return
        finally:
            self.connecting = False
        self.connection = connection
        self.count += 1

    def _deaf(self) -> None:
        connection, self.connection = self.connection, None
        self.count += 1
        self.retry_at = time.monotonic() + self.RETRY_SECONDS
        if connection is not None:
            connection.pgconn.finish()  # the socket only: the loop may be closing, and there is nothing to say


class DataVersionWatch:
    """Counts the commits made to a SQLite database by any other connection, in this process or another.

    Its own connection only ever asks `PRAGMA data_version`, so every commit is someone else's. It runs in
    autocommit and reads the pragma to its end, so it holds no read snapshot between checks: one would hide
    later commits and keep the write-ahead log from being checkpointed.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = None
        self.version: int | None = None
        self.count = 0

    async def current(self) -> int | None:
        try:
            if self.connection is None:
                # mode=rw: never create a missing database; timeout 0: never wait on the event loop (under
                # WAL a reader is not blocked anyway; a rollback-journal writer would be, and then we read)
                uri = f"{Path(self.path).absolute().as_uri()}?mode=rw"  # (as_uri escapes '?', '#' and '%')
                self.connection = sqlite3.connect(
                    uri, uri=True, timeout=0, isolation_level=None, check_same_thread=False
                )
            version = int(self.connection.execute("PRAGMA data_version").fetchall()[0][0])
        except sqlite3.Error:
            self._close()
            return None
        if version != self.version:
            self.version = version
            self.count += 1
        return self.count

    def _close(self) -> None:
        connection, self.connection, self.version = self.connection, None, None
        self.count += 1
        if connection is not None:
            connection.close()


class NoticedCache(Generic[K, V]):
    """Values read from the database, kept while their channel's watch sees no change (and `max_age` at most).

    A value is tagged with the count taken *before* it was read: a change committed while the read was on its
    way sends a notice that moves the count past the tag, so a stale read is never served twice. Nothing found
    (None) is not kept, so presenting made-up keys cannot fill the cache.
    """

    MAX_ENTRIES = 10_000

    def __init__(self, watch: Watch, max_age: float) -> None:
        self.watch = watch
        self.max_age = max_age
        self.entries: dict[K, tuple[int, float, V]] = {}
        self.reading: dict[tuple[K, int], asyncio.Future[V | None]] = {}

    async def get(self, key: K, read: Callable[[], Awaitable[V | None]]) -> V | None:
        count = await self.watch.current()
        if count is None:
            return await read()
        now = time.monotonic()
        kept = self.entries.get(key)
        if kept is not None and kept[0] == count and now - kept[1] < self.max_age:
            return kept[2]
        return await asyncio.shield(self._read_once(key, count, now, read))

    def _read_once(
        self, key: K, count: int, now: float, read: Callable[[], Awaitable[V | None]]
    ) -> asyncio.Future[V | None]:
        """One read per key and count, shared by the requests that need it meanwhile. When a kept token grew
        too old, every request in flight on the worker read it at once and queued for the worker's four
        lookup connections, a stall every time a token aged out (measured: docs/reliability.md 8). A request
        that arrives during the read saw no notice since it began (same count), so the value read is as
        current as it can know."""
        pending = self.reading.get((key, count))
        if pending is None:
            pending = self.reading[(key, count)] = asyncio.ensure_future(read())
            pending.add_done_callback(lambda done: self._keep(key, count, now, done))
        return pending

    def _keep(self, key: K, count: int, now: float, done: asyncio.Future[V | None]) -> None:
        del self.reading[(key, count)]
        if done.cancelled() or done.exception() is not None:  # (retrieved: no "never retrieved" warning)
            return
        value = done.result()
        if value is None:
            return
        if len(self.entries) >= self.MAX_ENTRIES:
            self.entries.clear()
        self.entries[key] = (count, now, value)


class _NeverKept:
    """The watch of an in-memory SQLite database, which no other connection shares: nothing is kept."""

    async def current(self) -> int | None:
        return None


def _sqlite_watch(path: str) -> Watch:
    in_memory = not path or path == ":memory:" or path.startswith("file::memory:")
    return _NeverKept() if in_memory else DataVersionWatch(path)


def _make_watch(engine: Engine, channel: str) -> Watch:
    if engine.dialect.name == "sqlite":  # no channels: any commit to the database counts
        return _sqlite_watch(engine.url.database or "")
    return ChangeWatch(libpq_conninfo(engine), channel)


_watches: PerLoop[Watch] = PerLoop(_make_watch)


def watch(engine: Engine, channel: str) -> Watch:
    """This event loop's watch on a channel of the engine's database (on SQLite: on the whole database)."""
    return _watches.get(engine, channel)


def announce_all(engine: Engine) -> None:
    """Tell every listening worker that everything may have changed (after `db restore` replaced the data)."""
    with engine.connect() as connection:
        for channel in CHANNELS:
            connection.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})
        connection.commit()
