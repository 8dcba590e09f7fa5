"""Monte Carlo engine: exact agreement with the deterministic economics, GBM moments, halvings, seeds, Dask."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest

from rigport.domain.economics import MiningInputs, unit_economics
from rigport.domain.simulate.engine import SimulationParams, run_chunk, subsidy_btc
from rigport.services.simulation import chunk_plan, run
from tests.helpers import run_cli

BASE = SimulationParams(
    hashrate_th=200, power_w=3500, units=10, unit_price_usd=3400, power_price_usd_kwh=0.05, days=365,
    start_price_usd=90_000, start_difficulty=120e12, start_height=900_000, fees_btc_per_block=0.05,
    price_volatility=0.0, difficulty_growth=0.0, difficulty_growth_sd=0.0, fees_sd=0.0,
)  # fmt: skip


def test_zero_volatility_no_hold_equals_deterministic_economics() -> None:
    result = run_chunk(BASE, 50, 7)
    econ = unit_economics(MiningInputs(
        hashrate_th=200, power_w=3500, units=10, power_price_usd_kwh=Decimal("0.05"), difficulty=120e12,
        price_usd=90_000, fees_btc_per_block=0.05, height=900_000, unit_price_usd=Decimal(3400),
    ))  # fmt: skip
    expected = float(econ.daily_margin_usd) * 365
    assert np.allclose(result.final_cum_margin, result.final_cum_margin[0])  # every path identical
    assert result.final_cum_margin[0] == pytest.approx(expected, abs=0.01 * 365)  # economics rounds to cents/day
    assert econ.payback_days is not None
    if econ.payback_days <= 365:
        assert result.payback_day[0] in (econ.payback_days - 1, econ.payback_days)
    else:
        assert result.payback_day[0] == -1


def test_mean_price_matches_gbm_expectation() -> None:
    params = replace(BASE, price_volatility=0.6, price_drift=0.2)
    result = run_chunk(params, 40_000, 11)
    expected = 90_000 * np.exp(0.2 * 364 / 365)
    standard_error = result.final_price.std() / np.sqrt(result.final_price.size)
    assert abs(result.final_price.mean() - expected) < 4 * standard_error


def test_halving_falls_on_the_schedule() -> None:
    assert subsidy_btc(np.array([1_049_999.0, 1_050_000.0])).tolist() == [3.125, 1.5625]
    start = 1_050_000 - 144 * 10  # the halving lands on day 10
    before = run_chunk(replace(BASE, start_height=start, days=10, fees_btc_per_block=0.0), 1, 1)
    after = run_chunk(replace(BASE, start_height=start, days=11, fees_btc_per_block=0.0), 1, 1)
    day10 = after.final_cum_margin[0] - before.final_cum_margin[0]
    day9 = before.final_cum_margin[0] / 10
    power = 3500 * 10 / 1000 * 24 * 0.97 * 0.05
    assert day10 + power == pytest.approx((day9 + power) / 2, rel=1e-9)


def test_holds_delay_payback_and_cost_money() -> None:
    free = run(replace(BASE, days=1095), 5_000, 3)
    held = run(replace(BASE, days=1095, hold_probability=1.0, hold_days_mean=90, storage_usd_per_unit_day=2.0),
               5_000, 3)  # fmt: skip
    assert held["expected_hold_cost_usd"] > 90 * 2 * 10
    assert held["npv_usd"]["mean"] < free["npv_usd"]["mean"]
    assert held["payback_day"]["p50"] > free["payback_day"]["p50"]


def test_same_seed_same_numbers_and_chunking_is_fixed() -> None:
    params = replace(BASE, price_volatility=0.5, hold_probability=0.3, days=200)
    a, b, c = run(params, 25_000, 5), run(params, 25_000, 5), run(params, 25_000, 6)
    assert a["npv_usd"] == b["npv_usd"] and a["payback_day"] == b["payback_day"]
    assert a["npv_usd"] != c["npv_usd"]
    assert [size for size, _ in chunk_plan(25_000, 5)] == [10_000, 10_000, 5_000]


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_results() -> None:
    params = replace(BASE, price_volatility=0.5, hold_probability=0.3, days=120)
    local = run(params, 25_000, 9)
    distributed = run(params, 25_000, 9, workers=2)
    assert distributed["npv_usd"] == local["npv_usd"]
    assert distributed["payback_probability"] == local["payback_probability"]
    assert distributed["fan_chart"] == local["fan_chart"]


def test_cli_contract_and_plot(tmp_path: object) -> None:
    result = run_cli("simulate", "--model", "antminer-s21", "--units", "10", "--unit-price", "3000", "--power-price",
                     "0.05", "--paths", "2000", "--days", "90", "--seed", "3", "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"npv_usd", "payback_probability", "payback_day", "expected_hold_cost_usd", "paths", "days", "seed"} <= set(
        data
    )
    assert data["paths"] == 2000 and data["seed"] == 3 and set(data["npv_usd"]) == {"p5", "p50", "p95", "mean"}
    bad = run_cli("simulate", "--model", "antminer-s21", "--units", "10", "--power-price", "0.05", "--hold-prob", "2")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_compare_ranks_options(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "options.toml"
    path.write_text('[[option]]\nname = "China now"\nmodel = "antminer-s21"\nunits = 100\nunit_price = 3400\n'
                    'hold_prob = 0.9\nhold_days_mean = 120\n\n[[option]]\nname = "Malaysia"\nmodel = "sealminer-a2"\n'
                    'units = 100\nunit_price = 3400\nhold_prob = 0.0\n')  # fmt: skip
    result = run_cli("simulate", "compare", "--options", str(path), "--paths", "2000", "--days", "365", "--json")
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout)["options"]
    assert options[0]["name"] == "Malaysia"
    assert sum(o["probability_best"] for o in options) == pytest.approx(1.0)


def test_country_share_loss_only_while_held() -> None:
    from rigport.domain.simulate.country import us_share_path

    path = us_share_path(held_units=10_000, hashrate_th=200, hold_days=60, days=120, difficulty=114e12,
                         network_growth=0.0)  # fmt: skip
    network = 114e12 * 2**32 / 600
    expected_gain = (network * 0.438 + 2e18) / (network + 2e18) - 0.438
    assert path[0].points_lost == pytest.approx(expected_gain * 100)
    assert all(d.points_lost > 0 for d in path[:60]) and all(d.points_lost == 0 for d in path[60:])
    result = run_cli("simulate", "country-share", "--held-units", "10000", "--hold-days", "60", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["max_share_points_lost"] > 0
