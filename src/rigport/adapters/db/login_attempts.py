"""The sign-in limit's shared count: attempts per key in a sliding window, decided in one locked transaction.

An in-memory count is per server process, so `rigport serve --workers N` let N x the limit through, and a
count read before the password check and written after it let 17 of 40 simultaneous guesses through
(issue #26). Here every worker and process shares the `login_attempts` table, and one transaction, holding
a lock on the keys it counts, reads each key's attempts in the window and inserts the new attempt for every
key, or for none when any key is full. The caller checks the password only after that transaction has
committed, so at most `limit` checks per key start in any window, however many workers race.

The lock: on SQLite, the single-writer path (`writers.hold`, one writer per process and a lock file across
processes) and then `BEGIN IMMEDIATE`, which takes SQLite's write lock before the first read, so even a
writer outside rigport cannot slip in between the count and the insert. On PostgreSQL, a transaction-scoped
advisory lock per key, taken in sorted key order (no deadlock between two attempts sharing both keys), so
attempts on different keys do not wait for each other.

Pruning: each attempt deletes up to `PRUNE_BATCH` rows older than the window, skipping rows another
transaction holds (PostgreSQL's SKIP LOCKED; SQLite has one writer), so the table holds about one window
of allowed attempts: refused attempts insert nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from rigport.adapters.db import writers
from rigport.adapters.db.tables import LoginAttemptRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.settings import Settings

PRUNE_BATCH = 500


@dataclass(frozen=True)
class Reservation:
    """The outcome of one attempt: allowed (its row ids, to give back) or refused (seconds to wait)."""

    ids: tuple[int, ...] = ()
    wait_s: int = 0

    @property
    def allowed(self) -> bool:
        return self.wait_s == 0


def reserve(
    settings: Settings, keys: Sequence[str], limit: int, window_s: float, now: dt.datetime | None = None
) -> Reservation:
    """Count one attempt against every key at once, or refuse it (nothing counted) when any key is full.

    The time is read once the lock is held, so attempts are stamped in the order they were decided.
    """
    ordered = sorted(set(keys))
    with UnitOfWork(settings) as uow:
        _lock(uow.session, ordered)
        now = now or dt.datetime.now(dt.UTC)
        cutoff = now - dt.timedelta(seconds=window_s)
        _prune(uow.session, cutoff)
        wait = _wait_s(uow.session, ordered, limit, window_s, now, cutoff)
        ids: tuple[int, ...] = ()
        if not wait:
            add = insert(LoginAttemptRow).returning(LoginAttemptRow.id)
            ids = tuple(int(uow.session.scalars(add, {"key": key, "attempted_at": now}).one()) for key in ordered)
        uow.commit()
    return Reservation(ids, wait)


def give_back(settings: Settings, ids: Sequence[int]) -> None:
    """A good sign-in returns its own places (only its rows: other attempts' counts stay as they are)."""
    if not ids:
        return
    with UnitOfWork(settings) as uow:
        writers.hold(uow.session)
        uow.session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.id.in_(list(ids))))
        uow.commit()


def recent(settings: Settings, key: str, window_s: float) -> int:
    """How many attempts `key` has in the window now (for tests and diagnostics)."""
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=window_s)
    with UnitOfWork(settings) as uow:
        found = uow.session.scalar(
            select(func.count()).where(LoginAttemptRow.key == key, LoginAttemptRow.attempted_at > cutoff)
        )
        return int(found or 0)


def _lock(session: Session, ordered_keys: list[str]) -> None:
    """Hold the keys until commit: the database's write lock on SQLite, an advisory lock per key on PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        writers.hold(session)  # queue for the one writer first, so BEGIN IMMEDIATE rarely waits on SQLite itself
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        return
    for key in ordered_keys:
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def _prune(session: Session, cutoff: dt.datetime) -> None:
    stale = (
        select(LoginAttemptRow.id)
        .where(LoginAttemptRow.attempted_at <= cutoff)
        .order_by(LoginAttemptRow.id)
        .limit(PRUNE_BATCH)
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.id.in_(stale)))


def _wait_s(
    session: Session, keys: list[str], limit: int, window_s: float, now: dt.datetime, cutoff: dt.datetime
) -> int:
    """0 when every key has room; else whole seconds until every full key has a place free again."""
    times: dict[str, list[dt.datetime]] = {key: [] for key in keys}
    query = (
        select(LoginAttemptRow.key, LoginAttemptRow.attempted_at)
        .where(LoginAttemptRow.key.in_(keys), LoginAttemptRow.attempted_at > cutoff)
        .order_by(LoginAttemptRow.key, LoginAttemptRow.attempted_at)
    )
    for key, at in session.execute(query):
        times[key].append(at if at.tzinfo else at.replace(tzinfo=dt.UTC))  # SQLite returns naive UTC
    full = [stamps for stamps in times.values() if len(stamps) >= limit]
    if not full:
        return 0
    # A full key's place frees when its (n - limit + 1)th oldest attempt leaves the window.
    frees_at = max(stamps[len(stamps) - limit] for stamps in full) + dt.timedelta(seconds=window_s)
    return min(max(1, math.ceil((frees_at - now).total_seconds())), math.ceil(window_s))  # clocks of other hosts
