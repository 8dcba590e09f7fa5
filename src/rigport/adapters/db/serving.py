"""Who is serving this database: `rigport db restore` refuses while a `rigport serve` uses it (issue #26).

A restore under a running server lost acknowledged writes: the server's workers kept the replaced SQLite
file (and its -wal/-shm) open and went on answering 201 for writes nobody would ever read again. Rather
than swap the database under running workers, the restore refuses and says which server holds it.

- SQLite: `rigport serve` holds a shared `flock` on `<data dir>/rigport.serving.lock` for its lifetime
  (the kernel drops it when the process dies, even by SIGKILL); a restore takes it exclusively, so it sees
  a server and a server cannot start half-way through a restore.
- PostgreSQL: `rigport serve` connects as application_name `rigport-serve`; a restore looks for such
  connections to its database in `pg_stat_activity`.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from sqlalchemy import Engine, text

from rigport.errors import UnavailableError
from rigport.settings import Settings

APPLICATION_NAME = "rigport-serve"
LOCK_NAME = "rigport.serving.lock"
_held: list[IO[bytes]] = []


def hold_while_serving(settings: Settings) -> None:
    """Mark this process as serving the database until it exits (called by `rigport serve`)."""
    os.environ["PGAPPNAME"] = APPLICATION_NAME  # libpq reads it; uvicorn's worker processes inherit it
    if settings.database_url:
        return
    try:
        settings.ensure_data_dir()
        handle = (settings.data_dir / LOCK_NAME).open("ab")
    except OSError:  # a read-only data directory: the server cannot write, and says so when it opens the database
        return
    fcntl.flock(handle, fcntl.LOCK_SH)
    handle.write(f"{os.getpid()}\n".encode())
    handle.flush()
    _held.append(handle)


@contextmanager
def no_server(settings: Settings, engine: Engine) -> Iterator[str | None]:
    """Yields None while no server uses the database (holding it so none starts), else why not."""
    if engine.dialect.name != "sqlite":
        yield _pg_servers(engine)
        return
    try:
        settings.ensure_data_dir()
        handle = (settings.data_dir / LOCK_NAME).open("ab")
    except OSError as exc:
        raise UnavailableError(f"data directory {settings.data_dir} is not writable ({exc.strerror})") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield (f"a running `rigport serve` is using {settings.sqlite_path} (it holds "
                   f"{settings.data_dir / LOCK_NAME})")  # fmt: skip
            return
        try:
            yield None
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pg_servers(engine: Engine) -> str | None:
    query = text("SELECT count(*), string_agg(DISTINCT coalesce(host(client_addr), 'local'), ', ') "
                 "FROM pg_stat_activity WHERE datname = current_database() AND application_name = :name "
                 "AND pid <> pg_backend_pid()")  # fmt: skip
    with engine.connect() as conn:
        count, where = conn.execute(query, {"name": APPLICATION_NAME}).one()
    engine.dispose()
    if not count:
        return None
    return f"a running `rigport serve` is connected to this database ({count} connections from {where})"
