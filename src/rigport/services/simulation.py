"""Use case: run a simulation in-process or on a Dask cluster (`adapters.scaleout`), with progress; its plots
are drawn by `adapters.render.plots`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from rigport.adapters import scaleout
from rigport.adapters.render.plots import check_plot_path as check_plot_path
from rigport.adapters.render.plots import write_plot as write_plot
from rigport.domain.simulate.engine import SimulationParams, run_chunk, summarize
from rigport.errors import InputError
from rigport.services._unit import unit
from rigport.services.catalog import get_catalog
from rigport.services.network import current_snapshot
from rigport.services.simulation_views import (
    Comparison,
    HoldAssumptions,
    HoldFit,
    HoldSource,
    OptionResult,
    SimulationReport,
    SimulationSummary,
)
from rigport.settings import Settings

if TYPE_CHECKING:  # the database's modules load only when a fit reads it (workers start without them)
    from rigport.adapters.db.protocols import AbstractUnitOfWork

CHUNK_PATHS = 10_000  # fixed, so the same seed gives the same numbers however many workers run it
DEFAULT_HOLD_PROBABILITY = 0.0  # docs/simulation.md: no hold unless you say so (or fit it)
DEFAULT_HOLD_DAYS_MEAN = 60.0  # docs/simulation.md: about two months, the Nov 2024 holds (public reporting)
MIN_FITTED_HOLDS = 5  # fewer completed holds than this and the mean is noise: fall back to the default


def params_for_model(model_id: str, units: int, unit_price: float | None, power_price: float, days: int,
                     settings: Settings | None = None, **overrides: Any) -> SimulationParams:  # fmt: skip
    model = get_catalog(settings).get(model_id)
    snap = current_snapshot(settings)
    price = unit_price if unit_price is not None else float(model.reference_price_usd or 0)
    params = SimulationParams(
        hashrate_th=model.hashrate_th, power_w=model.power_w, units=units, unit_price_usd=price,
        power_price_usd_kwh=power_price, days=days, start_price_usd=snap.price_usd,
        start_difficulty=snap.difficulty, start_height=snap.height, fees_btc_per_block=snap.fees_btc_per_block,
    )  # fmt: skip
    params = replace(params, **{k: v for k, v in overrides.items() if v is not None})
    params.validate()
    return params


def chunk_plan(paths: int, seed: int | None) -> list[tuple[int, np.random.SeedSequence]]:
    if paths < 1:
        raise InputError(f"expected at least 1, got {paths}", field="paths")
    sizes = [CHUNK_PATHS] * (paths // CHUNK_PATHS) + ([paths % CHUNK_PATHS] if paths % CHUNK_PATHS else [])
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    return list(zip(sizes, seeds, strict=True))


def run(
    params: SimulationParams, paths: int, seed: int | None = None, *, scheduler: str | None = None,
    workers: int | None = None, progress: Callable[[int, int], None] | None = None,
) -> SimulationSummary:  # fmt: skip
    """Run every chunk (locally, or on Dask when given a scheduler address or a worker count)."""
    plan = chunk_plan(paths, seed)
    if scheduler or workers:
        chunks = scaleout.run_chunks(params, plan, scheduler, workers, progress)
    else:
        chunks = []
        for done, (size, chunk_seed) in enumerate(plan, start=1):
            chunks.append(run_chunk(params, size, chunk_seed))
            if progress:
                progress(done, len(plan))
    # the domain's summary is a plain dict; SimulationSummary names its keys (tests/api/test_view_shapes.py walks them)
    return cast(SimulationSummary, {**summarize(params, chunks, seed), "chunks": len(plan)})


def fit_holds(
    settings: Settings | None = None, min_holds: int = MIN_FITTED_HOLDS, *, uow: AbstractUnitOfWork | None = None
) -> HoldFit:
    """Mean hold length and hold probability from the system of record.

    A hold starts at the first event that puts units in a held state (detention, seizure, ...). It is
    complete when units were released after it and none remain held; its length is start -> last
    release. Holds still open are censored: counted in the probability, not in the mean (so the mean
    understates long holds while many are open; the result says how many). Probability = shipments
    ever held / shipments with a customs decision (a release or a hold). Fitted only with at least
    `min_holds` completed holds; otherwise `fitted` is false and the documented defaults apply.
    `uow`: the unit of work to read (a fast test's in-memory one), else the database of `settings` if it exists.
    """
    from rigport.settings import get_settings

    settings = settings or get_settings()
    durations: list[int] = []
    held = decided = open_holds = 0
    if uow is not None or settings.database_url is not None or settings.sqlite_path.exists():  # never create one
        with unit(settings, uow) as uow:
            for row in uow.shipments.list(limit=1_000_000):
                kind, days = _hold_of(row)
                decided += kind != "undecided"
                held += kind in ("completed", "open")
                open_holds += kind == "open"
                if days is not None:
                    durations.append(days)
    fitted = len(durations) >= min_holds
    mean = sum(durations) / len(durations) if durations else None
    probability = held / decided if decided else None
    note = (
        f"fitted from {len(durations)} completed holds ({open_holds} still open, not in the mean) "
        f"and {held} held of {decided} decided shipments"
        if fitted
        else f"fell back to the documented defaults (hold length mean {DEFAULT_HOLD_DAYS_MEAN:g} days): only "
        f"{len(durations)} completed holds recorded, {min_holds} needed"
    )
    return {
        "fitted": fitted, "completed_holds": len(durations), "open_holds": open_holds, "held_shipments": held,
        "decided_shipments": decided, "min_holds": min_holds,
        "observed_hold_days_mean": round(mean, 2) if mean is not None else None,
        "observed_hold_probability": round(probability, 4) if probability is not None else None, "note": note,
    }  # fmt: skip


def _hold_of(row: Any) -> tuple[str, int | None]:
    """One shipment's hold: ("undecided" | "released" | "open" | "completed", length in days when completed)."""
    from rigport.domain.customs.model import HELD_STATES, State

    held_states = {s.value for s in HELD_STATES}
    events = sorted((e for e in row.events if e.voided_at is None), key=lambda e: (e.occurred_on, e.id))
    released = State.RELEASED.value
    start = next((e.occurred_on for e in events if e.to_state in held_states), None)
    if start is None:
        return ("released" if any(e.to_state == released for e in events) else "undecided"), None
    releases = [e.occurred_on for e in events if e.to_state == released and e.occurred_on >= start]
    still_held = any(q.quantity > 0 and q.state in held_states for q in row.quantities)
    if releases and not still_held:
        return "completed", (max(releases) - start).days
    return "open", None


def resolve_hold(hold_prob: float | None, hold_days_mean: float | None, fit: bool, settings: Settings | None = None,
                 *, uow: AbstractUnitOfWork | None = None) -> HoldAssumptions:  # fmt: skip
    """Hold assumptions for a run: a value given explicitly wins, then the fitted one (with fit), then the default."""
    fitted = fit_holds(settings, uow=uow) if fit else None
    use_fit = bool(fitted and fitted["fitted"])
    observed_probability = fitted["observed_hold_probability"] if use_fit and fitted else None
    observed_days = fitted["observed_hold_days_mean"] if use_fit and fitted else None
    probability = hold_prob if hold_prob is not None else (
        observed_probability if observed_probability is not None else DEFAULT_HOLD_PROBABILITY)  # fmt: skip
    days = hold_days_mean if hold_days_mean is not None else (
        observed_days if observed_days is not None else DEFAULT_HOLD_DAYS_MEAN)  # fmt: skip
    source: HoldSource = {
        "probability": "given" if hold_prob is not None else ("fitted" if use_fit else "default"),
        "days_mean": "given" if hold_days_mean is not None else ("fitted" if use_fit else "default"),
    }
    return {"probability": float(probability), "days_mean": float(days), "source": source, "fit": fitted}


def simulate_model(
    model: str, units: int, unit_price: float | None, power_price: float, paths: int, days: int,
    seed: int | None = None, *, hold_prob: float | None = None, hold_days_mean: float | None = None,
    fit: bool = False, settings: Settings | None = None, scheduler: str | None = None, workers: int | None = None,
    progress: Callable[[int, int], None] | None = None, uow: AbstractUnitOfWork | None = None, **overrides: Any,
) -> SimulationReport:  # fmt: skip
    """The one use case behind `rigport simulate` and `POST /api/v1/simulations`: same inputs, same report.

    The report holds the summary (`npv_usd`, `payback_probability`, `payback_day`, `expected_hold_cost_usd`,
    `paths`, `days`, `seed`), `fan_chart` and `npv_histogram`, plus `model`, `units` and `hold` (the hold
    assumptions used and where they came from, with the fit when asked for).
    """
    hold = resolve_hold(hold_prob, hold_days_mean, fit, settings, uow=uow)
    params = params_for_model(model, units, unit_price, power_price, days, settings,
                              hold_probability=hold["probability"], hold_days_mean=hold["days_mean"],
                              **overrides)  # fmt: skip
    summary = run(params, paths, seed, scheduler=scheduler, workers=workers, progress=progress)
    return {**summary, "model": model, "units": units, "hold": hold,
            "warnings": start_warnings(model, unit_price, settings, overrides)}  # fmt: skip


def start_warnings(model_id: str, unit_price: float | None, settings: Settings | None,
                   overrides: dict[str, Any] | None = None) -> list[str]:  # fmt: skip
    """A simulation starts from the network snapshot (price, difficulty, fees) and, without a unit price, the
    catalog's reference price: say when either is past its horizon."""
    from rigport.services.horizons import price_warnings, snapshot_warnings

    overrides = overrides or {}
    given = all(overrides.get(k) is not None for k in ("start_price_usd", "start_difficulty", "fees_btc_per_block"))
    warnings = [] if given else snapshot_warnings(current_snapshot(settings))
    if unit_price is None:
        warnings += price_warnings(get_catalog(settings).get(model_id))
    return warnings


def compare_options(options: list[dict[str, Any]], paths: int, days: int, power_price: float, seed: int,
                    origin: str, settings: Settings | None = None) -> Comparison:  # fmt: skip
    """Simulate each option with the same seed (common random numbers) and rank them."""
    if len(options) < 2:
        raise InputError(f"{origin}: expected at least two [[option]] tables")
    summaries: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (option, its summary)
    npvs = []
    for n, option in enumerate(options, start=1):
        for key in ("name", "model", "units"):
            if key not in option:
                raise InputError(f"{origin}: option {n}: missing {key}")
        params = params_for_model(
            str(option["model"]), int(option["units"]), option.get("unit_price"),
            float(option.get("power_price", power_price)), days, settings,
            hold_probability=option.get("hold_prob"), hold_days_mean=option.get("hold_days_mean"),
            forfeiture_probability=option.get("forfeit_prob"), lead_time_days=option.get("lead_time_days"),
            storage_usd_per_unit_day=option.get("storage_per_day"),
        )  # fmt: skip
        chunks = [run_chunk(params, size, chunk_seed) for size, chunk_seed in chunk_plan(paths, seed)]
        npvs.append(np.concatenate([c.npv for c in chunks]))
        summaries.append((option, summarize(params, chunks, seed)))
    stacked = np.vstack(npvs)
    best = np.argmax(stacked, axis=0)
    names = [option["name"] for option, _ in summaries]
    reports: list[OptionResult] = [
        {
            "name": option["name"],
            "model": option["model"],
            "origin": option.get("origin", ""),
            "npv_usd": report["npv_usd"],
            "payback_probability": report["payback_probability"],
            "expected_hold_cost_usd": report["expected_hold_cost_usd"],
            "probability_best": float((best == i).mean()),
            "beats": {names[j]: float((stacked[i] > stacked[j]).mean()) for j in range(len(names)) if j != i},
        }
        for i, (option, report) in enumerate(summaries)
    ]
    reports.sort(key=lambda r: -r["npv_usd"]["mean"])
    warnings = list(dict.fromkeys(
        w for o in options for w in start_warnings(str(o["model"]), o.get("unit_price"), settings)
    ))  # fmt: skip
    return {"paths": paths, "days": days, "seed": seed, "options": reports, "warnings": warnings}
