"""`rigport simulate ...`: the distribution of payback and NPV, and a sourcing comparison."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from rigport.entrypoints.cli.output import console, err_console, print_json, print_table, print_warnings
from rigport.entrypoints.cli.output import days as fmt_days
from rigport.errors import InputError


class SimulateGroup(TyperGroup):
    """`simulate --model ...` runs the hidden `run` command; `simulate compare` is a subcommand."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's vendored click Context
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=SimulateGroup, help="Monte Carlo of payback and NPV under price, difficulty and hold risk.")


def _progress(total_label: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn(total_label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, transient=True)  # fmt: skip


@app.command("run", hidden=True)
def run_command(
    model: str = typer.Option(..., "--model", help="Catalog model id."),
    units: int = typer.Option(..., "--units", min=1, help="Number of machines."),
    unit_price: float | None = typer.Option(None, "--unit-price", min=0, help="USD per unit (default: catalog)."),
    power_price: float = typer.Option(..., "--power-price", min=0, help="USD per kWh."),
    paths: int = typer.Option(10_000, "--paths", min=1, max=10_000_000, help="Simulated paths."),
    days: int = typer.Option(1095, "--days", min=1, max=3650, help="Horizon in days."),
    hold_prob: float | None = typer.Option(
        None, "--hold-prob", min=0, max=1, help="Probability of a customs hold (default 0, or fitted)."
    ),
    hold_days_mean: float | None = typer.Option(
        None, "--hold-days-mean", min=0, help="Mean hold length in days (default 60, or fitted)."
    ),
    fit_holds: bool = typer.Option(
        False, "--fit-holds", help="Fit hold probability and mean length to your recorded holds (5+ needed)."
    ),
    forfeit_prob: float = typer.Option(0.0, "--forfeit-prob", min=0, max=1, help="P(goods forfeited | hold)."),
    storage_per_day: float = typer.Option(0.0, "--storage-per-day", min=0, help="Storage USD per unit per day."),
    volatility: float | None = typer.Option(None, "--volatility", min=0, help="Annual BTC price volatility."),
    drift: float | None = typer.Option(None, "--drift", help="Annual BTC price drift."),
    difficulty_growth: float | None = typer.Option(None, "--difficulty-growth", help="Annual difficulty growth."),
    discount_rate: float | None = typer.Option(None, "--discount-rate", min=0, help="Annual discount rate."),
    seed: int | None = typer.Option(None, "--seed", help="Same seed, same numbers (in-process or on Dask)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the charts to this .html or .png file."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler, tcp://HOST:PORT."),
    workers: int | None = typer.Option(None, "--workers", min=1, max=64, help="Start a local Dask cluster."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """Simulate N machines of a model: NPV percentiles, payback probability, expected hold cost."""
    from rigport.services.simulation import check_plot_path, simulate_model, write_plot

    if plot is not None:
        check_plot_path(plot)  # refuse a bad --plot before minutes of simulation, not after
    with _progress(f"{paths:,} paths x {days} days") as progress:
        task = progress.add_task("chunks", total=None)
        report = simulate_model(
            model, units, unit_price, power_price, paths, days, seed, hold_prob=hold_prob,
            hold_days_mean=hold_days_mean, fit=fit_holds, scheduler=scheduler, workers=workers,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
            forfeiture_probability=forfeit_prob, storage_usd_per_unit_day=storage_per_day, price_volatility=volatility,
            price_drift=drift, difficulty_growth=difficulty_growth, discount_rate=discount_rate,
        )  # fmt: skip
    shown: dict[str, Any] = {k: v for k, v in report.items() if k not in ("fan_chart", "npv_histogram")}
    if plot:
        shown["plot"] = str(write_plot(report, plot))
    if as_json:
        print_json(shown | {"fan_chart_days": days})
        return
    npv, pb = report["npv_usd"], report["payback_day"]
    print_table(f"{model} x {units:,}: {report['paths']:,} paths over {fmt_days(days)}, seed {seed}",
                ["measure", "value"], [
        ("NPV P5 / P50 / P95", f"${npv['p5']:,.0f} / ${npv['p50']:,.0f} / ${npv['p95']:,.0f}"),
        ("NPV mean", f"${npv['mean']:,.0f}"),
        ("pays back within horizon", f"{report['payback_probability']:.1%}"),
        ("payback day P5 / P50 / P95", " / ".join("-" if v is None else f"{v:,.0f}" for v in pb.values())),
        ("expected hold cost", f"${report['expected_hold_cost_usd']:,.0f}"),
        ("hold probability / mean length", f"{report['hold']['probability']:.1%} / "
         f"{report['hold']['days_mean']:.0f} days ({report['hold']['source']['days_mean']})"),
    ], keep=["measure"])  # fmt: skip
    hold = report["hold"]
    if hold["fit"] is not None:
        err_console.print(f"holds: {hold['fit']['note']}", highlight=False)
    if plot:
        console.print(f"charts written to {plot}")
    print_warnings(report["warnings"])


@app.command()
def compare(
    options: Path = typer.Option(..., "--options", help="TOML file with [[option]] tables."),
    paths: int = typer.Option(5_000, "--paths", min=1, max=1_000_000),
    days: int = typer.Option(1095, "--days", min=1, max=3650),
    power_price: float = typer.Option(0.05, "--power-price", min=0),
    seed: int = typer.Option(1, "--seed"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """Rank sourcing options by expected NPV, with the chance each beats the others (common random numbers)."""
    from rigport.services.simulation import compare_options

    if not options.is_file():
        raise InputError(f"{options}: file not found")
    try:
        spec = tomllib.loads(options.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{options}: not valid TOML ({exc})") from None
    result = compare_options(spec.get("option", []), paths, days, power_price, seed, str(options))
    if as_json:
        print_json(result)
        return
    print_table(
        "Sourcing options, best expected NPV first",
        ["option", "model", "NPV mean", "NPV P5", "pays back", "P(best)"],
        [
            (
                o["name"],
                o["model"],
                f"${o['npv_usd']['mean']:,.0f}",
                f"${o['npv_usd']['p5']:,.0f}",
                f"{o['payback_probability']:.0%}",
                f"{o['probability_best']:.0%}",
            )
            for o in result["options"]
        ],
        keep=["NPV mean", "NPV P5", "pays back", "P(best)"], right=["NPV mean", "NPV P5", "pays back", "P(best)"],
    )
    print_warnings(result["warnings"])


@app.command("country-share")
def country_share(
    held_units: int = typer.Option(..., "--held-units", min=0, help="Units held at the port."),
    model: str = typer.Option("antminer-s21", "--model", help="Catalog model id of the held units."),
    hold_days: int = typer.Option(60, "--hold-days", min=0, help="Days held before release."),
    days: int = typer.Option(365, "--days", min=1, max=3650, help="Horizon in days."),
    network_growth: float = typer.Option(0.35, "--network-growth", help="Annual network hashrate growth."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """How much US hashrate share the held units cost over time (from US 43.8% / China 45.8%, early 2025)."""
    from rigport.domain.simulate.country import CHINA_SHARE_EARLY_2025, SHARE_SOURCE, US_SHARE_EARLY_2025, us_share_path
    from rigport.services.catalog import get_catalog
    from rigport.services.horizons import snapshot_warnings
    from rigport.services.network import current_snapshot

    snap = current_snapshot()
    path = us_share_path(held_units=held_units, hashrate_th=get_catalog().get(model).hashrate_th,
                         hold_days=hold_days, days=days, difficulty=snap.difficulty, network_growth=network_growth)
    lost = [d.points_lost for d in path]
    result = {
        "held_units": held_units, "model": model, "hold_days": hold_days, "days": days,
        "start_shares": {"US": US_SHARE_EARLY_2025, "CN": CHINA_SHARE_EARLY_2025, "source": SHARE_SOURCE},
        "network_as_of": snap.as_of, "max_share_points_lost": max(lost), "share_point_days_lost": sum(lost),
        "warnings": snapshot_warnings(snap),
        "daily": [{"day": d.day, "us_share_if_released": round(d.us_share_if_released, 6),
                   "us_share_with_hold": round(d.us_share_with_hold, 6)} for d in path],
    }
    if as_json:
        print_json(result)
        return
    console.print(f"{held_units:,} x {model} held {fmt_days(hold_days)}: US share lower by up to "
                  f"{result['max_share_points_lost']:.3f} points; "
                  f"{result['share_point_days_lost']:.1f} share-point-days "
                  f"over {fmt_days(days)} ({SHARE_SOURCE}; network as of {snap.as_of})", highlight=False)
    print_warnings(snapshot_warnings(snap))
