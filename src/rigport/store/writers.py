"""One writer at a time per process on the embedded SQLite database, queued on a lock.

SQLite lets one transaction write at a time; the others poll the file lock with growing sleeps (up to
100 ms) and give up after busy_timeout. With a thread pool of writers per server worker, a newcomer
often wins a poll over a thread that has waited for seconds, and under load some writes waited past
busy_timeout and got 503 (docs/reliability.md). Queued on a lock in the process, at most one thread per
process polls SQLite, so a write waits for the writers ahead of it, not for luck. PostgreSQL locks
rows, not the database, and needs none of this.
"""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from rigport.errors import UnavailableError

_LOCK = threading.RLock()  # re-entrant: a nested unit of work in one thread waits on SQLite, as before
_KEY = "rigport.sqlite_writer"
WAIT_S = 5.0  # as long as SQLite's own busy_timeout (store/engine.py)


def hold(session: Session) -> None:
    """Before a session's first write on SQLite: wait for this process's writer slot (kept until release)."""
    if session.info.get(_KEY) or session.get_bind().dialect.name != "sqlite":
        return
    if not _LOCK.acquire(timeout=WAIT_S):
        raise UnavailableError(f"database busy: other writes in this process held it for over {WAIT_S:g} s")
    session.info[_KEY] = True


def release(session: Session) -> None:
    """After the session's commit or rollback: let the next writer in."""
    if session.info.pop(_KEY, False):
        _LOCK.release()
