"""The load bench reads wrk's report (a real one, recorded from wrk 4 on this machine: 2 connections, 2 s)
and the machine's CPU ticks."""

from __future__ import annotations

import pytest
from benchmarks.bench_load import cpu_shares, parse_wrk

WRK_REPORT = """\
Running 2s test @ http://127.0.0.1:18765/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.46ms    1.12ms  12.79ms   78.35%
    Req/Sec   790.35     56.09     0.88k    60.00%
  Latency Distribution
     50%    2.27ms
     75%    2.91ms
     90%    3.71ms
     99%    6.22ms
  1577 requests in 2.00s, 1.31MB read
Requests/sec:    786.88
Transfer/sec:    667.84KB
"""


def test_a_wrk_report_is_read_whole() -> None:
    run = parse_wrk(WRK_REPORT)
    assert (run.rps, run.p50_ms, run.p99_ms, run.requests, run.errors) == (786.88, 2.27, 6.22, 1577, 0)
    assert (run.mean_ms, run.max_ms) == (2.46, 12.79)
    # a closed loop keeps one request in flight per connection: throughput x mean latency ~ 2
    assert run.in_flight() == pytest.approx(2, rel=0.05)


def test_seconds_and_errors_are_read() -> None:
    errors = "  Non-2xx or 3xx responses: 3\n  Socket errors: connect 0, read 1, write 0, timeout 2\n"
    report = WRK_REPORT.replace("12.79ms", "1.42s").replace("6.22ms", "1.40s")
    report = report.replace("Requests/sec", errors + "Requests/sec")
    run = parse_wrk(report)
    assert (run.max_ms, run.p99_ms, run.errors) == (1420.0, 1400.0, 6)


def test_busy_and_steal_shares_from_cpu_ticks() -> None:
    """/proc/stat order: user, nice, system, idle, iowait, irq, softirq, steal. Steal is busy (not ours)."""
    before = [100, 0, 50, 1000, 10, 0, 0, 5]
    after = [160, 0, 70, 1100, 20, 0, 0, 45]  # +60 user, +20 system, +100 idle, +10 iowait, +40 steal
    busy, steal = cpu_shares(before, after)
    assert busy == 120 / 230
    assert steal == 40 / 230
