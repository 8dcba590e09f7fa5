"""The simulation engine: vectorised over paths, streamed over days in blocks, chunked over paths.

Memory is O(paths in a chunk x days in a block), never paths x days. Price work is float32 per
path-day; money is float64 per path. Per block of 28 days (7 at a time, so the passes over them
find the data in cache):
- the price shocks are drawn into a reused float32 buffer (`out=`, no allocation), scaled and
  summed day by day into log price ratios, counted into the fan chart with one bincount;
- within a segment of the block (constant difficulty and subsidy) a path's revenue is `coef x
  price ratio`, so the floored margin max(coef*ratio - power, 0) = coef*max(ratio, power/coef) -
  power: one elementwise maximum per path-day, then a column sum and a discounted column sum;
- each path's floored margin is summed from day 0 whether or not its fleet mines; the sums when it
  starts mining and when the lead time ends are recorded as the run passes them, so mined margin,
  NPV and margin forgone while held are differences of sums. Only paths that start mining or pay
  back inside a block are looked at day by day, each a few times per run.

Chunks have a fixed size and their own seed (numpy SeedSequence.spawn); per-path draws come first,
then the price shocks day-major (all paths of day 1, then day 2 ...) whatever the block size, so
results do not depend on how many workers ran them. Model and defaults: docs/simulation.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from rigport.domain.chain.subsidy import HALVING_INTERVAL_BLOCKS, INITIAL_SUBSIDY_SAT, SATS_PER_BTC
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
    price_hist: npt.NDArray[np.int32] = field(repr=False)  # (days, FAN_BINS) paths per bin; int32 halves transfers
    difficulty_hist: npt.NDArray[np.int32] = field(repr=False)


def subsidy_btc(heights: F64) -> F64:
    halvings = np.floor(heights / HALVING_INTERVAL_BLOCKS)
    return np.where(halvings >= 64, 0.0, INITIAL_SUBSIDY_SAT / SATS_PER_BTC / np.exp2(np.minimum(halvings, 63)))


def _bins() -> F64:
    return np.geomspace(FAN_RANGE[0], FAN_RANGE[1], FAN_BINS + 1)


_LOG_LO = float(np.log(FAN_RANGE[0]))
_LOG_STEP = float((np.log(FAN_RANGE[1]) - np.log(FAN_RANGE[0])) / FAN_BINS)


BOOL = npt.NDArray[np.bool_]
F32 = npt.NDArray[np.float32]
BLOCK_DAYS = 2 * RETARGET_DAYS  # days booked together (fewer per-block steps)
SUB_DAYS = 7  # days priced together: their ~8 passes reuse a 7 x 10,000 slice while it is in cache
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
    discount_sum: float  # sum of the segment's daily discount factors


def _plan(params: SimulationParams, discount: F64) -> dict[int, list[_Segment]]:
    """Each block's segments, keyed by its first day: cut at block starts, retargets and halvings."""
    days = np.arange(params.days)
    subsidy = subsidy_btc(params.start_height + days.astype(np.float64) * BLOCKS_PER_DAY)
    retargets, blocks = days // RETARGET_DAYS, days // BLOCK_DAYS
    changes = (subsidy[1:] != subsidy[:-1]) | (retargets[1:] != retargets[:-1]) | (blocks[1:] != blocks[:-1])
    cuts = [0, *(np.flatnonzero(changes) + 1).tolist(), params.days]
    plan: dict[int, list[_Segment]] = {}
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        b0 = a - a % BLOCK_DAYS
        segment = _Segment(a - b0, b - b0, int(retargets[a]), float(subsidy[a]), float(discount[a:b].sum()))
        plan.setdefault(b0, []).append(segment)
    return plan


