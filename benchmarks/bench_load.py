"""Load: `rigport serve` with several uvicorn workers on the demo data, driven by wrk over loopback.

For SQLite and (when the server binaries exist) PostgreSQL: req/s, p50 and p99 latency and errors for
GET /api/v1/shipments, GET /api/v1/shipments/{ref}, POST .../events and POST /api/v1/screen, each for
BENCH_LOAD_SECONDS (default 20 s), then a mixed soak of BENCH_SOAK_SECONDS (default 300 s) with the
server's resident memory (all its processes) sampled ten times. Targets (issue 9): reads >= 1,000 req/s
with p99 < 50 ms, no errors, and memory that levels off: under 2% growth over the soak's second half,
while the soak keeps adding events (the data served grows, so the first minutes may grow a little).

Each read is measured twice. wrk, with every connection always busy, finds the throughput (the req/s
target); its p99 is the latency at saturation, where each request waits behind the other 31. Then
`benchmarks.paced` offers exactly 1,000 req/s on a schedule (open loop) and takes the p99 a client sees at
that rate: the latency target. Both load generators run on the same 2-core machine, so they take CPU from
the server: figures are a floor, not a ceiling. Not part of the test suite; run `python -m benchmarks load`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx

from benchmarks.harness import Result
from benchmarks.paced import PacedRun
from rigport.services import demo, screening, shipments
from rigport.services.auth import create_token
from rigport.settings import Settings

# Commands this benchmark runs that no Python package provides: `python -m benchmarks` checks them first.
NEEDS = {"wrk": "the Debian package wrk (apt-get install wrk)"}
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "20"))
SOAK_SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "300"))
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_LOAD_CONNECTIONS", "32"))
# POST events rotate over these, so no two in-flight requests share one and histories stay the length a real
# shipment's has: ~10 events each after the soak. Until stop 16 the soak put ~270 events on each of 50 (200
# shipments, of which the rotation reached every fourth), and a worker's memory and an event post's time grow
# with the history it returns (docs/reliability.md, section 7).
EVENT_SHIPMENTS = 2000
READ_TARGET_RPS = 1000
P99_TARGET_MS = 50.0

LUA = """
local token = "{token}"
local requests = {{}}
{requests}
local threads = 0
local all_threads = {{}}
function setup(thread)
  thread:set("id", threads)
  table.insert(all_threads, thread)
  threads = threads + 1
end
statuses = {{}}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  local merged = {{}}
  for _, t in ipairs(all_threads) do
    for code, count in pairs(t:get("statuses")) do merged[code] = (merged[code] or 0) + count end
  end
  for code, count in pairs(merged) do io.write(string.format("status %d %d\\n", code, count)) end
