"""How `rigport serve` runs uvicorn (kept here so worker processes can import it by name)."""

from __future__ import annotations

import ctypes
import logging
import os
import socket
import sys

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process

logger = logging.getLogger("uvicorn.error")

MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process, as MALLOC_ARENA_MAX would; True when applied.

    Each thread of the request thread pool that allocates gets an arena of its own (up to 8 per core),
    and the memory freed in one is not reused by the others: under a write load whose requests grow with
    the data, resident memory crept up minute by minute while the memory Python held stayed flat
    (tracemalloc). With two arenas it stays level (measured: docs/reliability.md 8). Left alone when the user
    set MALLOC_ARENA_MAX, and outside glibc.
    """
    if "MALLOC_ARENA_MAX" in os.environ or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # musl or another libc: no mallopt, nothing to tune
        return False


class TcpConfig(uvicorn.Config):
    """uvicorn's config, with a listening socket that says it is TCP.

    For --workers > 1 uvicorn binds `socket.socket(family)` (proto 0), and asyncio turns TCP_NODELAY on for
    accepted connections only when proto is IPPROTO_TCP; without it every response waited for the client's
    delayed ACK (headers and body are two writes) (measured: docs/reliability.md 8).
    """

    def load(self) -> None:
        """Each serving process (the single one, or every worker) loads the config once, before any thread."""
        limit_malloc_arenas()
        super().load()

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
            sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
            sock.set_inheritable(True)
        return sock


class BalancedMultiprocess(Multiprocess):
    """uvicorn's supervisor, with one listening socket per worker (SO_REUSEPORT) instead of one shared.

    With one shared socket, whichever worker wakes first accepts a whole burst of new connections
    (asyncio accepts up to 100 per wake), so keep-alive clients pile onto one worker: measured, one worker
    at 86% CPU and the other at 28% under wrk's 32 connections. With a socket per worker the kernel
    spreads connections across them by hash. The supervisor holds every worker's socket, so a worker that
    dies leaves its socket to its replacement and the connections queued on it are served, not dropped.
    Adding or removing workers by signal (TTIN/TTOU/HUP) is not offered: each worker owns a socket.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        self._slots = [_reuseport_socket(config) for _ in range(config.workers)]
        self._slot_of: dict[Process, int] = {}
        self._handed: int | None = None
        super().__init__(config, sockets=[])

    @property
    def sockets(self) -> list[socket.socket]:
        """The socket of the one slot with no live worker: the next at start-up, a dead worker's later.

        uvicorn builds each worker with `Process(config, self.sockets)` and starts it before it asks again,
        so the one worker not yet known here is the one given the slot handed out last time.
        """
        for process in self.processes:
            if process not in self._slot_of and self._handed is not None:
                self._slot_of[process] = self._handed
        self._slot_of = {p: slot for p, slot in self._slot_of.items() if p in self.processes}
        live = {slot for p, slot in self._slot_of.items() if p.process.exitcode is None}
        self._handed = next(i for i in range(len(self._slots)) if i not in live)
        return [self._slots[self._handed]]

    @sockets.setter
    def sockets(self, _value: list[socket.socket]) -> None:
        pass  # the slots above are the sockets

    def handle_hup(self) -> None:
        logger.info("SIGHUP ignored: restart rigport serve to replace its workers.")

    def handle_ttin(self) -> None:
        logger.info("SIGTTIN ignored: the number of workers is fixed by --workers.")

    def handle_ttou(self) -> None:
        logger.info("SIGTTOU ignored: the number of workers is fixed by --workers.")


def _reuseport_socket(config: uvicorn.Config) -> socket.socket:
    family = socket.AF_INET6 if config.host and ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # IPPROTO_TCP: see TcpConfig
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((config.host, config.port))
    except OSError as exc:
        logger.error(exc)
        sys.exit(STARTUP_FAILURE)
    sock.set_inheritable(True)
    return sock


def balanced_workers_supported() -> bool:
    """Linux spreads connections over SO_REUSEPORT sockets; elsewhere the shared socket is kept."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")