def _difficulty_histogram(days: int, retarget_step: F64) -> npt.NDArray[np.int32]:
    """Fan-chart counts of difficulty for every day: it only changes at retargets, so count once per period.

    Period by period on one path-sized buffer (stays in cache), each path counted in its lane's copy.
    """
    periods = (days - 1) // RETARGET_DAYS + 1
    counts = np.empty((periods, FAN_BINS), dtype=np.int32)
    bins = np.empty(retarget_step.shape)
    index = np.empty(retarget_step.shape, dtype=np.intp)
    lanes = np.arange(retarget_step.size, dtype=np.intp) % HIST_LANES * FAN_BINS
    for period in range(periods):
        np.multiply(retarget_step, period, out=bins)  # log(difficulty / start difficulty)
        bins -= _LOG_LO
        bins /= _LOG_STEP
        np.clip(bins, 0, FAN_BINS - 1, out=index, casting="unsafe")
        index += lanes
        counts[period] = np.bincount(index, minlength=HIST_LANES * FAN_BINS).reshape(HIST_LANES, FAN_BINS).sum(axis=0)
    per_day: npt.NDArray[np.int32] = counts[np.arange(days) // RETARGET_DAYS]
    return per_day


def _by_block(days: npt.NDArray[np.int64], horizon: int) -> dict[int, list[npt.NDArray[np.intp]]]:
    """Paths grouped by the block holding their day (those at or beyond the horizon are left out).

    Each block's paths come as up to two groups: those whose day is the block's first (nothing to
    add day by day) and the others.
    """
    inside = np.flatnonzero(days < horizon)
    order = inside[np.argsort(days[inside], kind="stable")]
    block = days[order] // BLOCK_DAYS * BLOCK_DAYS
    key = block * 2 + (days[order] != block)  # (block, starts after its first day)
    firsts, splits = np.unique(key, return_index=True)
    groups: dict[int, list[npt.NDArray[np.intp]]] = {}
    for k, group in zip(firsts.tolist(), np.split(order, splits[1:]), strict=True):
        groups.setdefault(k // 2, []).append(group)
    return groups


class _ChunkRun:
    """One chunk's paths advanced block by block; money in float64 per path, prices in float32 per path-day.

    Every path's floored margin is summed from day 0 whether or not its fleet mines (`earned`); the
    sums at its first mining day and at the end of the lead time are recorded when the run passes
    them, so mined margin = earned - earned at start and margin forgone while held = earned at start
    - earned at lead time. Only paths starting (or paying back) inside a block are handled day by day.
    """

    def __init__(self, params: SimulationParams, n: int, rng: np.random.Generator) -> None:
        p = self.p = params
        self.n, self.rng = n, rng
        self.draws = d = draw_paths(p, n, rng)
        dt_year = 1.0 / 365.0
        self.lead = p.lead_time_days
        self.start = np.where(d.forfeited, NEVER, p.lead_time_days + d.hold_days).astype(np.int64)
        self.starts_in = _by_block(self.start, p.days)
        self.waits = d.held & ~d.forfeited  # its margin while held is a cost of the hold
        self.capex = p.unit_price_usd * p.units
        self.storage = p.storage_usd_per_unit_day * p.units * d.hold_days
        self.target = self.capex + self.storage  # payback: mined margin covers purchase and storage
        # block sums (float32 columns) and day-by-day sums (float64) of the same margins differ by
        # rounding: a path within this many dollars of its target counts as paid back
        self.tolerance = 1e-7 * (self.capex + p.power_w * p.units / 1000 * 24 * p.power_price_usd_kwh * p.days + 1)
        self.power = p.power_w * p.units / 1000 * 24 * p.uptime * p.power_price_usd_kwh
        fleet_hs = p.hashrate_th * 1e12 * p.units
        net_share = p.uptime * (1 - p.pool_fee)
        # revenue per day = revenue_scale * (start difficulty / difficulty) * (subsidy + fee) * price / start price
        self.revenue_scale = fleet_hs * 86_400 / (p.start_difficulty * HASHES_PER_DIFFICULTY_1) * net_share
        self.revenue_scale *= p.start_price_usd
        self.fee_min = float(d.fee_level.min()) if n else 0.0
        retarget_step = d.growth * RETARGET_DAYS * dt_year  # log difficulty added at each retarget
        self.retarget_factor = np.exp(-retarget_step)
        self.diff_factor: tuple[int, F64] = (0, np.ones(n))  # (retargets so far, start difficulty / difficulty)
        self.diff_hist = _difficulty_histogram(p.days, retarget_step)
        self.mu = (p.price_drift - p.price_volatility**2 / 2) * dt_year
        self.sigma = np.float32(p.price_volatility * np.sqrt(dt_year))
        self.discount = (1 + p.discount_rate) ** (-np.arange(p.days, dtype=np.float64) * dt_year)
        self.plan = _plan(p, self.discount)
        self.discount32 = self.discount.astype(np.float32)
        self.log_move = np.zeros(n, dtype=np.float32)  # driftless log price ratio at the last simulated day
        self.earned = np.zeros((2, n))  # floored margin from day 0, and its present value
        self.earned_at_start = np.full((2, n), np.nan)  # ... before the first mining day (set when passed)
        self.earned_at_lead = np.full(n, np.nan)  # ... before the lead time ends
        self.threshold = np.full(n, np.inf)  # earned[0] at which the path pays back (inf: not yet mining, or paid)
        self.payback = np.full(n, -1, dtype=np.int32)
        self.price_hist = np.zeros((p.days, FAN_BINS), dtype=np.int32)
        self.buf = np.empty((min(BLOCK_DAYS, p.days), n), dtype=np.float32)  # reused: no per-day allocation
        rows = self.rows = min(SUB_DAYS, p.days)
        self.bins_buf = np.empty((rows, n), dtype=np.float32)
        # flat histogram slot of (lane, day in block, bin) = bin + offset: day t at t*240, lane l at l*rows*240
        slot = np.int16 if HIST_LANES * rows * FAN_BINS < 2**15 else np.int32
        self.index_buf = np.empty((rows, n), dtype=slot)
        self.slot_buf = np.empty((rows, n), dtype=np.intp)
        lane = np.arange(n) % HIST_LANES
        self.slot_offsets = (np.arange(rows)[:, None] * FAN_BINS + lane * (rows * FAN_BINS)).astype(slot)

    def run(self) -> ChunkResult:
        for first in range(0, self.p.days, BLOCK_DAYS):
            self.block(first, min(first + BLOCK_DAYS, self.p.days))
        return self.result()

    def result(self) -> ChunkResult:
        p = self.p
        unset = np.isnan(self.earned_at_start)  # first mining day beyond the horizon (or forfeited): never mined
        self.earned_at_start[unset] = self.earned[unset]
        if np.isnan(self.earned_at_lead).any():  # lead time beyond the horizon
            self.earned_at_lead = self.earned[0].copy()
        mined, mined_pv = self.earned - self.earned_at_start
        forgone = np.where(self.waits, self.earned_at_start[0] - self.earned_at_lead, 0.0)
        hold_cost = self.storage + np.where(self.draws.forfeited, self.capex, 0.0) + forgone
        npv = mined_pv - self.capex - self.storage
        final_price = p.start_price_usd * np.exp(self.log_move.astype(np.float64) + self.mu * (p.days - 1))
        return ChunkResult(npv, self.payback, hold_cost, mined, final_price, self.price_hist, self.diff_hist)

    def block(self, b0: int, b1: int) -> None:
        """Advance days [b0, b1): prices, fan chart, margins, then the paths starting or paying back in it."""
        segments = self.plan[b0]
        coefs = [self.coef(seg) for seg in segments]
        ratio = self.floored_ratios(b0, b1, segments, coefs)
        block_sums = self.block_sums(ratio, b0, segments, coefs)
        days = np.arange(b0, b1)[:, None]
        if b0 <= self.lead < b1:
            every = np.arange(self.n)
            self.earned_at_lead = self.earned_before(days < self.lead, ratio, b0, segments, coefs, every)[0]
        for starting in self.starts_in.get(b0, ()):
            before = self.earned_before(days < self.start[starting], ratio, b0, segments, coefs, starting)
            self.earned_at_start[:, starting] = before
            self.threshold[starting] = self.target[starting] + before[0]
        after = self.earned[0] + block_sums[0]
        paid = np.flatnonzero(after >= self.threshold - self.tolerance)
        if paid.size:
            self.find_payback(ratio, b0, segments, coefs, paid)
        self.earned[0] = after
        self.earned[1] += block_sums[1]

    def floored_ratios(self, b0: int, b1: int, segments: list[_Segment], coefs: list[F64]) -> F32:
        """max(price / start price, power / coef) for days [b0, b1) (float32); the days go into the fan chart.

        The margin of day t is then coef * ratio[t] - power, floored at 0. Days are processed SUB_DAYS
        at a time, so that the ~8 passes over them find the data in the CPU's cache.
        """
        breakevens = [self.breakeven(coef) for coef in coefs]
        for r0 in range(0, b1 - b0, SUB_DAYS):
            r1 = min(r0 + SUB_DAYS, b1 - b0)
            z = self.buf[r0:r1]
            self.price_moves(z, b0 + r0)
            drift = self.mu * np.arange(b0 + r0, b0 + r1, dtype=np.float64)[:, None]
            self.price_histogram(z, drift, b0 + r0, b0 + r1)
            z += drift.astype(np.float32)
            np.exp(z, out=z)
            for seg, breakeven in zip(segments, breakevens, strict=True):
                lo, hi = max(seg.first, r0), min(seg.stop, r1)
                if lo < hi:
                    np.maximum(self.buf[lo:hi], breakeven, out=self.buf[lo:hi])
        return self.buf[: b1 - b0]

    def price_moves(self, z: F32, first_day: int) -> None:
        """Fill `z` (days x paths) with the driftless log price ratio: shocks drawn day-major, then a running sum."""
        if first_day == 0:  # day 0 is the start price: no move
            z[0] = 0.0
            self.rng.standard_normal(dtype=np.float32, out=z[1:])
        else:
            self.rng.standard_normal(dtype=np.float32, out=z)
        z *= self.sigma
        z[0] += self.log_move
        for t in range(1, z.shape[0]):  # row by row: np.cumsum(axis=0) is strided, far slower (docs/reliability.md 8)
            np.add(z[t - 1], z[t], out=z[t])
        self.log_move[:] = z[-1]

    def breakeven(self, coef: F64) -> F32:
        """power / coef: the price ratio below which a path's fleet switches off (inf if it earns nothing)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            breakeven: F32 = (self.power / coef).astype(np.float32)
        return breakeven

    def price_histogram(self, log_move: F32, drift: F64, b0: int, b1: int) -> None:
        """Fan-chart counts of the block's days (log price ratio = move + drift): one bincount for the block."""
        rows = b1 - b0
        bins = np.multiply(log_move, np.float32(1 / _LOG_STEP), out=self.bins_buf[:rows])
        bins += _float32_down((drift - _LOG_LO) / _LOG_STEP)
        narrow, index = self.index_buf[:rows], self.slot_buf[:rows]
        np.clip(bins, 0, np.float32(FAN_BINS - 0.5), out=narrow, casting="unsafe")  # truncates to the bin number
        # narrow ints are cheap to write and add; bincount wants intp (it converts anything else slowly)
        np.add(narrow, self.slot_offsets[:rows], out=index, casting="unsafe")
        counts = np.bincount(index.ravel(), minlength=HIST_LANES * self.rows * FAN_BINS)
        self.price_hist[b0:b1] = counts.reshape(HIST_LANES, self.rows, FAN_BINS)[:, :rows].sum(axis=0)

    def coef(self, segment: _Segment) -> F64:
        """Revenue per day per unit of price ratio, for each path, in this segment."""
        retargets, factor = self.diff_factor
        while retargets < segment.retargets:  # segments come in day order: one retarget at a time
            retargets, factor = retargets + 1, factor * self.retarget_factor
        self.diff_factor = (retargets, factor)
        coef: F64 = factor * (segment.subsidy + self.draws.fee_level)
        coef *= self.revenue_scale
        return coef

    def block_sums(self, floored: F32, b0: int, segments: list[_Segment], coefs: list[F64]) -> F64:
        """Each path's sum and discounted sum over the block of max(margin, 0) (the fleet switches off)."""
        sums = np.zeros((2, self.n))
        for seg, coef in zip(segments, coefs, strict=True):
            part = floored[seg.first : seg.stop]
            # sum and discounted sum over the days: numpy's own loops, no BLAS (a 2-row matrix product
            # was far slower in OpenBLAS, and BLAS threads would not keep the engine on one core;
            # docs/reliability.md 8)
            discount = self.discount32[b0 + seg.first : b0 + seg.stop]
            with np.errstate(invalid="ignore"):  # 0 x inf where a path earns nothing: replaced below
                seg_sums = coef * np.stack([part.sum(axis=0), np.einsum("t,tn->n", discount, part)])
            if seg.subsidy + self.fee_min <= 0:  # some path earns nothing (no subsidy, no fees): its margin is 0
                seg_sums = np.where(coef > 0, seg_sums, self.power * np.array([[seg.stop - seg.first],
                                                                              [seg.discount_sum]]))  # fmt: skip
            sums += seg_sums
        sums[0] -= self.power * sum(seg.stop - seg.first for seg in segments)
        sums[1] -= self.power * sum(seg.discount_sum for seg in segments)
        return np.maximum(sums, 0.0, out=sums)  # floored margins: float32 rounding must not make them negative

    def daily_margins(self, floored: F32, segments: list[_Segment], coefs: list[F64],
                      cols: npt.NDArray[np.intp]) -> F64:  # fmt: skip
        """Day-by-day floored margins (float64) of the paths `cols` only."""
        out = np.empty((floored.shape[0], cols.size))
        for seg, coef in zip(segments, coefs, strict=True):
            c = coef[cols]
            part = floored[seg.first : seg.stop][:, cols].astype(np.float64)
            with np.errstate(invalid="ignore"):  # 0 x inf where a path earns nothing
                out[seg.first : seg.stop] = np.where(c > 0, c * part - self.power, 0.0)
        return np.maximum(out, 0.0, out=out)

    def earned_before(self, before: BOOL, floored: F32, b0: int, segments: list[_Segment], coefs: list[F64],
                      cols: npt.NDArray[np.intp]) -> F64:  # fmt: skip
        """`earned` (sum, present value) of paths `cols` up to the days of the block marked `before`."""
        if not before.any():  # the day is the block's first: nothing to add (most paths start on day 0)
            return self.earned[:, cols]
        m = self.daily_margins(floored, segments, coefs, cols) * before
        pv = m * self.discount[b0 : b0 + floored.shape[0], None]
        earned: F64 = self.earned[:, cols] + np.stack([m.sum(axis=0), pv.sum(axis=0)])
        return earned

    def find_payback(self, floored: F32, b0: int, segments: list[_Segment], coefs: list[F64],
                     paid: npt.NDArray[np.intp]) -> None:  # fmt: skip
        """Paths that paid back in this block: the first mining day the mined margin covers the target."""
        rows = floored.shape[0]
        mining = np.arange(b0, b0 + rows)[:, None] >= self.start[paid]
        earned = self.earned[0, paid] + np.cumsum(self.daily_margins(floored, segments, coefs, paid), axis=0)
        hit = mining & (earned >= self.threshold[paid] - self.tolerance)
        first = np.where(hit.any(axis=0), hit.argmax(axis=0), rows - 1)  # none: float rounding; the block's last day
        self.payback[paid] = b0 + first + 1
        self.threshold[paid] = np.inf


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


def _add_up(hists: list[npt.NDArray[np.int32]]) -> npt.NDArray[np.int64]:
    """Chunks' fan-chart counts added in int64 (one chunk's counts fit int32; a run's may not)."""
    total = np.zeros(hists[0].shape, dtype=np.int64)
    for hist in hists:
        total += hist
    return total


def summarize(params: SimulationParams, chunks: list[ChunkResult], seed: int | None) -> dict[str, object]:
    """Combine chunk results (in chunk order) into the report."""
    npv = np.concatenate([c.npv for c in chunks])
    payback = np.concatenate([c.payback_day for c in chunks])
    hold_cost = np.concatenate([c.hold_cost for c in chunks])
    price_hist = _add_up([c.price_hist for c in chunks])
    diff_hist = _add_up([c.difficulty_hist for c in chunks])
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
