"""The simulation engine: vectorised over paths, streamed over days in blocks, chunked over paths.

Memory is O(paths in a chunk x days in a block), never paths x days. Days run in blocks of one
difficulty period (14 days): the price normals of a block are drawn at once into a reused float32
buffer, turned into log prices by a running sum, binned for the fan chart, and priced. Within a
block a path's revenue is `coef x price` with `coef` constant (difficulty and subsidy are constant
between retargets and halvings), so the fleet's floored margin `max(coef*price - power, 0)` equals
`coef*max(price, power/coef) - power`: one elementwise maximum per path-day, and the block's sum and
discounted sum of it are one small matrix product. Only paths whose hold ends, or whose payback
falls, inside a block are looked at day by day (each path at most a few times per run).

Chunks have a fixed size and their own seed (numpy SeedSequence.spawn), and the normals are drawn
day-major (all paths of day 1, then day 2 ...) whatever the block size, so results do not depend on
how many workers ran them. Model and defaults: docs/simulation.md.
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


BOOL = npt.NDArray[np.bool_]
F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]
BLOCK_DAYS = RETARGET_DAYS  # days simulated together (a block's buffers stay in the CPU's L2/L3 caches)
HIST_LANES = 4  # neighbouring paths count into separate histogram copies: no serial increments of one bin
NEVER = np.iinfo(np.int32).max  # first mining day of a path whose goods were forfeited


@dataclass(frozen=True)
class PathDraws:
    """A chunk's per-path random inputs, drawn first and in this order (the order is part of the seed contract)."""

    growth: F64  # annual difficulty growth
    fee_level: F64  # average fees per block, BTC
    held: BOOL
    hold_days: F64  # whole days held, 0 when not held
    forfeited: BOOL


def draw_paths(params: SimulationParams, n: int, rng: np.random.Generator) -> PathDraws:
    """Per-path draws: difficulty growth, fee level, whether and how long held, whether forfeited."""
    p = params
    growth = p.difficulty_growth + p.difficulty_growth_sd * rng.standard_normal(n)
    fee_level = p.fees_btc_per_block * np.exp(p.fees_sd * rng.standard_normal(n) - p.fees_sd**2 / 2)
    held = rng.random(n) < p.hold_probability
    hold_days = np.ceil(np.where(held, rng.gamma(p.hold_days_shape, p.hold_days_mean / p.hold_days_shape, n), 0.0))
    forfeited = held & (rng.random(n) < p.forfeiture_probability)
    return PathDraws(growth, fee_level, held, hold_days, forfeited)


@dataclass(frozen=True)
class _Segment:
    """Days [first, stop) of a block (offsets within it) with one difficulty period and one subsidy."""

    first: int
    stop: int
    retargets: int  # difficulty retargets since day 0
    subsidy: float


