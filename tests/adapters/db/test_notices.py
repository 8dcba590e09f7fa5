"""Tokens kept by an API worker (store/notices.py) are dropped the moment the table (PostgreSQL) or the
database (SQLite) changes.

On PostgreSQL each test changes a token once behind the trigger's back (trigger disabled), which proves the
worker serves what it kept without reading, and once in a way the worker must hear about; the second change
must show. SQLite has no way to commit unseen, so there the reads themselves are counted.
"""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from rigport.adapters.db import lookups, notices
from rigport.adapters.db.engine import get_engine, libpq_conninfo
from rigport.errors import UnavailableError
from rigport.services import db
from rigport.services.auth import create_token, hash_token, revoke_token
from rigport.settings import Settings
from tests.helpers import fresh_database
from tests.pg import stoppable_cluster


@pytest.fixture
def pg_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return fresh_database(request, "postgresql", tmp_path)


def update_unannounced(settings: Settings, statement: str, params: dict[str, object]) -> None:
    """Change api_tokens with the notice trigger off: a worker that keeps tokens cannot know."""
    with get_engine(settings).begin() as conn:
        conn.execute(text("ALTER TABLE api_tokens DISABLE TRIGGER api_tokens_changed"))
        conn.execute(text(statement), params)
        conn.execute(text("ALTER TABLE api_tokens ENABLE TRIGGER api_tokens_changed"))


def relabel_unannounced(settings: Settings, token_id: int, label: str) -> None:
    update_unannounced(settings, "UPDATE api_tokens SET label = :label WHERE id = :id",
                       {"label": label, "id": token_id})  # fmt: skip


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 2.0) -> float:
    """Seconds until `check` holds (a notice travels between processes); fails after `seconds`."""
    start = time.monotonic()
    while not await check():
        assert time.monotonic() - start < seconds, "the change never showed"
        await asyncio.sleep(0.001)
    return time.monotonic() - start


def test_a_kept_token_is_dropped_when_the_table_changes(pg_settings: Settings) -> None:
    token, record = create_token("operator", label="first", settings=pg_settings)
    key = hash_token(token)

    async def scenario() -> float:
        first = await lookups.token_by_hash_async(pg_settings, key)
        assert first is not None and first.label == "first" and first.revoked_at is None
        relabel_unannounced(pg_settings, record["id"], "second")
        kept = await lookups.token_by_hash_async(pg_settings, key)
        assert kept is not None and kept.label == "first"  # served from what the worker kept, not read
        revoke_token(record["id"], pg_settings)  # through the service, in its own connection: the trigger fires

        async def revoked() -> bool:
            seen = await lookups.token_by_hash_async(pg_settings, key)
            return seen is not None and seen.revoked_at is not None and seen.label == "second"

        return await until(revoked)

    assert asyncio.run(scenario()) < 1.0


def test_a_restore_is_announced(pg_settings: Settings, tmp_path: Path) -> None:
    """pg_restore creates triggers after loading the rows, so only `db restore`'s own notice reaches workers."""
    token, record = create_token("operator", label="restored", settings=pg_settings)
    key = hash_token(token)
    unrevoked, revoked = tmp_path / "unrevoked.dump", tmp_path / "revoked.dump"
    db.backup(unrevoked, pg_settings)
    revoke_token(record["id"], pg_settings)
    db.backup(revoked, pg_settings)
    db.restore(unrevoked, pg_settings)

    async def scenario() -> float:
        seen = await lookups.token_by_hash_async(pg_settings, key)
        assert seen is not None and seen.revoked_at is None
        db.restore(revoked, pg_settings)

        async def refused() -> bool:
            seen = await lookups.token_by_hash_async(pg_settings, key)
            return seen is not None and seen.revoked_at is not None

        return await until(refused)

    assert asyncio.run(scenario()) < 1.0


def listening_backends(settings: Settings) -> list[int]:
    with get_engine(settings).connect() as conn:
        return list(conn.scalars(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'"
        )))  # fmt: skip


