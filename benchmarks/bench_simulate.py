"""Simulation speed against the cost of its own random numbers, a plain-Python loop, and 2 Dask workers.

Targets (issue 7): on one core, path-days/s >= 50% of the rate numpy default_rng makes the float32
standard normals the model needs; >= 100x a plain-Python loop of the same model; near-linear speed-up
from 1 to 2 local workers; 1,000,000 paths x 1,095 days within 2 GB.
"""

from __future__ import annotations

import math
import random
import resource
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np

from benchmarks.harness import Result
from rigport.services import simulation as simulation_service
from rigport.simulate.engine import SimulationParams, run_chunk

PARAMS = SimulationParams(
    hashrate_th=200, power_w=3500, units=500, unit_price_usd=3400, power_price_usd_kwh=0.05, days=1095,
    start_price_usd=96_000, start_difficulty=114e12, start_height=883_000, fees_btc_per_block=0.03,
    hold_probability=0.3, hold_days_mean=60,
)  # fmt: skip


def _normals_rate(paths: int, days: int) -> float:
    rng = np.random.default_rng(1)
    start = time.perf_counter()
    for _ in range(days):
        rng.standard_normal(paths, dtype=np.float32)
    return paths * days / (time.perf_counter() - start)


def _python_loop_rate(paths: int, days: int) -> float:
    """The same daily model, one path and one day at a time in plain Python."""
    p = PARAMS
    rng = random.Random(1)
    start = time.perf_counter()
    for _ in range(paths):
        log_price, difficulty, cum = math.log(p.start_price_usd), p.start_difficulty, 0.0
        for day in range(days):
            log_price += -(p.price_volatility**2) / 2 / 365 + p.price_volatility * math.sqrt(1 / 365) * rng.gauss(0, 1)
            if day % 14 == 0:
                difficulty *= math.exp(p.difficulty_growth * 14 / 365)
            revenue = p.hashrate_th * 1e12 * p.units * 86_400 * 3.155 / (difficulty * 2**32) * 0.97 * 0.98
            cum += max(revenue * math.exp(log_price) - 3500 * p.units / 1000 * 24 * 0.97 * p.power_price_usd_kwh, 0)
    return paths * days / (time.perf_counter() - start)


def _peak_rss_mb(paths: int) -> float:
    code = ("from benchmarks.bench_simulate import PARAMS; from rigport.services.simulation import run; "
            f"run(PARAMS, {paths}, 1)")  # fmt: skip
    subprocess.run([sys.executable, "-c", code], check=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_bench() -> list[Result]:
    paths = 20_000
    start = time.perf_counter()
    run_chunk(PARAMS, paths, 1)
    engine_rate = paths * PARAMS.days / (time.perf_counter() - start)
    normals = _normals_rate(paths, PARAMS.days)
    loop = _python_loop_rate(20, PARAMS.days)
    small = replace(PARAMS, days=365)
    t0 = time.perf_counter()
    simulation_service.run(small, 80_000, 1, workers=1)
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    simulation_service.run(small, 80_000, 1, workers=2)
    two = time.perf_counter() - t0
    results = [
        Result("simulate", "path-days per second, one core", engine_rate, "path-days/s",
               baseline=f"float32 normals {normals:,.0f}/s", ratio=engine_rate / normals, target=">= 0.5",
               passed=engine_rate / normals >= 0.5),
        Result("simulate", "speed-up over a plain-Python loop", engine_rate / loop, "x",
               baseline=f"python loop {loop:,.0f} path-days/s", ratio=engine_rate / loop, target=">= 100x",
               passed=engine_rate / loop >= 100),
        Result("simulate", "speed-up 1 -> 2 local Dask workers (80k x 365)", one / two, "x",
               baseline=f"1 worker {one:.1f} s", ratio=one / two, target="near 2x (2 shared cores)"),
    ]  # fmt: skip
    rss = _peak_rss_mb(1_000_000)
    results.append(Result("simulate", "peak RSS, 1,000,000 paths x 1,095 days", rss, "MB", target="<= 2048 MB",
                          passed=rss <= 2048))  # fmt: skip
    return results


def run() -> list[Result]:
    return run_bench()