end
local n = 0
local posted = 0
request = function()
  n = n + 1
  local r = requests[(n % #requests) + 1]
  local headers = {{["Authorization"] = "Bearer " .. token}}
  if r.body or r.bodies then headers["Content-Type"] = "application/json" end
  local path = r.path
  -- each wrk thread posts to its own half of the event shipments, so two requests never race for one; its
  -- own counter, so every shipment of the half takes its turn (n, shared with the other endpoints of a
  -- mixed run, reached only every fourth one, and their histories grew four times as long)
  if r.rotate then
    posted = posted + 1
    path = string.format(r.path, (id or 0) * {per_thread} + (posted % {per_thread}))
  end
  local body = r.body
  if r.bodies then body = r.bodies[(n % #r.bodies) + 1] end
  return wrk.format(r.method, path, headers, body)
end
"""
WRK_THREADS = 2


@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    body: str | None = None
    rotate: bool = False
    read: bool = True
    bodies: list[str] | None = None  # sent in turn instead of `body`

    def lua(self) -> str:
        body = "nil" if self.body is None else json.dumps(self.body)
        rotate = "true" if self.rotate else "false"
        bodies = "nil" if not self.bodies else "{" + ", ".join(json.dumps(b) for b in self.bodies) + "}"
        return (f'table.insert(requests, {{method="{self.method}", path="{self.path}", body={body}, '
                f'rotate={rotate}, bodies={bodies}}})')  # fmt: skip


def screening_names() -> list[str]:
    """What an importer screens: makers, sellers, brokers and forwarders, a few of them listed (~3% hits).

    Different names in turn, so every request does the whole match; one name repeated would measure
    only the parts that do not depend on the name.
    """
    named = ["Sophgo Technologies Ltd", "Huawei Technologies Co., Ltd.", "Bitmain Technologies Ltd.", "Canaan Inc.",
             "MicroBT Electronics Technology Co., Ltd.", "Bayview Customs Brokerage Inc.",
             "Ridgeline Digital Mining Inc.", "Hangzhou Ebang Technology Co Ltd"]  # fmt: skip
    cities = ["Shenzhen", "Hangzhou", "Beijing", "Hong Kong", "Singapore", "Kuala Lumpur", "Dallas", "Houston"]
    words = ["Bright Star", "Golden Hash", "Pacific Rim", "Blue Ocean", "Northern Light", "Great Wall", "Silver Line",
             "Evergreen", "Jade Dragon", "Summit"]  # fmt: skip
    forms = ["Trading Co., Ltd.", "Logistics Limited", "Electronics Technology Co Ltd"]
    return named + [f"{c} {w} {f}" for c in cities for w in words for f in forms]


@dataclass
class WrkRun:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    statuses: dict[int, int]
    mean_ms: float = 0.0
    max_ms: float = 0.0

    def in_flight(self) -> float:
        """Little's law: requests in flight on average (= throughput x mean latency). A closed loop keeps one
        per connection, so this should be close to the connection count: a p99 the mean cannot hold (more
        latency than the connections had time for) is wrk's histogram, not the server."""
        return self.rps * self.mean_ms / 1000

    def status_text(self) -> str:
        return ", ".join(f"{count:,} x {code}" for code, count in sorted(self.statuses.items()))


def endpoints(reference: str) -> list[Endpoint]:
    event = json.dumps({"event": "release", "date": dt.date.today().isoformat(), "quantity": 1})
    return [
        Endpoint("GET /api/v1/shipments", "GET", "/api/v1/shipments"),
        Endpoint("GET /api/v1/shipments/{ref}", "GET", f"/api/v1/shipments/{reference}"),
        Endpoint("POST /api/v1/shipments/{ref}/events", "POST", "/api/v1/shipments/LOAD-%d/events", event,
                 rotate=True, read=False),  # fmt: skip
        Endpoint("POST /api/v1/screen", "POST", "/api/v1/screen",
                 bodies=[json.dumps({"name": name}) for name in screening_names()]),  # fmt: skip
    ]


def prepare(settings: Settings) -> tuple[str, str]:
    """Demo data, the screening index on disk, and an operator token; returns (token, a demo reference).

    The index is built here, as `rigport demo` or the first screening does, so workers load it from disk
    (~1 s) during the warm-up instead of each building it (several seconds) into the measured run.
    """
    demo.seed(settings)
    screening.get_index(settings)
    token, _ = create_token("operator", label="bench-load", settings=settings)
    reference = sorted(s["reference"] for s in shipments.list_shipments(settings=settings) if "DEMO" in s["reference"])
    return token, reference[0]


def add_event_shipments(settings: Settings) -> None:
    """Entered shipments with a million units each, so every POSTed partial release is allowed.

    Added after the read runs, so those measure the six demo shipments as a user sees them.
    """
    for n in range(EVENT_SHIPMENTS):
        draft = shipments.ShipmentDraft(f"LOAD-{n}", "vessel", "Oakland", dt.date.today() - dt.timedelta(days=3),
                                        1_000_000, Decimal(1_000_000))  # fmt: skip
        shipments.create_shipment(draft, "bench", settings)
        shipments.record_event(f"LOAD-{n}", "entry-filed", dt.date.today(), "bench", settings=settings)


def longest_history(settings: Settings) -> int:
    """The most events any one shipment has: what the biggest event-post response carries."""
    from sqlalchemy import func, select

    from rigport.adapters.db.engine import get_engine
    from rigport.adapters.db.tables import EventRow

    counts = select(func.count().label("n")).select_from(EventRow).group_by(EventRow.shipment_id).subquery()
    with get_engine(settings).connect() as connection:
        return int(connection.scalar(select(func.max(counts.c.n))) or 0)


@contextmanager
def server(settings: Settings) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    from tests.pg import _free_port

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGPORT_")}
    env["RIGPORT_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        env["RIGPORT_DATABASE_URL"] = settings.database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "rigport", "serve", "--port", str(port), "--workers", str(WORKERS), "--no-access-log"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("rigport serve did not start")
        yield url, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


def rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants (uvicorn master + workers), MiB."""
    total_kib = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total_kib += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, AttributeError):
            continue
        pids.extend(int(c) for c in children)
    return total_kib / 1024


@contextmanager
def rss_samples(pid: int, every: float) -> Iterator[list[float]]:
    """`rss_mib(pid)` every `every` seconds while the block runs, in a list filled as it goes."""
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(every):
            samples.append(rss_mib(pid))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        stop.set()
        thread.join()


def wrk(url: str, token: str, chosen: list[Endpoint], seconds: int, connections: int = CONNECTIONS) -> WrkRun:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(token=token, requests="\n".join(e.lua() for e in chosen),
                                per_thread=EVENT_SHIPMENTS // WRK_THREADS))  # fmt: skip
    try:
        result = subprocess.run(
            ["wrk", f"-t{min(WRK_THREADS, connections)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
             "--latency", "-s", script.name, url],
            capture_output=True, text=True, check=True, timeout=seconds + 60,
        )  # fmt: skip
        if result.stderr.strip():  # a Lua error makes wrk fall back to GET / and measure nothing useful
            raise RuntimeError(f"wrk: {result.stderr.strip()[:500]}")
        out = result.stdout
    finally:
        os.unlink(script.name)
    return parse_wrk(out)


def paced(url: str, token: str, endpoint: Endpoint, rate: int, seconds: int) -> PacedRun:
    """`benchmarks.paced` in its own process: `rate` requests a second on a schedule (open loop)."""
    spec = [[endpoint.method, endpoint.path, body] for body in (endpoint.bodies or [endpoint.body])]
    before = cpu_times()
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.paced", url, "--token", token, "--rate", str(rate),
         "--seconds", str(seconds), "--spec", json.dumps(spec)],
        capture_output=True, text=True, check=True, timeout=seconds + 120, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    run = PacedRun(**json.loads(result.stdout))
    run.cpu_busy, run.cpu_steal = cpu_shares(before, cpu_times())
    print(f"   paced {endpoint.name}: {run}", flush=True)
    return run


def cpu_times() -> list[int]:
    """The machine's CPU time by state (user, nice, system, idle, iowait, irq, softirq, steal), in ticks."""
    return [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]


def cpu_shares(before: list[int], after: list[int]) -> tuple[float, float]:
    """Between two `cpu_times`: the share of the machine's CPU time not idle (steal counts as busy: not
    ours), and the share the hypervisor ran other machines on (steal: a noisy neighbour)."""
    spent = [b - a for a, b in zip(before, after, strict=True)]
    total = max(1, sum(spent))
    return 1 - (spent[3] + spent[4]) / total, spent[7] / total


def paced_results(label: str, run: PacedRun) -> list[Result]:
    """The latency target is met at the target rate: p99 under 50 ms, every request answered with a 2xx."""
    outcomes = ", ".join(f"{count:,} x {outcome}" for outcome, count in sorted(run.outcomes.items()))
    return [
        Result("load", f"{label} p99 latency paced at {run.rate:,.0f} req/s (open loop, {SECONDS}s)", run.p99_ms, "ms",
               baseline=f"p50 {run.p50_ms:.1f} ms, max {run.max_ms:.0f} ms, answered {run.achieved:,.0f} req/s, "
                        f"machine CPU {run.cpu_busy:.0%} busy (server, generator and all; steal "
                        f"{run.cpu_steal:.0%}), generator {run.generator_cores:.2f} cores",
               target=f"< {P99_TARGET_MS:g} ms", passed=run.p99_ms < P99_TARGET_MS),
        Result("load", f"{label} paced errors of {run.requests:,}", run.errors, "count", baseline=outcomes,
               target="0", passed=run.errors == 0),
    ]  # fmt: skip


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(out: str) -> WrkRun:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(g) for g in sockets.groups()) if sockets else 0)
    statuses = {int(code): int(count) for code, count in re.findall(r"^status (\d+) (\d+)$", out, re.M)}
    mean, _, top = re.search(r"^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)", out, re.M).groups()  # type: ignore[union-attr]
    return WrkRun(rps, p50, p99, total, errors, statuses, _ms(mean), _ms(top))


def measure(db: str, settings: Settings) -> list[Result]:
    token, reference = prepare(settings)
    results: list[Result] = []
    with server(settings) as (url, process):
        chosen = endpoints(reference)
        reads = [e for e in chosen if e.read]
        wrk(url, token, reads, 5, connections=8)  # warm-up: screening index, connection pools, caches
        for endpoint in [*reads, *(e for e in chosen if not e.read)]:
            if not endpoint.read:
                add_event_shipments(settings)
            if endpoint.read:  # service time without queueing: what one request costs on this machine
                alone = wrk(url, token, [endpoint], 5, connections=1)
                results.append(Result("load", f"{db} {endpoint.name} one connection (no queueing) p50 / p99",
                                      alone.p50_ms, "ms", baseline=f"p99 {alone.p99_ms:.1f} ms, {alone.rps:.0f} req/s"))
            run = wrk(url, token, [endpoint], SECONDS)
            print(f"   {db} {endpoint.name}: {run}", flush=True)
            rps_ok = run.rps >= READ_TARGET_RPS if endpoint.read else None
            label = f"{db} {endpoint.name}"
            results += [
                Result("load", f"{label} throughput ({WORKERS} workers, {CONNECTIONS} conns, {SECONDS}s)", run.rps,
                       "req/s", target=f">= {READ_TARGET_RPS}" if endpoint.read else "", passed=rps_ok),
                Result("load", f"{label} p50 latency", run.p50_ms, "ms"),
                Result("load", f"{label} p99 latency at saturation ({CONNECTIONS} conns busy)", run.p99_ms, "ms",
                       baseline=f"mean {run.mean_ms:.1f} ms, max {run.max_ms:,.0f} ms; in flight by Little's law "
                                f"{run.in_flight():.1f} of {CONNECTIONS}"),
                Result("load", f"{label} errors (non-2xx + socket) of {run.requests:,}", run.errors, "count",
                       baseline=run.status_text(), target="0", passed=run.errors == 0),
            ]  # fmt: skip
            if endpoint.read:
                results += paced_results(label, paced(url, token, endpoint, READ_TARGET_RPS, SECONDS))
        before = rss_mib(process.pid)
        with rss_samples(process.pid, every=SOAK_SECONDS / 10) as samples:
            soak = wrk(url, token, chosen, SOAK_SECONDS, connections=16)
        after = rss_mib(process.pid)
        history = longest_history(settings)
        middle = samples[len(samples) // 2] if samples else before
        series = ", ".join(f"{m:.0f}" for m in samples)
        print(f"   {db} soak {SOAK_SECONDS}s: {soak}; RSS {before:.0f} -> {after:.0f} MiB ({series})", flush=True)
        results += [
            Result("load", f"{db} mixed soak {SOAK_SECONDS}s throughput", soak.rps, "req/s"),
            Result("load", f"{db} mixed soak p99 latency", soak.p99_ms, "ms"),
            Result("load", f"{db} mixed soak errors of {soak.requests:,}", soak.errors, "count",
                   baseline=soak.status_text(), target="0", passed=soak.errors == 0),
            Result("load", f"{db} server RSS growth over soak ({WORKERS} workers)", after - before, "MiB",
                   baseline=f"RSS {before:.0f} MiB before, {after:.0f} MiB after; every {SOAK_SECONDS / 10:.0f} s: "
                            f"{series}", ratio=after / before),
            Result("load", f"{db} server RSS growth over the soak's second half", after - middle, "MiB",
                   baseline=f"{middle:.0f} -> {after:.0f} MiB while events are still being added (longest "
                            f"history {history} events)",
                   ratio=after / middle, target="< 2% (levels off)", passed=after < middle * 1.02),
        ]  # fmt: skip
    return results


def run() -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results += measure("SQLite", Settings(data_dir=Path(tmp) / "sqlite"))
    from tests.pg import create_database, pg_bin_dir, throwaway_cluster

    if pg_bin_dir() is not None:
        with throwaway_cluster() as base, tempfile.TemporaryDirectory() as tmp:
            from rigport.services import db

            settings = Settings(data_dir=Path(tmp), database_url=create_database(base, "bench_load"))
            db.upgrade(settings)
            results += measure("PostgreSQL", settings)
    return results
