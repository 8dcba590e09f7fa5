"""`rigport economics MODEL ...`: daily revenue, cost, margin, breakeven, payback, cost of a hold."""

from __future__ import annotations

import typer

from rigport.domain.economics.units import HoldCost
from rigport.entrypoints.cli.output import days, print_json, print_table, print_warnings, si, usd
from rigport.entrypoints.cli.params import parse_int, parse_money, parse_number
from rigport.services.economics import EconomicsReport, EconomicsRequest, run_economics


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
    print_economics(report, request.units)
    print_warnings(report["warnings"])


def print_economics(report: EconomicsReport, units: int) -> None:
    """The report as a person reads it: labelled figures with units and separators, the hold cost broken down
    (the JSON keeps the field names and raw numbers)."""
    hold: HoldCost = report["hold_cost_breakdown"]
    payback_days = report["payback_days"]
    payback = days(payback_days) if report["pays_back"] and payback_days is not None else "does not pay back"
    print_table(f"{report['model']} x {units:,}", ["figure", "value"], [
        ("network difficulty", si(report["difficulty"])),
        ("BTC price", usd(report["price_usd"])),
        ("fees per block", f"{report['fees_btc_per_block']:,} BTC"),
        ("power price", f"${report['power_price_usd_per_kwh']:,}/kWh"),
        ("unit price", usd(report["unit_price_usd"]) if report["unit_price_usd"] is not None else "not given"),
        ("revenue per day", f"{report['daily_revenue_btc']:.8f} BTC ({usd(report['daily_revenue_usd'])})"),
        ("power cost per day", usd(report["daily_power_cost_usd"])),
        ("margin per day", usd(report["daily_margin_usd"])),
        ("hashprice", f"{usd(report['hashprice_usd_per_ph_day'])} per PH/s per day"),
        ("breakeven power price", f"${report['breakeven_power_price_usd_per_kwh']:,}/kWh"),
        ("breakeven hashprice", f"{usd(report['breakeven_hashprice_usd_per_ph_day'])} per PH/s per day"),
        ("capital outlay", usd(report["capex_usd"]) if report["capex_usd"] is not None else "no unit price"),
        ("payback", payback),
    ], keep=["figure"])  # fmt: skip
    if not hold.hold_days:
        return
    print_table(f"Cost of a hold of {days(hold.hold_days)}", ["part", "per unit", "fleet"], [
        ("margin forgone per day", usd(hold.revenue_forgone_usd_per_unit_day), ""),
        ("storage per day", usd(hold.storage_usd_per_unit_day), ""),
        ("capital tied up per day", usd(hold.capital_cost_usd_per_unit_day), ""),
        ("total per day", usd(hold.per_unit_per_day_usd), usd(hold.shipment_per_day_usd)),
        ("efficiency loss (once)", usd(hold.efficiency_loss_usd_per_unit), ""),
        (f"whole hold ({days(hold.hold_days)})", usd(hold.per_unit_total_usd), usd(hold.shipment_total_usd)),
    ], keep=["per unit", "fleet"], right=["per unit", "fleet"])  # fmt: skip
