"""The views of a Monte Carlo run (`services.simulation`): its summary, hold assumptions, report and comparison.

Apart from `services.simulation` so the API can name them in its schemas (a stored run's `result`) without
importing numpy and the engine when the server starts.
"""

from __future__ import annotations

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11


class Percentiles(TypedDict):
    p5: float | None  # None when no path gives a value (no path pays back)
    p50: float | None
    p95: float | None


class NpvPercentiles(Percentiles):
    mean: float


class Histogram(TypedDict):
    counts: list[float]
    edges: list[float]


class SimulationNumbers(TypedDict):
    """A run's measures (`domain.simulate.engine.summarize`) and how many chunks it took."""

    paths: int
    days: int
    seed: int | None
    npv_usd: NpvPercentiles
    payback_probability: float
    does_not_pay_back_probability: float
    payback_day: Percentiles
    expected_hold_cost_usd: float
    chunks: int


class SimulationSummary(SimulationNumbers):
    """What `services.simulation.run` answers: the measures with the fan chart and the NPV histogram."""

    fan_chart: dict[str, dict[str, list[float]]]  # price_usd and difficulty -> p5, p50, p95 per day
    npv_histogram: Histogram


class HoldFit(TypedDict):
    """Hold length and probability fitted from the shipments on record (`rigport simulate --fit-holds`)."""

    fitted: bool  # false: too few completed holds, the documented defaults apply
    completed_holds: int
    open_holds: int
    held_shipments: int
    decided_shipments: int
    min_holds: int
    observed_hold_days_mean: float | None
    observed_hold_probability: float | None
    note: str


class HoldSource(TypedDict):
    probability: str  # given | fitted | default
    days_mean: str


class HoldAssumptions(TypedDict):
    """The hold assumptions a run used and where each came from."""

    probability: float
    days_mean: float
    source: HoldSource
    fit: HoldFit | None  # the fit, when asked for


class ReportSummary(SimulationNumbers):
    """A report without its fan chart and histogram: a stored run's `summary` in lists (the CLI's --json adds
    `fan_chart_days`, and `plot` when one was written)."""

    model: str
    units: int
    hold: HoldAssumptions
    warnings: list[str]


class SimulationReport(SimulationSummary, ReportSummary):
    """The report of one simulation (`services.simulation.simulate_model`): a stored run's `result`."""


class OptionResult(TypedDict):
    """One option of `rigport simulate compare`, simulated with the same random numbers as the others."""

    name: str
    model: str
    origin: str
    npv_usd: NpvPercentiles
    payback_probability: float
    expected_hold_cost_usd: float
    probability_best: float  # share of paths where this option has the highest NPV
    beats: dict[str, float]  # other option's name -> share of paths where this one's NPV is higher


class Comparison(TypedDict):
    """`rigport simulate compare --json`: the options best first (by mean NPV)."""

    paths: int
    days: int
    seed: int
    options: list[OptionResult]
    warnings: list[str]