class _ChunkRun:
    """One chunk's paths advanced block by block; per-path money state in float64, prices in float32."""

    def __init__(self, params: SimulationParams, n: int, rng: np.random.Generator) -> None:
        p = self.p = params
        self.n, self.rng = n, rng
        self.draws = d = draw_paths(p, n, rng)
        dt_year = 1.0 / 365.0
        self.lead = p.lead_time_days
        self.start = np.where(d.forfeited, NEVER, p.lead_time_days + d.hold_days).astype(np.int64)
        self.waits = d.held & ~d.forfeited  # its margin while held is a cost of the hold
        self.capex = p.unit_price_usd * p.units
        self.storage = p.storage_usd_per_unit_day * p.units * d.hold_days
        self.target = self.capex + self.storage  # payback: cumulative margin covers purchase and storage
        self.power = p.power_w * p.units / 1000 * 24 * p.uptime * p.power_price_usd_kwh
        fleet_hs = p.hashrate_th * 1e12 * p.units
        net_share = p.uptime * (1 - p.pool_fee)
        # revenue per day = revenue_scale * exp(-retargets * step) * (subsidy + fee) * price / start price
        self.revenue_scale = fleet_hs * 86_400 / (p.start_difficulty * HASHES_PER_DIFFICULTY_1) * net_share
        self.revenue_scale *= p.start_price_usd
        self.retarget_step = d.growth * RETARGET_DAYS * dt_year  # log difficulty added at each retarget
        self.mu = (p.price_drift - p.price_volatility**2 / 2) * dt_year
        self.sigma = np.float32(p.price_volatility * np.sqrt(dt_year))
        days = np.arange(p.days, dtype=np.float64)
        self.discount = (1 + p.discount_rate) ** (-days * dt_year)
        self.log_move = np.zeros(n, dtype=np.float32)  # driftless log price ratio at the last simulated day
        self.cum = np.zeros(n)
        self.npv = np.zeros(n)
        self.forgone = np.zeros(n)
        self.payback = np.full(n, -1, dtype=np.int32)
        self.price_hist = np.zeros((p.days, FAN_BINS), dtype=np.int64)
        self.diff_hist = np.zeros((p.days, FAN_BINS), dtype=np.int64)
        rows = min(BLOCK_DAYS, p.days)
        self.buf = np.empty((rows, n), dtype=np.float32)  # reused for every block: no per-day allocation
        self.bins_buf = np.empty((rows, n), dtype=np.float32)
        self.index_buf = np.empty((rows, n), dtype=np.intp)
        # flat histogram slot of (lane, day in block, bin) = bin + offset: day t at t*240, lane l at l*rows*240
        lane = np.arange(n, dtype=np.intp) % HIST_LANES
        self.slot_offsets = np.arange(rows, dtype=np.intp)[:, None] * FAN_BINS + lane * (rows * FAN_BINS)
        self.diff_factor: tuple[int, F64] = (0, np.ones(n))  # (retargets, start difficulty / difficulty)
        self.diff_counts: tuple[int, npt.NDArray[np.int64]] = (-1, np.zeros(FAN_BINS, dtype=np.int64))
        self.weights = np.empty((2, rows), dtype=np.float32)  # ones and discount factors of a block's days

    def run(self) -> ChunkResult:
        for first in range(0, self.p.days, BLOCK_DAYS):
            self.block(first, min(first + BLOCK_DAYS, self.p.days))
        p = self.p
        final_log = self.log_move.astype(np.float64) + self.mu * (p.days - 1)
        hold_cost = self.storage + np.where(self.draws.forfeited, self.capex, 0.0) + self.forgone
        npv = self.npv - self.capex - self.storage
        return ChunkResult(npv, self.payback, hold_cost, self.cum, p.start_price_usd * np.exp(final_log),
                           self.price_hist, self.diff_hist)  # fmt: skip

    def block(self, b0: int, b1: int) -> None:
        """Advance days [b0, b1): prices, fan chart, margins, then each path's books."""
        ratio = self.price_ratios(b0, b1)
        segments = self.segments(b0, b1)
        self.difficulty_histogram(b0, segments)
        totals, discounted, coefs = self.floored_margins(ratio, b0, segments)
        self.book(ratio, b0, b1, segments, coefs, totals, discounted)

    def price_ratios(self, b0: int, b1: int) -> F32:
        """Price / start price for days [b0, b1) (float32), after adding the days to the fan chart."""
        rows = b1 - b0
        z = self.buf[:rows]
        if b0 == 0:  # day 0 is the start price: no move
            z[0] = 0.0
            self.rng.standard_normal(dtype=np.float32, out=z[1:])
        else:
            self.rng.standard_normal(dtype=np.float32, out=z)
        z *= self.sigma
        z[0] += self.log_move
        for t in range(1, rows):  # running sum row by row: np.cumsum(axis=0) is strided and ~20x slower
            np.add(z[t - 1], z[t], out=z[t])
        self.log_move[:] = z[rows - 1]
        drift = self.mu * np.arange(b0, b1, dtype=np.float64)[:, None]
        self.price_histogram(z, drift, b0, b1)
        z += drift.astype(np.float32)
        return np.exp(z, out=z)

    def price_histogram(self, log_move: F32, drift: F64, b0: int, b1: int) -> None:
        """Fan-chart counts of the block's days (log price ratio = move + drift): one bincount for the block."""
        rows = b1 - b0
        bins = np.multiply(log_move, np.float32(1 / _LOG_STEP), out=self.bins_buf[:rows])
        bins += _float32_down((drift - _LOG_LO) / _LOG_STEP)
        index = self.index_buf[:rows]
        np.clip(bins, 0, np.float32(FAN_BINS - 0.5), out=index, casting="unsafe")  # truncates to the bin number
        index += self.slot_offsets[:rows]
        full = self.buf.shape[0]  # lanes are laid out for a full block; a short last block uses the first rows
        counts = np.bincount(index.ravel(), minlength=HIST_LANES * full * FAN_BINS)
        self.price_hist[b0:b1] = counts.reshape(HIST_LANES, full, FAN_BINS)[:, :rows].sum(axis=0)

    def difficulty_histogram(self, b0: int, segments: list[_Segment]) -> None:
        """Difficulty only changes at retargets: one count per difficulty period, copied to its days."""
        for seg in segments:
            if seg.retargets != self.diff_counts[0]:
                self.diff_counts = (seg.retargets, _bin_counts(seg.retargets * self.retarget_step))
            self.diff_hist[b0 + seg.first : b0 + seg.stop] = self.diff_counts[1]

    def segments(self, b0: int, b1: int) -> list[_Segment]:
        """Split the block where the difficulty retargets or the subsidy halves."""
        days = np.arange(b0, b1)
        subsidy = subsidy_btc(self.p.start_height + days.astype(np.float64) * BLOCKS_PER_DAY)
        retargets = days // RETARGET_DAYS
        changes = (subsidy[1:] != subsidy[:-1]) | (retargets[1:] != retargets[:-1])
        cuts = [0, *(np.flatnonzero(changes) + 1).tolist(), b1 - b0]
        return [_Segment(a, b, int(retargets[a]), float(subsidy[a])) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]

    def coef(self, segment: _Segment) -> F64:
        """Revenue per day per unit of price ratio, for each path, in this segment."""
        if segment.retargets != self.diff_factor[0]:
            self.diff_factor = (segment.retargets, np.exp(-segment.retargets * self.retarget_step))
        coef: F64 = self.diff_factor[1] * (segment.subsidy + self.draws.fee_level)
        coef *= self.revenue_scale
        return coef

    def floored_margins(self, ratio: F32, b0: int, segments: list[_Segment]) -> tuple[F64, F64, list[F64]]:
        """Each path's sum and discounted sum over the block of max(margin, 0) (the fleet switches off).

        `ratio` is overwritten with max(ratio, power/coef): the margin of day t is coef * ratio[t] - power.
        """
        totals, discounted = np.zeros(self.n), np.zeros(self.n)
        coefs = []
        for seg in segments:
            coef = self.coef(seg)
            earns = bool(coef.min() > 0)  # else some path earns nothing (no subsidy, no fees): margin 0
            with np.errstate(divide="ignore", invalid="ignore"):
                breakeven = (self.power / coef).astype(np.float32)
            part = ratio[seg.first : seg.stop]
            np.maximum(part, breakeven, out=part)
            rows = seg.stop - seg.first
            weights = self.weights[:, :rows]
            weights[0] = 1.0
            weights[1] = self.discount[b0 + seg.first : b0 + seg.stop]
            sums = (weights @ part).astype(np.float64)
            with np.errstate(invalid="ignore"):  # 0 x inf where a path earns nothing; replaced by 0 below
                total = coef * sums[0] - self.power * rows
                pv = coef * sums[1] - self.power * float(self.discount[b0 + seg.first : b0 + seg.stop].sum())
            totals += total if earns else np.where(coef > 0, total, 0.0)
            discounted += pv if earns else np.where(coef > 0, pv, 0.0)
            coefs.append(coef)
        return totals, discounted, coefs

    def daily_margins(self, floored: F32, segments: list[_Segment], coefs: list[F64],
                      cols: npt.NDArray[np.intp]) -> F64:  # fmt: skip
        """Day-by-day floored margins (float64) of the paths `cols` only."""
        out = np.empty((floored.shape[0], cols.size))
        for seg, coef in zip(segments, coefs, strict=True):
            c = coef[cols]
            part = floored[seg.first : seg.stop][:, cols].astype(np.float64)
            with np.errstate(invalid="ignore"):  # 0 x inf where a path earns nothing
                out[seg.first : seg.stop] = np.where(c > 0, c * part - self.power, 0.0)
        return out

    def book(self, floored: F32, b0: int, b1: int, segments: list[_Segment], coefs: list[F64], totals: F64,
             discounted: F64) -> None:  # fmt: skip
        """Add the block's margins to mined (from the start day on) or forgone (held after the lead time)."""
        start = self.start
        mines = start <= b0
        waits = self.waits & (self.lead <= b0) & (start >= b1)
        mined = np.where(mines, totals, 0.0)
        mined_pv = np.where(mines, discounted, 0.0)
        forgone = np.where(waits, totals, 0.0)
        # paths whose hold ends (or whose lead time ends) inside the block are booked day by day
        lead_ends_here = b0 < self.lead < b1
        partial = np.arange(self.n) if lead_ends_here else np.flatnonzero((start > b0) & (start < b1))
        if partial.size:
            days = np.arange(b0, b1)[:, None]
            m = self.daily_margins(floored, segments, coefs, partial)
            mining = days >= start[partial]
            held = self.waits[partial] & (days >= self.lead) & ~mining
            mined[partial] = (m * mining).sum(axis=0)
            mined_pv[partial] = (m * mining * self.discount[b0:b1, None]).sum(axis=0)
            forgone[partial] = (m * held).sum(axis=0)
        before = self.cum.copy()
        self.cum += mined
        self.npv += mined_pv
        self.forgone += forgone
        self.find_payback(floored, b0, b1, segments, coefs, before)

    def find_payback(self, floored: F32, b0: int, b1: int, segments: list[_Segment], coefs: list[F64],
                     before: F64) -> None:  # fmt: skip
        """Paths that paid back in this block: the first mining day the cumulative margin covers the target."""
        paid = np.flatnonzero((self.payback < 0) & (self.start < b1) & (self.cum >= self.target))
        if not paid.size:
            return
        days = np.arange(b0, b1)[:, None]
        mining = days >= self.start[paid]
        cum = before[paid] + np.cumsum(self.daily_margins(floored, segments, coefs, paid) * mining, axis=0)
        hit = mining & (cum >= self.target[paid])
        first = np.where(hit.any(axis=0), hit.argmax(axis=0), b1 - b0 - 1)  # none: rounding; the block's last day
        self.payback[paid] = b0 + first + 1


def _float32_down(values: F64) -> F32:
    """Round to float32 downwards: a price exactly on a bin edge (the start price) stays in the lower bin."""
    rounded = values.astype(np.float32)
    down: F32 = np.where(rounded > values, np.nextafter(rounded, np.float32(-np.inf)), rounded)
    return down


def run_chunk(params: SimulationParams, n_paths: int, seed: np.random.SeedSequence | int) -> ChunkResult:
    """Simulate `n_paths` paths over `params.days` days from one seed."""
    return _ChunkRun(params, n_paths, np.random.default_rng(seed)).run()


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
