"""`rigport network refresh` against a local replay server: success and every failure mode."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rigport.services.network import bundled_snapshot, current_snapshot
from tests.helpers import run_cli

GOOD = {
    "/api/blocks/tip/height": (200, "923456"),
    "/api/v1/mining/hashrate/3d": (200, json.dumps({"currentHashrate": 9.1e20, "currentDifficulty": 1.27e14})),
    "/api/v1/prices": (200, json.dumps({"time": 1764000000, "USD": 87000, "EUR": 80000})),
    "/api/v1/blocks": (
        200,
        json.dumps(
            [
                {"height": 923456, "extras": {"totalFees": 2_000_000}},
                {"height": 923455, "extras": {"totalFees": 4_000_000}},
            ]
        ),
    ),
}


class Replay(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str]] = GOOD
    delay_s = 0.0

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        time.sleep(self.delay_s)
        status, body = self.routes.get(self.path, (404, "not found"))
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[Replay]]]:
    handler = type("Handler", (Replay,), {"routes": dict(GOOD), "delay_s": 0.0})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api", handler
    httpd.shutdown()


def test_refresh_stores_a_new_snapshot(server: tuple[str, type[Replay]], isolated_data_dir: Path) -> None:
    url, _ = server
    result = run_cli("network", "refresh", "--api-url", url, "--json")
    assert result.returncode == 0, result.stderr
    stored = json.loads((isolated_data_dir / "network_snapshot.json").read_text())
    assert stored["height"] == 923456 and stored["difficulty"] == 1.27e14 and stored["price_usd"] == 87000
    assert stored["fees_btc_per_block"] == pytest.approx(0.03)
    assert current_snapshot().height == 923456
    shown = json.loads(run_cli("network", "show", "--json").stdout)
    assert shown["height"] == 923456


@pytest.mark.parametrize(
    ("path", "status", "body", "delay", "message"),
    [
        ("/api/v1/prices", 500, "boom", 0.0, "HTTP 500"),
        ("/api/v1/prices", 200, "{not json", 0.0, "not valid JSON"),
        ("/api/v1/mining/hashrate/3d", 200, json.dumps({"nope": 1}), 0.0, "unexpected response shape"),
        ("/api/blocks/tip/height", 200, "1", 3.0, "timed out"),
    ],
)
def test_failures_keep_the_previous_snapshot(
    server: tuple[str, type[Replay]],
    isolated_data_dir: Path,
    path: str,
    status: int,
    body: str,
    delay: float,
    message: str,
) -> None:
    url, handler = server
    assert run_cli("network", "refresh", "--api-url", url).returncode == 0
    before = (isolated_data_dir / "network_snapshot.json").read_bytes()
    handler.routes[path] = (status, body)
    handler.delay_s = delay
    result = run_cli("network", "refresh", "--api-url", url, env={"RIGPORT_HTTP_TIMEOUT_S": "0.5"})
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert (isolated_data_dir / "network_snapshot.json").read_bytes() == before


def test_unreachable_server_keeps_bundled_snapshot(isolated_data_dir: Path) -> None:
    result = run_cli("network", "refresh", "--api-url", "http://127.0.0.1:9/api", env={"RIGPORT_HTTP_TIMEOUT_S": "1"})
    assert result.returncode == 1
    assert not (isolated_data_dir / "network_snapshot.json").exists()
    assert current_snapshot() == bundled_snapshot()


def test_show_warns_when_snapshot_is_old() -> None:
    result = run_cli("network", "show")
    assert result.returncode == 0
    assert "days old" in result.stderr
