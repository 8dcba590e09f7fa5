"""One reminder sender at a time, across processes and hosts: an advisory lock that dies with its holder.

PostgreSQL: `pg_try_advisory_lock` on a connection kept open while sending; the server drops it when the
connection ends, so a killed sender frees it at once (no lease to wait out). SQLite: `flock` on a file
beside the database (`<db>-notify.lock`); the kernel drops it with the process. Either way a second
sender (another `rigport serve` worker, a cron run during the serve loop) is told the lock is busy and
leaves the outbox to the holder: deciding reminders needs no lock (the outbox key makes it idempotent).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

SENDER_LOCK_KEY = 0x72696770_00002901 & 0x7FFFFFFFFFFFFFFF  # "rigp" + issue 29: a bigint no one else uses


@contextmanager
def sender_lock(engine: Engine) -> Iterator[bool]:
    """Yield True while this process holds the sender lock, False when another holder has it."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": SENDER_LOCK_KEY}).scalar())
            connection.commit()
            try:
                yield held
            finally:
                if held:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SENDER_LOCK_KEY})
                    connection.commit()
        return
    database = engine.url.database or ""
    if not database or database == ":memory:":
        yield True  # a private in-memory database: no other process can see it
        return
    path = Path(database).with_name(Path(database).name + "-notify.lock")
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
