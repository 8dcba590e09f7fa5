"""The simulation engine: vectorised over paths, streamed over days, chunked over paths.

Memory is O(paths in a chunk), never paths x days: each day updates per-path state (price,
difficulty, cumulative margin) and adds to fixed per-day histograms for the fan chart. Chunks have a
fixed size and their own seed (numpy SeedSequence.spawn), so results do not depend on how many
workers ran them. Model and defaults: docs/simulation.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from rigport.chain.subsidy import HALVING_INTERVAL_BLOCKS, INITIAL_SUBSIDY_SAT, SATS_PER_BTC
from rigport.errors import InputError

BLOCKS_PER_DAY = 144
HASHES_PER_DIFFICULTY_1 = 2.0**32
RETARGET_DAYS = 14  # 2016 blocks at 144 a day
FAN_BINS = 240  # log-spaced histogram bins per day for the fan chart
FAN_RANGE = (0.02, 50.0)  # bins cover start value x 0.02 ... x 50
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SimulationParams:
    """One sourcing option and the market around it. Rates are annual unless named per day."""

    hashrate_th: float
    power_w: float
    units: int
    unit_price_usd: float
    power_price_usd_kwh: float
    days: int
    start_price_usd: float
    start_difficulty: float
    start_height: int
    fees_btc_per_block: float
    pool_fee: float = 0.02
    uptime: float = 0.97
    price_drift: float = 0.0
    price_volatility: float = 0.55
    difficulty_growth: float = 0.35
    difficulty_growth_sd: float = 0.15
    fees_sd: float = 0.5  # lognormal sigma of the per-path average fee level
    hold_probability: float = 0.0
    hold_days_mean: float = 60.0
    hold_days_shape: float = 2.0  # gamma shape: holds cluster around the mean with a long tail
    storage_usd_per_unit_day: float = 0.0
    forfeiture_probability: float = 0.0  # given a hold: the goods are lost
    lead_time_days: int = 0
    discount_rate: float = 0.10

    def validate(self) -> None:
        checks = [
            (self.hashrate_th > 0 and self.power_w > 0, "model", "positive hashrate and power"),
            (self.units >= 1, "units", "at least 1"),
            (self.unit_price_usd >= 0, "unit_price", "0 or more"),
            (self.power_price_usd_kwh >= 0, "power_price", "0 or more"),
            (1 <= self.days <= 3650, "days", "1 to 3650"),
            (self.start_price_usd > 0 and self.start_difficulty > 0, "network", "a positive price and difficulty"),
            (0 <= self.hold_probability <= 1, "hold_prob", "a probability from 0 to 1"),
            (self.hold_days_mean >= 0, "hold_days_mean", "0 or more days"),
            (0 <= self.forfeiture_probability <= 1, "forfeit_prob", "a probability from 0 to 1"),
            (self.price_volatility >= 0 and self.difficulty_growth_sd >= 0, "volatility", "0 or more"),
            (0 <= self.pool_fee < 1 and 0 < self.uptime <= 1, "pool_fee/uptime", "fractions"),
        ]
        for ok, name, expected in checks:
            if not ok:
                raise InputError(f"{name}: expected {expected}")


@dataclass
class ChunkResult:
    """What one chunk of paths contributes; chunks combine by concatenation and addition."""

    npv: F64
    payback_day: npt.NDArray[np.int32]  # -1 = does not pay back within the horizon
    hold_cost: F64
    final_cum_margin: F64
    final_price: F64
    price_hist: npt.NDArray[np.int64] = field(repr=False)
    difficulty_hist: npt.NDArray[np.int64] = field(repr=False)


def subsidy_btc(heights: F64) -> F64:
    halvings = np.floor(heights / HALVING_INTERVAL_BLOCKS)
    return np.where(halvings >= 64, 0.0, INITIAL_SUBSIDY_SAT / SATS_PER_BTC / np.exp2(np.minimum(halvings, 63)))


def _bins() -> F64:
    return np.geomspace(FAN_RANGE[0], FAN_RANGE[1], FAN_BINS + 1)


_LOG_LO = float(np.log(FAN_RANGE[0]))
_LOG_STEP = float((np.log(FAN_RANGE[1]) - np.log(FAN_RANGE[0])) / FAN_BINS)


def _bin_counts(log_ratio: F64) -> npt.NDArray[np.int64]:
    """Counts per log-spaced bin (values outside the range land in the end bins); bincount, not searchsorted."""
    index = ((log_ratio - _LOG_LO) / _LOG_STEP).astype(np.int64)
    np.clip(index, 0, FAN_BINS - 1, out=index)
    return np.bincount(index, minlength=FAN_BINS)


def run_chunk(params: SimulationParams, n_paths: int, seed: np.random.SeedSequence | int) -> ChunkResult:
    """Simulate `n_paths` paths day by day."""
    rng = np.random.default_rng(seed)
    n, p = n_paths, params
    dt_year = 1.0 / 365.0
    # per-path draws
    growth = p.difficulty_growth + p.difficulty_growth_sd * rng.standard_normal(n)
    fee_level = p.fees_btc_per_block * np.exp(p.fees_sd * rng.standard_normal(n) - p.fees_sd**2 / 2)
    held = rng.random(n) < p.hold_probability
    hold_len = np.where(held, rng.gamma(p.hold_days_shape, p.hold_days_mean / p.hold_days_shape, n), 0.0)
    hold_len = np.ceil(hold_len)
    forfeited = held & (rng.random(n) < p.forfeiture_probability)
    start_day = p.lead_time_days + hold_len  # first day the fleet mines
    # state
    log_price = np.full(n, np.log(p.start_price_usd))
    difficulty = np.full(n, p.start_difficulty)
    cum_margin = np.zeros(n)
    npv = np.zeros(n)
    payback = np.full(n, -1, dtype=np.int32)
    capex = p.unit_price_usd * p.units
    storage = p.storage_usd_per_unit_day * p.units * hold_len
    hold_cost = storage + np.where(forfeited, capex, 0.0)  # plus margin forgone, added day by day
    fleet_hs = p.hashrate_th * 1e12 * p.units
    net_share = p.uptime * (1 - p.pool_fee)
    power_cost_day = p.power_w * p.units / 1000 * 24 * p.uptime * p.power_price_usd_kwh
    mu = (p.price_drift - p.price_volatility**2 / 2) * dt_year
    sigma = p.price_volatility * np.sqrt(dt_year)
    log_start_price = float(np.log(p.start_price_usd))
    price_hist = np.zeros((p.days, FAN_BINS), dtype=np.int64)
    diff_hist = np.zeros((p.days, FAN_BINS), dtype=np.int64)
    for day in range(p.days):
        if day > 0:
            log_price += mu + sigma * rng.standard_normal(n, dtype=np.float32)
            if day % RETARGET_DAYS == 0:
                difficulty *= np.exp(growth * RETARGET_DAYS * dt_year)
        height = float(p.start_height + day * BLOCKS_PER_DAY)
        reward = subsidy_btc(np.array([height]))[0] + fee_level
        potential = margin_if_mining(fleet_hs, reward, difficulty, net_share, np.exp(log_price), power_cost_day)
        mining = (day >= start_day) & ~forfeited
        margin = np.where(mining, np.maximum(potential, 0.0), 0.0)  # the fleet switches off on losing days
        waiting = held & ~mining & ~forfeited & (day >= p.lead_time_days)
        hold_cost += np.where(waiting, np.maximum(potential, 0.0), 0.0)  # margin forgone while held
        cum_margin += margin
        npv += margin / (1 + p.discount_rate) ** (day * dt_year)
        newly = (payback < 0) & mining & (cum_margin >= capex + storage)
        payback[newly] = day + 1
        price_hist[day] = _bin_counts(log_price - log_start_price)
        diff_hist[day] = _bin_counts(np.log(difficulty / p.start_difficulty))
    npv = npv - capex - storage
    return ChunkResult(npv, payback, hold_cost, cum_margin, np.exp(log_price), price_hist, diff_hist)


def margin_if_mining(fleet_hs: float, reward: F64, difficulty: F64, net_share: float, price: F64,
                     power_cost_day: float) -> F64:  # fmt: skip
    """The daily margin a path would earn if its fleet were mining (used to price days held)."""
    revenue: F64 = fleet_hs * 86_400 * reward / (difficulty * HASHES_PER_DIFFICULTY_1) * net_share * price
    return revenue - power_cost_day


def _quantile_from_hist(hist: npt.NDArray[np.int64], q: float, scale: float) -> F64:
    bins = _bins()
    centers = np.sqrt(bins[:-1] * bins[1:]) * scale
    cdf = np.cumsum(hist, axis=1)
    total = cdf[:, -1:]
    idx = np.argmax(cdf >= q * total, axis=1)
    result: F64 = centers[idx]
    return result


def summarize(params: SimulationParams, chunks: list[ChunkResult], seed: int | None) -> dict[str, object]:
    """Combine chunk results (in chunk order) into the report."""
    npv = np.concatenate([c.npv for c in chunks])
    payback = np.concatenate([c.payback_day for c in chunks])
    hold_cost = np.concatenate([c.hold_cost for c in chunks])
    price_hist = sum((c.price_hist for c in chunks), np.zeros_like(chunks[0].price_hist))
    diff_hist = sum((c.difficulty_hist for c in chunks), np.zeros_like(chunks[0].difficulty_hist))
    paid = payback[payback >= 0]

    def pct(values: F64 | npt.NDArray[np.int32], q: float) -> float | None:
        return float(np.percentile(values, q)) if values.size else None

    fan = {
        name: {f"p{q}": [round(float(v), 2) for v in _quantile_from_hist(hist, q / 100, scale)]
               for q in (5, 50, 95)}
        for name, hist, scale in (("price_usd", price_hist, params.start_price_usd),
                                  ("difficulty", diff_hist, params.start_difficulty))
    }  # fmt: skip
    return {
        "paths": int(npv.size),
        "days": params.days,
        "seed": seed,
        "npv_usd": {"p5": pct(npv, 5), "p50": pct(npv, 50), "p95": pct(npv, 95), "mean": float(npv.mean())},
        "payback_probability": float((payback >= 0).mean()),
        "does_not_pay_back_probability": float((payback < 0).mean()),
        "payback_day": {"p5": pct(paid, 5), "p50": pct(paid, 50), "p95": pct(paid, 95)},
        "expected_hold_cost_usd": float(hold_cost.mean()),
        "fan_chart": fan,
        "npv_histogram": _histogram(npv),
    }


def _histogram(values: F64, bins: int = 40) -> dict[str, list[float]]:
    counts, edges = np.histogram(values, bins)
    return {"counts": [float(c) for c in counts], "edges": [round(float(e), 2) for e in edges]}
