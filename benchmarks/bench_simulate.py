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
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from benchmarks.harness import Result
from rigport.services import simulation as simulation_service
from rigport.simulate.engine import (
    BLOCKS_PER_DAY,
    FAN_BINS,
    FAN_RANGE,
    HASHES_PER_DIFFICULTY_1,
    RETARGET_DAYS,
    PathDraws,
    SimulationParams,
    run_chunk,
    subsidy_btc,
)

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


@dataclass
class LoopResult:
    """Per-path outputs of the plain-Python loop, in the engine's terms (ChunkResult)."""

    npv: list[float]
    payback_day: list[int]
    hold_cost: list[float]
    final_cum_margin: list[float]
    final_price: list[float]
    price_hist: list[list[int]]
    difficulty_hist: list[list[int]]


def python_draws(params: SimulationParams, n_paths: int, rng: random.Random) -> PathDraws:
    """The engine's per-path draws made with the standard library (for the benchmark's plain-Python loop)."""
    p = params
    growth = [p.difficulty_growth + p.difficulty_growth_sd * rng.gauss(0, 1) for _ in range(n_paths)]
    fees = [p.fees_btc_per_block * math.exp(p.fees_sd * rng.gauss(0, 1) - p.fees_sd**2 / 2) for _ in range(n_paths)]
    held = [rng.random() < p.hold_probability for _ in range(n_paths)]
    scale = p.hold_days_mean / p.hold_days_shape
    hold_days = [math.ceil(rng.gammavariate(p.hold_days_shape, scale)) if h and scale > 0 else 0 for h in held]
    forfeited = [h and rng.random() < p.forfeiture_probability for h in held]
    return PathDraws(np.array(growth), np.array(fees), np.array(held), np.array(hold_days, dtype=np.float64),
                     np.array(forfeited))  # fmt: skip


def python_loop(params: SimulationParams, draws: PathDraws, normal: Callable[[int, int], float]) -> LoopResult:
    """The engine's model written the plain way: one path, then one day at a time, in floats.

    Everything that does not depend on the path (subsidy and discount factor per day, constants) is
    computed once, as a careful Python programmer would; `normal(day, path)` supplies the price shock.
    This is both the benchmark's baseline and the reference the engine is tested against.
    """
    p = params
    dt_year = 1 / 365
    heights = [p.start_height + day * BLOCKS_PER_DAY for day in range(p.days)]
    subsidy = [float(s) for s in subsidy_btc(np.array(heights, dtype=np.float64))]
    discount = [(1 + p.discount_rate) ** (-day * dt_year) for day in range(p.days)]
    fleet_hs = p.hashrate_th * 1e12 * p.units
    net_share = p.uptime * (1 - p.pool_fee)
    power = p.power_w * p.units / 1000 * 24 * p.uptime * p.power_price_usd_kwh
    mu = (p.price_drift - p.price_volatility**2 / 2) * dt_year
    sigma = p.price_volatility * math.sqrt(dt_year)
    capex = p.unit_price_usd * p.units
    lo, step, top = math.log(FAN_RANGE[0]), (math.log(FAN_RANGE[1]) - math.log(FAN_RANGE[0])) / FAN_BINS, FAN_BINS - 1
    exp, log = math.exp, math.log
    lead, start_price, start_difficulty = p.lead_time_days, p.start_price_usd, p.start_difficulty
    per_hash = fleet_hs * 86_400 / HASHES_PER_DIFFICULTY_1 * net_share * start_price
    price_hist = [[0] * FAN_BINS for _ in range(p.days)]
    difficulty_hist = [[0] * FAN_BINS for _ in range(p.days)]
    out = LoopResult([], [], [], [], [], price_hist, difficulty_hist)
    for path in range(draws.growth.size):
        growth, fee = float(draws.growth[path]), float(draws.fee_level[path])
        held, forfeited, hold_days = bool(draws.held[path]), bool(draws.forfeited[path]), float(draws.hold_days[path])
        waits = held and not forfeited
        start = math.inf if forfeited else lead + hold_days
        storage = p.storage_usd_per_unit_day * p.units * hold_days
        target = capex + storage
        retarget = exp(growth * RETARGET_DAYS * dt_year)
        log_price, difficulty, cum, npv, forgone, payback = 0.0, start_difficulty, 0.0, 0.0, 0.0, -1
        difficulty_bin = min(max(int(-lo / step), 0), top)
        for day in range(p.days):
            if day > 0:
                log_price += mu + sigma * normal(day, path)
                if day % RETARGET_DAYS == 0:
                    difficulty *= retarget
                    difficulty_bin = min(max(int((log(difficulty / start_difficulty) - lo) / step), 0), top)
            margin = max(per_hash * (subsidy[day] + fee) / difficulty * exp(log_price) - power, 0.0)  # off if losing
            if day >= start:
                cum += margin
                npv += margin * discount[day]
                if payback < 0 and cum >= target:
                    payback = day + 1
            elif waits and day >= lead:
                forgone += margin
            price_hist[day][min(max(int((log_price - lo) / step), 0), top)] += 1
            difficulty_hist[day][difficulty_bin] += 1
        out.npv.append(npv - capex - storage)
        out.payback_day.append(payback)
        out.hold_cost.append(storage + (capex if forfeited else 0.0) + forgone)
        out.final_cum_margin.append(cum)
        out.final_price.append(p.start_price_usd * exp(log_price))
    return out


def _python_loop_rate(paths: int) -> float:
    """Path-days per second of the plain-Python loop, draws included (random.Random, like the engine's rng)."""
    rng = random.Random(1)
    gauss = rng.gauss
    start = time.perf_counter()
    python_loop(PARAMS, python_draws(PARAMS, paths, rng), lambda day, path: gauss(0.0, 1.0))
    return paths * PARAMS.days / (time.perf_counter() - start)


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
    loop = _python_loop_rate(20)
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
