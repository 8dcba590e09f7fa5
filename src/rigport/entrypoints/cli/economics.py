"""`rigport economics MODEL ...`: daily revenue, cost, margin, breakeven, payback, cost of a hold."""

from __future__ import annotations

import typer

from rigport.entrypoints.cli.output import print_json, print_key_values, print_warnings
from rigport.entrypoints.cli.params import parse_int, parse_money, parse_number
from rigport.services.economics import EconomicsRequest, run_economics


def economics(
    model: str = typer.Argument(..., help="Catalog model id, e.g. antminer-s21."),
    units: str = typer.Option(..., "--units", help="Number of machines."),
    power_price: str = typer.Option(..., "--power-price", help="Electricity price in USD per kWh."),
    price: str | None = typer.Option(None, "--price", help="BTC price in USD (default: network snapshot)."),
    difficulty: str | None = typer.Option(None, "--difficulty", help="Network difficulty (default: snapshot)."),
    fees_btc: str | None = typer.Option(None, "--fees-btc", help="Average fees per block in BTC (default: snapshot)."),
    unit_price: str | None = typer.Option(None, "--unit-price", help="Purchase price per unit in USD."),
    pool_fee: str = typer.Option("0.02", "--pool-fee", help="Pool fee as a fraction."),
    uptime: str = typer.Option("0.97", "--uptime", help="Fraction of the day the fleet runs."),
    hosting: str = typer.Option("0", "--hosting", help="Hosting cost in USD per kWh on top of power."),
    hold_days: str = typer.Option("0", "--hold-days", help="Days held at the port, for the hold cost."),
    storage_per_day: str = typer.Option("0", "--storage-per-day", help="Storage fee per unit per day in USD."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """Unit economics of N machines of a model at a power price, and what a hold costs."""
    request = EconomicsRequest(
        model_id=model,
        units=parse_int(units, "--units", minimum=1),
        power_price_usd_kwh=parse_money(power_price, "--power-price", rate=True),
        price_usd=parse_number(price, "--price", non_negative=True) if price else None,
        difficulty=parse_number(difficulty, "--difficulty", positive=True) if difficulty else None,
        fees_btc_per_block=parse_number(fees_btc, "--fees-btc", non_negative=True) if fees_btc else None,
        unit_price_usd=parse_money(unit_price, "--unit-price") if unit_price else None,
        pool_fee=parse_number(pool_fee, "--pool-fee", non_negative=True),
        uptime=parse_number(uptime, "--uptime", positive=True),
        hosting_usd_per_kwh=parse_money(hosting, "--hosting", rate=True),
        hold_days=parse_int(hold_days, "--hold-days", minimum=0),
        storage_usd_per_unit_day=parse_money(storage_per_day, "--storage-per-day", rate=True),
    )
    report = run_economics(request)
    if as_json:
        print_json(report)
        return
    shown = {k: v for k, v in report.items() if not isinstance(v, dict | list)}
    shown["payback_days"] = report["payback_days"] if report["pays_back"] else "does not pay back"
    print_key_values(f"{report['model']} x {request.units}", shown.items())
    print_warnings(report["warnings"])
