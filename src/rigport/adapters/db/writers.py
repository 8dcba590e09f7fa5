"""One writer at a time on the embedded SQLite database: queued in the process, then across processes.

SQLite lets one transaction write at a time; the others poll the file lock with growing sleeps (up to
100 ms) and give up after busy_timeout. Two kinds of waiting went wrong under load (docs/reliability.md):
- Within a process, with a thread pool of writers per server worker, a newcomer often won a poll over a
  thread that had waited for seconds. Writers now queue on a lock in the process, so at most one thread
  per process waits for the database.
- Across processes (`rigport serve --workers N`, the CLI beside the server), the waiting process still
  polled SQLite with sleeps of up to 100 ms while the other process's queue handed the lock from one of
  its writers to the next within microseconds; a waiting worker kept losing, and its whole queue waited
  past busy_timeout (3 x 503 in a 5-minute soak). So the one writer of each process also takes an
  advisory lock on a file beside the database (`<db>-writer.lock`), polled every millisecond: a waiting
  process gets in at the next hand-over instead of after a long sleep.
The file lock is only a queue in front of SQLite's own locking, which still guards the data: a writer that
does not take it (the sqlite3 shell, an older rigport) is waited for with busy_timeout as before, and a
lock file that cannot be created (read-only directory) leaves SQLite's locking alone. A process that dies
loses its lock with its file descriptor. PostgreSQL locks rows, not the database, and needs none of this.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from rigport.errors import UnavailableError

_LOCK = threading.RLock()  # re-entrant: a nested unit of work in one thread waits on SQLite, as before
_KEY = "rigport.sqlite_writer"
WAIT_S = 5.0  # as long as SQLite's own busy_timeout (store/engine.py)
POLL_S = 0.001

_files: dict[str, int | None] = {}  # database path -> descriptor of its lock file (None: none could be made)
_held: dict[str, int] = {}  # database path -> nesting depth of this process's hold on its lock file


def hold(session: Session) -> None:
    """Before a session's first write on SQLite: wait for the writer slot (kept until release)."""
    bind = session.get_bind()
    if _KEY in session.info or bind.dialect.name != "sqlite":
        return
    deadline = time.monotonic() + WAIT_S
    if not _LOCK.acquire(timeout=WAIT_S):
        raise UnavailableError(f"database busy: other writes in this process held it for over {WAIT_S:g} s")
    engine = bind if isinstance(bind, Engine) else bind.engine
    database = engine.url.database or ""
    try:
        if not _held.get(database):
            _lock_file(database, deadline)
    except BaseException:
        _LOCK.release()
        raise
    _held[database] = _held.get(database, 0) + 1
    session.info[_KEY] = database


def release(session: Session) -> None:
    """After the session's commit or rollback: let the next writer in, from this process or another."""
    database = session.info.pop(_KEY, None)
    if database is None:
        return
    _held[database] -= 1
    if not _held[database]:
        descriptor = _files.get(database)
        if descriptor is not None:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    _LOCK.release()


def _lock_file(database: str, deadline: float) -> None:
    """Take the database's lock file, polling until `deadline`; no file, no wait (SQLite still locks)."""
    descriptor = _descriptor(database)
    if descriptor is None:
        return
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise UnavailableError(
                    f"database busy: another rigport process held it for over {WAIT_S:g} s"
                ) from None
            time.sleep(POLL_S)


def _descriptor(database: str) -> int | None:
    if database not in _files:
        _files[database] = _open_lock_file(database)
    return _files[database]


def _open_lock_file(database: str) -> int | None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    try:
        return os.open(Path(database).with_name(Path(database).name + "-writer.lock"),
                       os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)  # fmt: skip
    except OSError:
        return None