def test_nothing_is_kept_while_the_worker_cannot_hear(pg_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lost listening connection (a restart, a terminated backend) means read every time, then listen again."""
    monkeypatch.setattr(notices.ChangeWatch, "RETRY_SECONDS", 0.0)
    token, record = create_token("operator", label="before", settings=pg_settings)
    key = hash_token(token)

    async def scenario() -> None:
        assert (await lookups.token_by_hash_async(pg_settings, key)).label == "before"  # type: ignore[union-attr]
        (listener,) = listening_backends(pg_settings)
        relabel_unannounced(pg_settings, record["id"], "after")
        with get_engine(pg_settings).connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": listener})

        async def relabelled() -> bool:
            return (await lookups.token_by_hash_async(pg_settings, key)).label == "after"  # type: ignore[union-attr]

        await until(relabelled)
        assert await relabelled()  # the next request listens again, on a new connection, and keeps tokens again
        (again,) = listening_backends(pg_settings)
        assert again != listener
        relabel_unannounced(pg_settings, record["id"], "unheard")
        assert (await lookups.token_by_hash_async(pg_settings, key)).label == "after"  # type: ignore[union-attr]

    asyncio.run(scenario())


def test_tokens_never_presented_are_not_kept(pg_settings: Settings) -> None:
    """Guessed tokens find nothing, and nothing found is not kept: a token created later works at once."""
    token, _ = create_token("viewer", label="late", settings=pg_settings)
    key = hash_token(token)
    update_unannounced(pg_settings, "UPDATE api_tokens SET token_hash = 'hidden' WHERE label = 'late'", {})

    async def scenario() -> None:
        assert await lookups.token_by_hash_async(pg_settings, key) is None
        # unannounced again: only a fresh read can find it
        update_unannounced(pg_settings, "UPDATE api_tokens SET token_hash = :key WHERE label = 'late'", {"key": key})
        found = await lookups.token_by_hash_async(pg_settings, key)
        assert found is not None and found.label == "late"

    asyncio.run(scenario())


@pytest.mark.postgres  # needs initdb/pg_ctl: skipped without them, failed without them under CI (tests/conftest.py)
def test_a_stopped_server_is_not_answered_from_what_was_kept(tmp_path: Path) -> None:
    """A server shutting down sends its FATAL message before it closes; the kept tokens must go with it."""
    with stoppable_cluster() as cluster:
        settings = Settings(data_dir=tmp_path, database_url=cluster.create_database("rp_notices_stop"))
        db.upgrade(settings)
        token, _ = create_token("viewer", settings=settings)
        key = hash_token(token)

        async def scenario() -> None:
            assert await lookups.token_by_hash_async(settings, key) is not None
            assert await lookups.token_by_hash_async(settings, key) is not None
            cluster.stop()
            with pytest.raises(UnavailableError):
                await lookups.token_by_hash_async(settings, key)
            cluster.start()
            assert await lookups.token_by_hash_async(settings, key) is not None

        asyncio.run(scenario())


def test_requests_that_need_the_same_token_meanwhile_share_one_read(pg_settings: Settings) -> None:
    """When a kept token grows too old, the requests in flight must not all read it at once (they queued for
    the worker's four lookup connections); nor when it is first read."""
    token, record = create_token("viewer", label="shared", settings=pg_settings)
    key = hash_token(token)
    reads = 0

    async def scenario() -> None:
        nonlocal reads
        cache: notices.NoticedCache[str, lookups.StoredToken] = notices.NoticedCache(
            notices.watch(get_engine(pg_settings), notices.API_TOKENS), max_age=0.2
        )

        async def read() -> lookups.StoredToken | None:
            nonlocal reads
            reads += 1
            await asyncio.sleep(0.05)  # a read that takes a while, as under load
            return lookups.token_by_hash(pg_settings, key)

        assert await cache.watch.current() is not None  # listening, so values are kept
        first = await asyncio.gather(*(cache.get(key, read) for _ in range(16)))
        assert reads == 1 and {t.label for t in first if t is not None} == {"shared"}
        await asyncio.sleep(0.25)  # too old now
        relabel_unannounced(pg_settings, record["id"], "reread")
        again = await asyncio.gather(*(cache.get(key, read) for _ in range(16)))
        assert reads == 2 and {t.label for t in again if t is not None} == {"reread"}
        assert cache.reading == {}

    asyncio.run(scenario())


def test_a_listen_that_fails_leaves_no_connection_and_reads_instead(pg_settings: Settings) -> None:
    engine = get_engine(pg_settings)

    def backends() -> int:
        with engine.connect() as conn:
            return int(conn.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )))  # fmt: skip

    before = backends()

    async def scenario() -> None:
        watch = notices.ChangeWatch(libpq_conninfo(engine), "not a channel")  # LISTEN is a syntax error
        assert await watch.current() is None and watch.connection is None
        assert watch.retry_at > time.monotonic()  # tries again later, meanwhile requests read

    gc.collect()  # what earlier tests left behind warns now, not in the block below
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(scenario())
        gc.collect()
    dropped_open = [w for w in caught if "AsyncConnection" in str(w.message) and "still open" in str(w.message)]
    assert not dropped_open  # closed, not dropped open (psycopg warns when it has to close a connection itself)
    deadline = time.monotonic() + 2
    while backends() > before:
        assert time.monotonic() < deadline, "the connection whose LISTEN failed was left open"
        time.sleep(0.02)


