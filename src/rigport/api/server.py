"""How `rigport serve` runs uvicorn (kept here so worker processes can import it by name)."""

from __future__ import annotations

import socket

import uvicorn


class TcpConfig(uvicorn.Config):
    """uvicorn's config, with a listening socket that says it is TCP.

    For --workers > 1 uvicorn binds `socket.socket(family)` (proto 0), and asyncio turns TCP_NODELAY on for
    accepted connections only when proto is IPPROTO_TCP; without it every response waited ~40 ms for the
    client's delayed ACK (headers and body are two writes). Measured in docs/reliability.md.
    """

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
            sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
            sock.set_inheritable(True)
        return sock
