"""Use case: run a simulation in-process or on a Dask cluster, with progress; plots with Plotly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from rigport.errors import InputError, UnavailableError
from rigport.services.catalog import get_catalog
from rigport.services.network import current_snapshot
from rigport.settings import Settings
from rigport.simulate.engine import ChunkResult, SimulationParams, run_chunk, summarize

CHUNK_PATHS = 10_000  # fixed, so the same seed gives the same numbers however many workers run it


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
        raise InputError(f"--paths: expected at least 1, got {paths}")
    sizes = [CHUNK_PATHS] * (paths // CHUNK_PATHS) + ([paths % CHUNK_PATHS] if paths % CHUNK_PATHS else [])
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    return list(zip(sizes, seeds, strict=True))


def run(params: SimulationParams, paths: int, seed: int | None = None, *, scheduler: str | None = None,
        workers: int | None = None, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:  # fmt: skip
    """Run every chunk (locally, or on Dask when given a scheduler address or a worker count)."""
    plan = chunk_plan(paths, seed)
    if scheduler or workers:
        chunks = _run_dask(params, plan, scheduler, workers, progress)
    else:
        chunks = []
        for done, (size, chunk_seed) in enumerate(plan, start=1):
            chunks.append(run_chunk(params, size, chunk_seed))
            if progress:
                progress(done, len(plan))
    report = summarize(params, chunks, seed)
    report["chunks"] = len(plan)
    return report


def _run_dask(params: SimulationParams, plan: list[tuple[int, np.random.SeedSequence]], scheduler: str | None,
              workers: int | None, progress: Callable[[int, int], None] | None) -> list[ChunkResult]:  # fmt: skip
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True,
                                   dashboard_address=None)  # fmt: skip
            client = Client(cluster)
    except OSError as exc:
        raise UnavailableError(f"Dask scheduler {scheduler or 'local'}: {exc}") from None
    try:
        futures = [client.submit(run_chunk, params, size, chunk_seed, pure=False) for size, chunk_seed in plan]
        for done, _ in enumerate(as_completed(futures), start=1):
            if progress:
                progress(done, len(plan))
        return list(client.gather(futures))  # in chunk order, whatever order they finished in
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def write_plot(report: dict[str, Any], path: Path) -> Path:
    """NPV histogram and price/difficulty fan charts as a self-contained HTML page (works offline)."""
    import plotly.graph_objects as go  # type: ignore[import-untyped]
    from plotly.subplots import make_subplots  # type: ignore[import-untyped]

    if path.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"--plot: expected a .html file (PNG export needs kaleido, not installed), got {path.name}")
    fig = make_subplots(rows=1, cols=3, subplot_titles=("NPV (USD)", "BTC price fan (USD)", "Difficulty fan"))
    hist = report["npv_histogram"]
    centers = [(a + b) / 2 for a, b in zip(hist["edges"][:-1], hist["edges"][1:], strict=True)]
    fig.add_trace(go.Bar(x=centers, y=hist["counts"], name="NPV paths"), row=1, col=1)
    for col, key in ((2, "price_usd"), (3, "difficulty")):
        fan = report["fan_chart"][key]
        days = list(range(len(fan["p50"])))
        fig.add_trace(go.Scatter(x=days, y=fan["p95"], line={"width": 0}, showlegend=False), row=1, col=col)
        fig.add_trace(go.Scatter(x=days, y=fan["p5"], fill="tonexty", line={"width": 0}, name=f"{key} P5-P95"),
                      row=1, col=col)  # fmt: skip
        fig.add_trace(go.Scatter(x=days, y=fan["p50"], name=f"{key} P50"), row=1, col=col)
    fig.update_layout(
        title=f"rigport simulation: {report['paths']:,} paths x {report['days']} days, seed {report['seed']}"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(str(path), include_plotlyjs=True)
    return path


def compare_options(options: list[dict[str, Any]], paths: int, days: int, power_price: float, seed: int,
                    origin: str, settings: Settings | None = None) -> dict[str, Any]:  # fmt: skip
    """Simulate each option with the same seed (common random numbers) and rank them."""
    if len(options) < 2:
        raise InputError(f"{origin}: expected at least two [[option]] tables")
    reports = []
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
        report = summarize(params, chunks, seed)
        reports.append(
            {
                "name": option["name"],
                "model": option["model"],
                "origin": option.get("origin", ""),
                **{k: report[k] for k in ("npv_usd", "payback_probability", "expected_hold_cost_usd")},
            }
        )
    stacked = np.vstack(npvs)
    best = np.argmax(stacked, axis=0)
    for i, report in enumerate(reports):
        report["probability_best"] = float((best == i).mean())
        report["beats"] = {reports[j]["name"]: float((stacked[i] > stacked[j]).mean())
                           for j in range(len(reports)) if j != i}  # fmt: skip
    reports.sort(key=lambda r: -r["npv_usd"]["mean"])
    return {"paths": paths, "days": days, "seed": seed, "options": reports}