Read = Callable[[], Awaitable[lookups.StoredToken | None]]


def counted(read: Read) -> tuple[list[int], Read]:
    calls: list[int] = []

    async def counting() -> lookups.StoredToken | None:
        calls.append(1)
        return await read()

    return calls, counting


def test_sqlite_keeps_a_token_until_any_connection_commits(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Kept while nothing is committed; a commit from another connection of this process, then from another
    process, each make the next check read again and see the change."""
    settings = fresh_database(request, "sqlite", tmp_path)
    token, record = create_token("operator", label="first", settings=settings)
    key = hash_token(token)
    engine = get_engine(settings)

    async def scenario() -> None:
        cache: notices.NoticedCache[str, lookups.StoredToken] = notices.NoticedCache(
            notices.watch(engine, notices.API_TOKENS), max_age=60
        )
        calls, read = counted(lambda: lookups.token_by_hash_async(settings, key))
        for _ in range(3):
            kept = await cache.get(key, read)
            assert kept is not None and kept.label == "first"
        assert len(calls) == 1  # read once, then kept
        revoke_token(record["id"], settings)  # the service's own connection, not the watch's
        seen = await cache.get(key, read)
        assert seen is not None and seen.revoked_at is not None and len(calls) == 2
        assert (await cache.get(key, read)) == seen and len(calls) == 2
        relabel = (
            f"import sqlite3; c = sqlite3.connect({str(settings.sqlite_path)!r}); "
            f"c.execute(\"UPDATE api_tokens SET label = 'elsewhere' WHERE id = {record['id']}\"); c.commit()"
        )
        subprocess.run([sys.executable, "-c", relabel], check=True)
        seen = await cache.get(key, read)
        assert seen is not None and seen.label == "elsewhere" and len(calls) == 3

    asyncio.run(scenario())


def test_sqlite_worker_refuses_a_revoked_token_at_the_next_request(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Through the API's own token check: kept between requests, refused at the first request after the revoke."""
    settings = fresh_database(request, "sqlite", tmp_path)
    token, record = create_token("viewer", settings=settings)
    key = hash_token(token)

    async def scenario() -> None:
        assert (await lookups.token_by_hash_async(settings, key)) is not None
        watch = notices.watch(get_engine(settings), notices.API_TOKENS)
        count = await watch.current()
        assert count is not None and await watch.current() == count  # no commit, no change: kept
        revoke_token(record["id"], settings)
        assert await watch.current() != count
        seen = await lookups.token_by_hash_async(settings, key)
        assert seen is not None and seen.revoked_at is not None

    asyncio.run(scenario())


def test_sqlite_watch_never_creates_a_database_and_keeps_nothing_without_one(tmp_path: Path) -> None:
    missing = tmp_path / "not-yet.db"
    watch = notices.DataVersionWatch(str(missing))
    assert asyncio.run(watch.current()) is None
    assert not missing.exists()
    assert asyncio.run(notices._sqlite_watch(":memory:").current()) is None


def test_sqlite_watch_finds_a_database_whose_path_has_uri_characters(tmp_path: Path) -> None:
    """A data directory may be named anything: '?', '#' and '%' mean something in SQLite's file: URIs."""
    path = tmp_path / "100% rigs #2?" / "rigport.db"
    path.parent.mkdir()
    writer = sqlite3.connect(path, isolation_level=None)
    watch = notices.DataVersionWatch(str(path))
    first = asyncio.run(watch.current())
    writer.execute("CREATE TABLE t (x)")
    assert first is not None and asyncio.run(watch.current()) not in (None, first)
    assert sorted(p.name for p in path.parent.iterdir()) == ["rigport.db"]  # no stray file made by a bad URI
    writer.close()


def test_sqlite_watch_holds_no_snapshot_that_would_block_a_checkpoint(tmp_path: Path) -> None:
    """Between checks the watch holds no read snapshot (a transaction or a statement left open would): later
    commits would go unseen and the write-ahead log could not be checkpointed back into the database."""
    path = tmp_path / "wal.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE t (x)")
    watch = notices.DataVersionWatch(str(path))
    first = asyncio.run(watch.current())
    writer.execute("INSERT INTO t VALUES (1)")
    busy, _, _ = writer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0  # a reader holding a snapshot makes a TRUNCATE checkpoint report busy
    assert asyncio.run(watch.current()) != first
    writer.close()
