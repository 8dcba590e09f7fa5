"""A throwaway PostgreSQL cluster for tests: initdb + pg_ctl on a free loopback port, removed afterwards.

Without the PostgreSQL server binaries a PostgreSQL test skips (with the reason) on a developer's machine and
FAILS under CI (`CI=true`): CI installs them, so their absence there is a broken set-up, not a pass (issue #27).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def pg_bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def under_ci() -> bool:
    """CI sets CI=true (GitHub Actions and most others do)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def skip_or_fail(reason: str) -> None:
    """Skip a test that needs a missing PostgreSQL tool — unless under CI, where the tool must be there: fail."""
    if under_ci():
        pytest.fail(f"{reason}, and CI=true: CI must install PostgreSQL (the postgresql package)", pytrace=False)
    pytest.skip(reason)


def require_pg_binaries() -> None:
    """For tests marked `postgres`: the server binaries (initdb, pg_ctl), or skip_or_fail."""
    if pg_bin_dir() is None:
        skip_or_fail("PostgreSQL server binaries (initdb, pg_ctl) not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(cmd: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *cmd] if user else cmd


@dataclass
class Cluster:
    """A throwaway PostgreSQL cluster; outage tests stop and start it again."""

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
        return create_database(self.base_url, name)


@contextmanager
def stoppable_cluster() -> Iterator[Cluster]:
    """A fresh cluster on a free loopback port (initdb + pg_ctl), removed afterwards."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    user = None
    if os.geteuid() == 0:  # initdb refuses to run as root
        user = "postgres"
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", user], check=True)
    root = Path(tempfile.mkdtemp(prefix="rigport-pg-"))
    data, sock = root / "data", root / "sock"
    data.mkdir()
    sock.mkdir()
    if user:
        for path in (root, data, sock):
            shutil.chown(path, user)
        os.chmod(root, 0o755)
    port = _free_port()
    db_user = user or pwd.getpwuid(os.geteuid()).pw_name
    options = f"-h 127.0.0.1 -p {port} -k {sock} -c fsync=off -c full_page_writes=off -c max_connections=200"
    cluster = Cluster(f"postgresql://{db_user}@127.0.0.1:{port}", data, options, root / "log", user)
    try:
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "-U", db_user, "--encoding=UTF8",
                  "--no-sync"]  # fmt: skip
        subprocess.run(_as_owner(initdb, user), check=True, capture_output=True)
        cluster.start()
        yield cluster
    finally:
        subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], user),
                       capture_output=True)  # fmt: skip
        time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Yield a libpq base URL (postgresql://user@127.0.0.1:port) for a fresh cluster."""
    with stoppable_cluster() as cluster:
        yield cluster.base_url


def create_database(base_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base_url}/{name}".replace("postgresql://", "postgresql+psycopg://")
