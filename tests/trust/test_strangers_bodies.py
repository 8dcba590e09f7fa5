"""Strangers' bodies are never read, and nobody's body is read past the limit (issue #26, item 3).

Raw sockets against a real `rigport serve`: the request line and headers go out, the body is sent (or not)
chunk by chunk, and the test watches when the server answers.
"""

from __future__ import annotations

import json
import select
import socket

import pytest

from rigport.services.auth import create_token
from rigport.settings import Settings
from tests.trust.support import Server, rigport_server

LIMIT = 4096


def connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def read_reply(sock: socket.socket, timeout: float = 10) -> tuple[bytes, dict[str, object]]:
    sock.settimeout(timeout)
    reply = b""
    while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            break
        reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():  # a chunked response: one chunk of JSON
        body = body.split(b"\r\n", 1)[1].rsplit(b"\r\n0\r\n", 1)[0]
    return head, json.loads(body) if body.strip() else {}


def headers(path: str, token: str | None, content_type: str) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: {content_type}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode()  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> tuple[Server, str]:
    data = tmp_path_factory.mktemp("bodies")
    token, _ = create_token("operator", settings=Settings(data_dir=data))
    with rigport_server(data, extra_env={"RIGPORT_MAX_UPLOAD_BYTES": str(LIMIT)}) as running:
        yield running, token  # type: ignore[misc]


@pytest.mark.parametrize(("path", "content_type"), [("/api/v1/import", "multipart/form-data; boundary=b"),
                                                     ("/api/v1/screen", "application/json"),
                                                     ("/api/v1/shipments", "application/json")])  # fmt: skip
@pytest.mark.parametrize("token", [None, "rp_not-a-real-token", "Basic"])
def test_a_stranger_gets_401_before_sending_any_body(server: tuple[Server, str], path: str, content_type: str,
                                                      token: str | None) -> None:  # fmt: skip
    """Headers only, no body chunk at all: the 401 comes anyway (before, the server waited for the body)."""
    running, _ = server
    with connect(running) as sock:
        request = headers(path, token, content_type)
        if token == "Basic":
            request = request.replace(b"Bearer Basic", b"Basic dXNlcjpwYXNz")
        sock.sendall(request)
        head, body = read_reply(sock)
    assert head.startswith(b"HTTP/1.1 401"), head
    assert b"application/problem+json" in head and b"www-authenticate: bearer" in head.lower()
    assert body["status"] == 401


@pytest.mark.parametrize(("path", "content_type"), [("/api/v1/import", "multipart/form-data; boundary=b"),
                                                     ("/api/v1/screen", "application/json")])  # fmt: skip
def test_a_chunked_body_is_cut_at_the_limit(server: tuple[Server, str], path: str, content_type: str) -> None:
    """An authenticated chunked body that never ends: 413 once the limit (plus the multipart envelope) is
    passed, long before 16 MiB are sent (before, the server read until the body ended). Loopback socket
    buffers hold a few MiB, so the bytes sent before the 413 arrives say little about the bytes read."""
    running, token = server
    sent = 0
    with connect(running) as sock:
        sock.sendall(headers(path, token, content_type))
        chunk = b"x" * 16384
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        sock.setblocking(False)
        while sent < 16 * 2**20:
            readable, writable, _ = select.select([sock], [sock], [], 5)
            if readable:
                break
            if writable:
                try:
                    sent += sock.send(framed)
                except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                    break
        sock.setblocking(True)
        head, body = read_reply(sock)
    assert head.startswith(b"HTTP/1.1 413"), (sent, head)
    assert "upload limit" in str(body["detail"])
    assert sent < 16 * 2**20, sent


def test_declared_length_within_limit_still_works(server: tuple[Server, str]) -> None:
    running, token = server
    body = json.dumps({"reference": "OK1", "mode": "air", "port": "Detroit", "arrival_date": "2025-02-01",
                       "total_units": 1, "declared_value_usd": "1.00"}).encode()  # fmt: skip
    with connect(running) as sock:
        sock.sendall(f"POST /api/v1/shipments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        head, reply = read_reply(sock)
    assert head.startswith(b"HTTP/1.1 201"), head
    assert reply["reference"] == "OK1"


