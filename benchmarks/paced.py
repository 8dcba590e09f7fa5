"""An open-loop load generator: requests sent on a fixed schedule, latency counted from the scheduled time.

wrk keeps each of its connections busy, so it measures the server at saturation: the throughput it can
reach, and the latency of requests that queue behind everything the other 31 connections sent. The load
target of issue 9 is a rate *and* a latency ("reads at 1,000 req/s with p99 < 50 ms"): the latency a client
sees when the server is offered that rate. wrk 4 cannot pace its requests (wrk2's `-R` is not in Debian),
hence this: request i is due at start + i / rate, whether or not earlier ones have been answered, and its
latency runs from when it was due, so a server that falls behind is charged for the wait it causes
(no "coordinated omission"). Requests that find every connection busy wait for one, and that wait counts.

Run in its own process (`python -m benchmarks.paced`, JSON on stdout) so the generator does not share a
GIL with the bench driver; raw HTTP/1.1 over asyncio streams keeps its own CPU cost small.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Coroutine
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class PacedRun:
    rate: float  # offered, req/s
    achieved: float  # answered per second of the schedule
    p50_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    errors: int  # non-2xx answers and failed exchanges
    outcomes: dict[str, int]  # status code or exception name -> count
    generator_cores: float = 0.0  # CPU the generator itself used, in cores (the server runs on the same ones)
    cpu_busy: float = 0.0  # the machine's busy share meanwhile, filled in by the caller (bench_load)
    cpu_steal: float = 0.0  # the share the hypervisor gave to other machines meanwhile (idem)


def raw_request(host: str, method: str, path: str, token: str, body: str | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Authorization: Bearer {token}"]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body.encode())}"]
    return ("\r\n".join(lines) + "\r\n\r\n" + (body or "")).encode()


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Send one request, read its whole answer (Content-Length framed, as the API's are); the status."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def run_paced(url: str, requests: list[bytes], rate: float, seconds: float, connections: int) -> PacedRun:
    parts = urlsplit(url)
    idle: asyncio.LifoQueue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.LifoQueue()
    for _ in range(connections):
        idle.put_nowait(await asyncio.open_connection(parts.hostname, parts.port))
    latencies: list[float] = []
    outcomes: dict[str, int] = {}

    async def one(due: float, request: bytes) -> None:
        reader, writer = await idle.get()
        for attempt in (1, 2):
            try:
                outcome = str(await _exchange(reader, writer, request))
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                outcome = type(exc).__name__
                writer.close()
                reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                # a connection left idle past the server's keep-alive timeout is closed without an answer;
                # clients send again on a new one, as here (once)
                if attempt == 1 and isinstance(exc, asyncio.IncompleteReadError) and not exc.partial:
                    continue
            else:
                latencies.append(time.perf_counter() - due)
            break
        idle.put_nowait((reader, writer))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    total = int(rate * seconds)
    cpu_start = time.process_time()
    start = time.perf_counter() + 0.05
    tasks = []
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, requests[i % len(requests)])))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    generator_cores = (time.process_time() - cpu_start) / max(elapsed, 1e-9)
    while not idle.empty():
        idle.get_nowait()[1].close()
    ordered = sorted(latencies) or [0.0]

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    errors = sum(count for outcome, count in outcomes.items() if not outcome.startswith("2"))
    return PacedRun(rate, len(latencies) / max(elapsed, seconds), at(0.50), at(0.99), ordered[-1] * 1000, total,
                    errors, outcomes, generator_cores)  # fmt: skip


def _run(main: Coroutine[Any, Any, PacedRun]) -> PacedRun:
    """On uvloop when installed (it is, with the server's dependencies): the generator shares the machine's two
    cores with the server it measures, and on asyncio's own loop it took ~27% of a core at 1,000 req/s."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--spec", required=True, help="JSON list of [method, path, body or null]")
    args = parser.parse_args(argv)
    host = urlsplit(args.url).netloc
    requests = [raw_request(host, m, p, args.token, b) for m, p, b in json.loads(args.spec)]
    result = _run(run_paced(args.url, requests, args.rate, args.seconds, args.connections))
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
