"""The vectorised engine against the plain-Python loop of the same model, fed the same random numbers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from benchmarks.bench_simulate import python_loop

from rigport.domain.simulate.engine import SimulationParams, draw_paths, run_chunk

MARKET = SimulationParams(
    hashrate_th=200, power_w=3500, units=10, unit_price_usd=600, power_price_usd_kwh=0.09, days=200,
    start_price_usd=90_000, start_difficulty=120e12, start_height=1_050_000 - 144 * 75, fees_btc_per_block=0.05,
    price_volatility=0.8, hold_probability=0.5, hold_days_mean=40, forfeiture_probability=0.2,
    storage_usd_per_unit_day=1.5, lead_time_days=5,
)  # fmt: skip
CASES = {
    "holds, forfeiture, lead time, a halving, losing days": MARKET,
    "no holds, long horizon": replace(MARKET, hold_probability=0.0, lead_time_days=0, days=400,
                                      power_price_usd_kwh=0.05),  # fmt: skip
    "lead time inside the first block, no fees": replace(MARKET, lead_time_days=20, fees_btc_per_block=0.0, days=61,
                                                         unit_price_usd=60),  # fmt: skip
    "nothing to earn (no subsidy, no fees)": replace(MARKET, start_height=64 * 210_000, fees_btc_per_block=0.0),
    "free units, mostly switched off": replace(MARKET, unit_price_usd=0.0, storage_usd_per_unit_day=0.0,
                                               power_price_usd_kwh=0.2),  # fmt: skip
}
@pytest.mark.parametrize("params", CASES.values(), ids=list(CASES))
def test_engine_equals_the_plain_loop_path_by_path(params: SimulationParams) -> None:
    n, seed = 300, 42
    engine = run_chunk(params, n, seed)
    rng = np.random.default_rng(seed)  # the engine's draw order: per-path draws, then day-major normals
    draws = draw_paths(params, n, rng)
    normals = rng.standard_normal((params.days - 1, n), dtype=np.float32).astype(np.float64)
    loop = python_loop(params, draws, lambda day, path: float(normals[day - 1, path]))
    power_per_day = params.power_w * params.units / 1000 * 24 * params.uptime * params.power_price_usd_kwh
    scale = max(params.unit_price_usd * params.units, power_per_day * params.days)  # float32: relative to the flows
    assert np.allclose(engine.npv, loop.npv, rtol=1e-5, atol=1e-5 * scale)
    assert np.allclose(engine.final_cum_margin, loop.final_cum_margin, rtol=1e-5, atol=1e-5 * scale)
    assert np.allclose(engine.hold_cost, loop.hold_cost, rtol=1e-5, atol=1e-5 * scale)
    assert np.allclose(engine.final_price, loop.final_price, rtol=1e-5)
    assert np.array_equal(engine.payback_day, np.array(loop.payback_day))  # (a tie at float32 rounding could differ)
    assert not np.isnan(engine.npv).any() and not np.isnan(engine.hold_cost).any()
    assert np.array_equal(engine.difficulty_hist, np.array(loop.difficulty_hist))
    moved = np.abs(engine.price_hist - np.array(loop.price_hist)).sum() / 2  # a count off by one bin moves 1
    assert moved <= 1e-3 * n * params.days
