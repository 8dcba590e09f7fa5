"""`rigport landed-cost ...`: duties and fees of an entry, per component, with citations."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import typer

from rigport.domain.customs.landed_cost import (
    REFUND_NOTE,
    SECTION_122_REFUND_NOTE,
    LandedCost,
    compare_hts,
    landed_cost,
)
from rigport.domain.customs.tariffs import DEFAULT_HTS
from rigport.entrypoints.cli.output import console, print_json, print_table, print_warnings
from rigport.entrypoints.cli.params import parse_date, parse_int, parse_money


def report(cost: LandedCost, hashrate_th: float) -> dict[str, Any]:
    fleet_th = Decimal(str(hashrate_th)) * cost.units
    return {
        "hts": cost.hts,
        "origin": cost.origin,
        "entry_date": cost.entry_date,
        "mode": cost.mode,
        "units": cost.units,
        "entered_value_usd": cost.entered_value_usd,
        "components": [
            {
                "code": c.code,
                "rate": c.rate,
                "basis": c.basis,
                "amount_usd": c.amount_usd,
                "citation": c.citation,
                "note": c.note,
                "refundable": c.refundable,
                "verified_through": c.verified_through,
            }
            for c in cost.components
        ],  # fmt: skip
        "total_duties_and_fees_usd": cost.total_duties_and_fees_usd,
        "landed_cost_usd": cost.landed_cost_usd,
        "landed_cost_per_unit_usd": (cost.landed_cost_usd / cost.units).quantize(Decimal("0.01"), ROUND_HALF_UP),
        "landed_cost_per_th_usd": (cost.landed_cost_usd / fleet_th).quantize(Decimal("0.01"), ROUND_HALF_UP),
        "potentially_refundable_ieepa_usd": cost.refundable_usd,
        "potentially_refundable_section_122_usd": cost.refundable_section_122_usd,
        "warnings": cost.warnings,
    }


def landed_cost_command(
    model: str = typer.Option(..., "--model", help="Catalog model id (for per-TH figures)."),
    units: str = typer.Option(..., "--units", help="Number of units."),
    unit_value: str = typer.Option(..., "--unit-value", help="Entered value per unit in USD."),
    origin: str = typer.Option(..., "--origin", help="Country of origin, ISO code (CN, MY, ...)."),
    entry_date: str = typer.Option(..., "--entry-date", help="Date of entry YYYY-MM-DD."),
    mode: str = typer.Option(..., "--mode", help="vessel or air (HMF is vessel only)."),
    hts: str = typer.Option(DEFAULT_HTS, "--hts", help="HTS classification option (default: current number)."),
    transshipped: bool = typer.Option(False, "--transshipped", help="Goods found transshipped (40% rate)."),
    compare: bool = typer.Option(False, "--compare", help="Also show every HTS option side by side."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """Duties, fees and landed cost of an entry on a date, per component with its citation."""
    from rigport.services.catalog import get_catalog

    hashrate = get_catalog().get(model).hashrate_th
    args: dict[str, Any] = dict(
        origin=origin,
        entry_date=parse_date(entry_date, "--entry-date"),
        mode=mode,
        units=parse_int(units, "--units", minimum=1),
        unit_value_usd=parse_money(unit_value, "--unit-value"),
        transshipped=transshipped,
    )
    result = report(landed_cost(hts=hts, **args), hashrate)
    options = [report(c, hashrate) for c in compare_hts(**args)] if compare else []
    for option in options:
        option["difference_vs_chosen_usd"] = option["total_duties_and_fees_usd"] - result["total_duties_and_fees_usd"]
    if compare:
        result["hts_options"] = options
    if as_json:
        print_json(result)
        return
    print_table(f"Landed cost: {result['units']} x {model}, {result['origin']}, {result['entry_date']}, "
                f"{result['mode']}, HTS {result['hts']}",
                ["component", "rate", "amount USD", "citation"],
                [(c["code"], f"{c['rate'] * 100:.4g}%", f"{c['amount_usd']:,.2f}", c["citation"])
                 for c in result["components"]])  # fmt: skip
    console.print(f"entered value ${result['entered_value_usd']:,.2f}; duties and fees "
                  f"${result['total_duties_and_fees_usd']:,.2f}; landed ${result['landed_cost_usd']:,.2f} "
                  f"(${result['landed_cost_per_unit_usd']:,.2f}/unit, ${result['landed_cost_per_th_usd']:,.2f}/TH)",
                  highlight=False)  # fmt: skip
    if result["potentially_refundable_ieepa_usd"]:
        console.print(f"[yellow]${result['potentially_refundable_ieepa_usd']:,.2f} of IEEPA duty:[/] {REFUND_NOTE}")
    if result["potentially_refundable_section_122_usd"]:
        console.print(f"[yellow]${result['potentially_refundable_section_122_usd']:,.2f} of Section 122 duty:[/] "
                      f"{SECTION_122_REFUND_NOTE}", highlight=False)
    print_warnings(result["warnings"])
    if options:
        print_table("HTS options", ["HTS", "duties and fees USD", "difference USD"],
                    [(o["hts"], f"{o['total_duties_and_fees_usd']:,.2f}", f"{o['difference_vs_chosen_usd']:+,.2f}")
                     for o in options])  # fmt: skip
