"""Real receivers for reminder tests: an SMTP server (aiosmtpd) and an HTTP endpoint that checks signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        parsed["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(parsed)
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[int, Mailbox]]:
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, box
    finally:
        controller.stop()


@dataclass
class Received:
    """What the HTTP receiver got: every delivery (repeats included), and what it refused."""

    secret: str
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    delay_s: float = 0.0
    status: int = 200
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def ids(self) -> list[str]:
        with self.lock:
            return [d["id"] for d in self.deliveries]


def _check(received: Received, headers: Any, body: bytes) -> str | None:
    """The receiver's own check, written from the documented scheme (not rigport's code)."""
    timestamp = headers.get("X-Rigport-Timestamp", "")
    expected = "v1=" + hmac.new(received.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, headers.get("X-Rigport-Signature", "")):
        return "bad signature"
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
        return "stale timestamp"
    data = json.loads(body)
    if data.get("id") != headers.get("X-Rigport-Id"):
        return "id header and body differ"
    return None


@contextmanager
def http_receiver(secret: str) -> Iterator[tuple[str, Received]]:
    received = Received(secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if received.delay_s:
                time.sleep(received.delay_s)
            problem = _check(received, self.headers, body)
            if problem is not None:
                with received.lock:
                    received.refused.append(problem)
                self.send_response(401)
                self.end_headers()
                return
            if received.status == 200:
                with received.lock:
                    received.deliveries.append(json.loads(body))
            self.send_response(received.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()
