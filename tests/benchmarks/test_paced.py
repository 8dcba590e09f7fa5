"""The open-loop load generator (benchmarks/paced.py) against a small real HTTP server on loopback.

The load bench's latency target rests on it, so it must keep its schedule, charge a slow server for the
queue it causes, and not count a keep-alive connection the server closed as the server's error.
"""

from __future__ import annotations

import asyncio

from benchmarks.paced import PacedRun, raw_request, run_paced

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


async def serve_and_load(
    delay: float, rate: float, seconds: float, connections: int, answers_per_connection: int = 0
) -> tuple[PacedRun, int]:
    """A server answering every request after `delay` s (closing each connection after so many answers, when
    set), loaded by `run_paced`; returns the run and how many requests the server saw."""
    seen = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal seen
        answered = 0
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                seen += 1
                if answers_per_connection and answered == answers_per_connection:
                    break  # as uvicorn does with a keep-alive connection left idle too long: close, no answer
                await asyncio.sleep(delay)
                writer.write(ANSWER)
                await writer.drain()
                answered += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        request = raw_request(f"127.0.0.1:{port}", "GET", "/", "t", None)
        run = await run_paced(f"http://127.0.0.1:{port}", [request], rate, seconds, connections)
    return run, seen


def test_a_quick_server_is_loaded_at_the_rate_asked() -> None:
    run, seen = asyncio.run(serve_and_load(delay=0.0, rate=200, seconds=0.5, connections=4))
    assert run.requests == seen == 100 and run.outcomes == {"200": 100} and run.errors == 0
    assert 150 < run.achieved <= 205
    assert run.p99_ms < 50
    assert 0 < run.generator_cores < 1.5  # its own CPU (here with the server's: one process)


def test_latency_counts_from_when_a_request_was_due() -> None:
    """One connection, 50 ms a request, 100 requests a second asked: the server answers 20 a second, so the
    30th request, due at 0.29 s, is answered at 1.5 s. A closed-loop client would report 50 ms throughout."""
    run, _ = asyncio.run(serve_and_load(delay=0.05, rate=100, seconds=0.3, connections=1))
    assert run.outcomes == {"200": 30}
    assert run.p50_ms > 500 and 1100 < run.max_ms < 1600


def test_a_connection_the_server_closed_is_replaced_not_counted_as_an_error() -> None:
    run, seen = asyncio.run(serve_and_load(delay=0.0, rate=100, seconds=0.3, connections=2, answers_per_connection=3))
    assert run.outcomes == {"200": 30} and run.errors == 0
    assert seen > 30  # the requests sent on closed connections, sent again
