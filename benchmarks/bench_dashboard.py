"""Dashboard pages with the demo data: server time per page (in process, no network), against /api/v1/health.

Target (issue 8): every page under 300 ms of server time with the demo data. We report the median and
the 95th percentile of 30 requests after one warm-up request (which builds the screening index).
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from benchmarks.harness import Result
from rigport.entrypoints.api.app import create_app
from rigport.services.auth import set_user
from rigport.services.demo import seed
from rigport.settings import Settings

PAGES = {
    "portfolio": "/",
    "shipment (detained)": "/shipments/DEMO-SFO-M60S",
    "shipment (partly seized)": "/shipments/DEMO-SFO-S21",
    "screening search": "/screening/search?q=Sophgo%20Technologies",
    "screening page": "/screening",
    "economics page": "/economics",
}
REQUESTS = 30
TARGET_S = 0.300


def _times(client: TestClient, path: str) -> list[float]:
    client.get(path)  # warm-up
    out = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(path)
        out.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    return out


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        seed(settings)
        set_user("bench", "bench-password", "operator", settings)
        client = TestClient(create_app(settings), base_url="https://testserver")
        client.post("/login", data={"username": "bench", "password": "bench-password"})
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
        assert csrf, "login failed"
        baseline = statistics.median(_times(client, "/api/v1/health"))
        results = []
        for name, path in PAGES.items():
            times = sorted(_times(client, path))
            p50, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
            results.append(Result(
                "dashboard", f"{name} p95 server time", p95 * 1000, "ms",
                baseline=f"GET /api/v1/health median {baseline * 1000:.1f} ms (p50 {p50 * 1000:.1f} ms)",
                ratio=p50 / baseline, target="p95 < 300 ms", passed=p95 < TARGET_S,
            ))  # fmt: skip
        return results
