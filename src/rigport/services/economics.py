"""Use case: unit economics for a catalog model, filling gaps from the network snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.domain.economics import HoldCost, MiningInputs, hold_cost, unit_economics
from rigport.services.catalog import get_catalog
from rigport.services.network import current_snapshot
from rigport.settings import Settings


@dataclass(frozen=True)
class EconomicsRequest:
    model_id: str
    units: int
    power_price_usd_kwh: Decimal
    price_usd: float | None = None
    difficulty: float | None = None
    fees_btc_per_block: float | None = None
    unit_price_usd: Decimal | None = None
    pool_fee: float = 0.02
    uptime: float = 0.97
    hosting_usd_per_kwh: Decimal = Decimal(0)
    hold_days: int = 0
    storage_usd_per_unit_day: Decimal = Decimal(0)
    cost_of_capital_annual: Decimal = Decimal("0.10")
    difficulty_growth_per_day: float = 0.0


class SnapshotView(TypedDict):
    """The network snapshot a figure was priced from (`NetworkSnapshot.to_dict`)."""

    height: int
    difficulty: float
    price_usd: float
    fees_btc_per_block: float
    as_of: str
    source: str


class Assumptions(TypedDict):
    """What a figure was priced from besides the request: the model, the snapshot, and why they may be off."""

    model: str
    model_id: str
    snapshot: SnapshotView
    warnings: list[str]


class EconomicsReport(Assumptions):
    """`rigport economics --json`: the assumptions, the inputs used, the daily figures and the cost of a hold.

    `hold_cost_breakdown` is the domain's `HoldCost` (a dataclass, written out field by field in JSON).
    """

    units: int
    difficulty: float
    price_usd: float
    fees_btc_per_block: float
    power_price_usd_per_kwh: Decimal
    unit_price_usd: Decimal | None
    daily_revenue_btc: float
    daily_revenue_usd: Decimal
    daily_power_cost_usd: Decimal
    daily_margin_usd: Decimal
    hashprice_usd_per_ph_day: Decimal
    breakeven_power_price_usd_per_kwh: Decimal
    breakeven_hashprice_usd_per_ph_day: Decimal
    capex_usd: Decimal | None
    payback_days: int | None
    pays_back: bool
    hold_days: int
    hold_cost_per_unit_per_day_usd: Decimal
    hold_cost_per_day_usd: Decimal
    hold_cost_usd: Decimal
    hold_cost_breakdown: HoldCost


def mining_inputs(request: EconomicsRequest, settings: Settings | None = None) -> tuple[MiningInputs, Assumptions]:
    """Resolve the model and snapshot; returns the inputs and a description of what was assumed."""
    model = get_catalog(settings).get(request.model_id)
    snap = current_snapshot(settings)
    inputs = MiningInputs(
        hashrate_th=model.hashrate_th,
        power_w=model.power_w,
        units=request.units,
        power_price_usd_kwh=request.power_price_usd_kwh,
        difficulty=request.difficulty if request.difficulty is not None else snap.difficulty,
        price_usd=request.price_usd if request.price_usd is not None else snap.price_usd,
        fees_btc_per_block=request.fees_btc_per_block
        if request.fees_btc_per_block is not None
        else snap.fees_btc_per_block,
        height=snap.height,
        pool_fee=request.pool_fee,
        uptime=request.uptime,
        hosting_usd_per_kwh=request.hosting_usd_per_kwh,
        unit_price_usd=request.unit_price_usd if request.unit_price_usd is not None else model.reference_price_usd,
    )
    from rigport.services.horizons import price_warnings, snapshot_warnings

    from_snapshot = None in (request.difficulty, request.price_usd, request.fees_btc_per_block)
    warnings = snapshot_warnings(snap) if from_snapshot else []
    if request.unit_price_usd is None:
        warnings += price_warnings(model)
    assumptions: Assumptions = {
        "model": model.model,
        "model_id": model.id,
        "snapshot": cast(SnapshotView, snap.to_dict()),  # the domain's plain dict, typed here
        "warnings": warnings,
    }
    return inputs, assumptions


def run_economics(request: EconomicsRequest, settings: Settings | None = None) -> EconomicsReport:
    """The economics report as plain values (the CLI and API print it)."""
    inputs, assumptions = mining_inputs(request, settings)
    econ = unit_economics(inputs)
    hold = hold_cost(
        inputs,
        request.hold_days,
        request.storage_usd_per_unit_day,
        request.cost_of_capital_annual,
        request.difficulty_growth_per_day,
    )
    report: EconomicsReport = {
        **assumptions,
        "units": inputs.units,
        "difficulty": inputs.difficulty,
        "price_usd": inputs.price_usd,
        "fees_btc_per_block": inputs.fees_btc_per_block,
        "power_price_usd_per_kwh": inputs.power_price_usd_kwh,
        "unit_price_usd": inputs.unit_price_usd,
        "daily_revenue_btc": econ.daily_revenue_btc,
        "daily_revenue_usd": econ.daily_revenue_usd,
        "daily_power_cost_usd": econ.daily_power_cost_usd,
        "daily_margin_usd": econ.daily_margin_usd,
        "hashprice_usd_per_ph_day": econ.hashprice_usd_per_ph_day,
        "breakeven_power_price_usd_per_kwh": econ.breakeven_power_price_usd_per_kwh,
        "breakeven_hashprice_usd_per_ph_day": econ.breakeven_hashprice_usd_per_ph_day,
        "capex_usd": econ.capex_usd,
        "payback_days": econ.payback_days,
        "pays_back": econ.pays_back,
        "hold_days": hold.hold_days,
        "hold_cost_per_unit_per_day_usd": hold.per_unit_per_day_usd,
        "hold_cost_per_day_usd": hold.shipment_per_day_usd,
        "hold_cost_usd": hold.shipment_total_usd,
        "hold_cost_breakdown": hold,
    }
    return report
