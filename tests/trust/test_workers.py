"""`rigport serve --workers N`: each worker listens on its own socket, and a dead worker's socket lives on.

One shared listening socket let one worker take most keep-alive connections (docs/reliability.md); with
SO_REUSEPORT sockets, one per worker, the kernel spreads them. Checked on a real server through /proc.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.trust.support import rigport_server

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; SO_REUSEPORT balancing")


def workers_of(pid: int) -> list[int]:
    """The server's uvicorn workers: its children but multiprocessing's resource tracker and the one-off
    process that builds the screening index at start (cli/serve.py)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if not _is_helper(c)]


def _is_helper(pid: str) -> bool:
    text = _cmdline(pid)  # empty when it ended while we looked, or ended unreaped: not a worker we can count on
    return not text or b"resource_tracker" in text or b"warm_index" in text


def listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(fields[9])
    return inodes


def sockets_held(pid: int) -> set[str]:
    held = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            held.add(target[8:-1])
    return held


def wait_for_workers(pid: int, count: int, timeout: float = 90) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = workers_of(pid)
        if len(workers) == count:
            return workers
        time.sleep(0.2)
    raise AssertionError(f"expected {count} workers, have {workers_of(pid)}")


def test_each_worker_has_its_own_socket_and_a_replacement_inherits_it(tmp_path: Path) -> None:
    with rigport_server(tmp_path, workers=2) as server:
        port = int(server.url.rsplit(":", 1)[1])
        workers = wait_for_workers(server.process.pid, 2)
        deadline = time.monotonic() + 90
        while len(listening := listening_inodes(port)) < 2:  # each worker listens once its app has started
            assert time.monotonic() < deadline, f"expected two listening sockets on the port, have {listening}"
            time.sleep(0.2)
        assert len(listening) == 2, listening  # two sockets on one port
        owned = [sockets_held(w) & listening for w in workers]
        assert all(len(o) == 1 for o in owned) and owned[0] != owned[1], owned  # one each, not shared

        os.kill(workers[0], signal.SIGKILL)
        # new connections keep being answered, including any the kernel routes to the dead worker's socket,
        # which waits for the replacement instead of being refused or dropped
        for _ in range(20):
            assert httpx.get(f"{server.url}/api/v1/health", timeout=60).status_code == 200
        replaced = wait_for_workers(server.process.pid, 2)
        assert workers[0] not in replaced
        deadline = time.monotonic() + 60
        while listening_inodes(port) != listening or not all(sockets_held(w) & listening for w in replaced):
            assert time.monotonic() < deadline, "the replacement did not take over the dead worker's socket"
            time.sleep(0.2)
        assert {inode for w in replaced for inode in sockets_held(w) & listening} == listening


def _state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]  # R, S, Z ...
    except OSError:
        return "gone"


def test_the_index_builder_is_reaped_when_it_ends(tmp_path: Path) -> None:
    """`serve` builds the screening index in a child process at start; once it ends it must be waited for, not
    left a zombie child for the server's whole life (counted as a worker by anyone looking, this suite included)."""
    with rigport_server(tmp_path, workers=2) as server:  # (one worker runs in the server's own process)
        pid = server.process.pid
        deadline = time.monotonic() + 300  # a build under a loaded CI machine took ~45 s
        while True:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            left = {c: _state(c) for c in children}
            if not any(state == "Z" or b"warm_index" in _cmdline(c) for c, state in left.items()):
                break
            assert time.monotonic() < deadline, f"the index builder was not reaped: {left}"
            time.sleep(0.5)
        assert httpx.get(f"{server.url}/api/v1/health", timeout=60).status_code == 200


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
