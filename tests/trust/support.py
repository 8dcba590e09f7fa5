"""Real things the trust tests drive: a `rigport serve` subprocess and a PostgreSQL cluster they can stop.

Nothing here is mocked: servers are real uvicorn processes on loopback, databases are real files or a
real PostgreSQL started with initdb/pg_ctl (reusing tests/pg.py), and outages are real (pg_ctl stop).
"""

from __future__ import annotations

import os
import pwd
import shutil
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

from tests.pg import _as_owner, _free_port, pg_bin_dir

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
    data_dir: Path, database_url: str | None = None, workers: int = 1, timeout: float = 60
) -> Iterator[Server]:
    """`rigport serve` in a subprocess on a free loopback port; stopped (then killed) afterwards."""
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="rigport-serve-", suffix=".log")[1])
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "rigport", "serve", "--port", str(port), "--workers", str(workers)],
            env=env_for(data_dir, database_url), stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
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


@dataclass
class Cluster:
    """A throwaway PostgreSQL cluster that a test may stop and start again."""

    base_url: str
    data: Path
    options: str
    log: Path
    user: str | None

    def _ctl(self, *args: str) -> None:
        bin_dir = pg_bin_dir()
        assert bin_dir is not None
        subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(self.data), *args], self.user),
                       check=True, capture_output=True, timeout=60)  # fmt: skip

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        self._ctl("-o", self.options, "-l", str(self.log), "-w", "start")

    def create_database(self, name: str) -> str:
        from tests.pg import create_database

        return create_database(self.base_url, name)


@contextmanager
def stoppable_cluster() -> Iterator[Cluster]:
    """Like tests.pg.throwaway_cluster, but exposing pg_ctl stop/start for outage tests."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", user], check=True)
    root = Path(tempfile.mkdtemp(prefix="rigport-pgtrust-"))
    data, sock = root / "data", root / "sock"
    data.mkdir()
    sock.mkdir()
    if user:
        for path in (root, data, sock):
            shutil.chown(path, user)
        os.chmod(root, 0o755)
    port = _free_port()
    db_user = user or pwd.getpwuid(os.geteuid()).pw_name
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "-U", db_user, "--encoding=UTF8", "--no-sync"]
    subprocess.run(_as_owner(initdb, user), check=True, capture_output=True)
    options = f"-h 127.0.0.1 -p {port} -k {sock} -c fsync=off -c full_page_writes=off -c max_connections=200"
    cluster = Cluster(f"postgresql://{db_user}@127.0.0.1:{port}", data, options, root / "log", user)
    try:
        cluster.start()
        yield cluster
    finally:
        subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], user),
                       capture_output=True)  # fmt: skip
        time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)
