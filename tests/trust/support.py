"""Real things the trust tests drive: a `rigport serve` subprocess (the stoppable PostgreSQL is in tests/pg.py).

Nothing here is mocked: servers are real uvicorn processes on loopback, databases are real files or a
real PostgreSQL from tests/pg.py (initdb/pg_ctl), and outages are real (pg_ctl stop).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text

from rigport.adapters.db.engine import get_engine
from rigport.settings import Settings
from tests.pg import _free_port

ROOT = Path(__file__).resolve().parents[2]


def env_for(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The environment a rigport subprocess sees: its own data dir and, for PostgreSQL, the URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGPORT_")}
    env["RIGPORT_DATA_DIR"] = str(data_dir)
    if database_url:
        env["RIGPORT_DATABASE_URL"] = database_url
    return env


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def rigport_server(
    data_dir: Path, database_url: str | None = None, workers: int = 1, timeout: float = 60,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """`rigport serve` in a subprocess on a free loopback port; stopped (then killed) afterwards."""
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="rigport-serve-", suffix=".log")[1])
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "rigport", "serve", "--port", str(port), "--workers", str(workers)],
            env={**env_for(data_dir, database_url), **(extra_env or {})},
            stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_healthy(server, timeout)
        yield server
    finally:
        stop_process(process)
        log.unlink(missing_ok=True)


def wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"rigport serve exited {server.process.returncode}:\n{server.output()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/api/v1/health", timeout=2).status_code in (200, 503):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"rigport serve did not answer within {timeout} s:\n{server.output()[-3000:]}")


def stop_process(process: subprocess.Popen[bytes], grace: float = 10) -> None:
    """SIGTERM the process group we started, SIGKILL it if it does not go."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(grace)


# --- backup and restore: the CLI on a given database, and every row of every table --------------------------------

TABLES = ("shipments", "shipment_quantities", "events", "line_items", "parties", "documents", "audit_log",
          "api_tokens")  # fmt: skip


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rigport", *args], capture_output=True, text=True, timeout=300,
                          env=env_for(settings.data_dir, settings.database_url))  # fmt: skip


def snapshot(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every rigport table, ordered: equal snapshots mean an exact restore."""
    engine = get_engine(settings)
    engine.dispose()
    with engine.connect() as conn:
        return {t: sorted(tuple(str(v) for v in row) for row in conn.execute(text(f"SELECT * FROM {t}")))
                for t in TABLES}  # fmt: skip
