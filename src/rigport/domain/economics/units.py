"""Revenue, power cost, margin, breakevens, payback, and the cost of a hold.

Revenue per hash uses rigport.domain.chain.hashprice (expected blocks = hashes / (difficulty x 2^32)).
Defaults and their reasons are in docs/economics.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from rigport.domain.chain.hashprice import PH, btc_per_hash_day
from rigport.domain.chain.subsidy import SATS_PER_BTC, block_subsidy_sat
from rigport.errors import InputError

CENT = Decimal("0.01")
HOURS_PER_DAY = Decimal(24)
DEFAULT_POOL_FEE = 0.02  # FPPS pools commonly charge 2-2.5%; see docs/economics.md
DEFAULT_UPTIME = 0.97  # curtailment and maintenance; see docs/economics.md


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MiningInputs:
    """Everything the daily economics of a fleet depend on."""

    hashrate_th: float
    power_w: float
    units: int
    power_price_usd_kwh: Decimal
    difficulty: float
    price_usd: float
    fees_btc_per_block: float
    height: int
    pool_fee: float = DEFAULT_POOL_FEE
    uptime: float = DEFAULT_UPTIME
    hosting_usd_per_kwh: Decimal = Decimal(0)
    unit_price_usd: Decimal | None = None

    def validate(self) -> None:
        checks = [
            (self.hashrate_th > 0, "hashrate_th", "a number greater than 0"),
            (self.power_w > 0, "power_w", "a number greater than 0"),
            (self.units >= 1, "units", "a whole number of at least 1"),
            (self.power_price_usd_kwh >= 0, "power_price_usd_kwh", "a price of 0 or more"),
            (self.difficulty > 0, "difficulty", "a number greater than 0"),
            (self.price_usd >= 0, "price_usd", "a price of 0 or more"),
            (self.fees_btc_per_block >= 0, "fees_btc_per_block", "0 or more"),
            (0 <= self.pool_fee < 1, "pool_fee", "a fraction from 0 up to (not including) 1"),
            (0 < self.uptime <= 1, "uptime", "a fraction above 0 and at most 1"),
            (self.hosting_usd_per_kwh >= 0, "hosting_usd_per_kwh", "0 or more"),
            (self.unit_price_usd is None or self.unit_price_usd >= 0, "unit_price_usd", "0 or more"),
        ]
        for ok, name, expected in checks:
            if not ok:
                raise InputError(f"{name}: expected {expected}, got {getattr(self, name)!r}")

    @property
    def fleet_hashrate_hs(self) -> float:
        return self.hashrate_th * 1e12 * self.units

    @property
    def fleet_kwh_per_day(self) -> Decimal:
        """Energy drawn per day while running (uptime applied)."""
        kw = Decimal(str(self.power_w)) * self.units / 1000
        return kw * HOURS_PER_DAY * Decimal(str(self.uptime))


@dataclass(frozen=True)
class UnitEconomics:
    """Daily figures for the whole fleet, plus breakevens and payback."""

    daily_revenue_sat: int
    daily_revenue_btc: float
    daily_revenue_usd: Decimal
    daily_power_cost_usd: Decimal
    daily_margin_usd: Decimal
    breakeven_power_price_usd_per_kwh: Decimal
    breakeven_hashprice_usd_per_ph_day: Decimal
    hashprice_usd_per_ph_day: Decimal
    capex_usd: Decimal | None
    payback_days: int | None
    pays_back: bool


def daily_revenue_btc(inputs: MiningInputs) -> float:
    """Expected BTC per day for the fleet after pool fee and downtime."""
    reward = block_subsidy_sat(inputs.height) / SATS_PER_BTC + inputs.fees_btc_per_block
    gross = btc_per_hash_day(inputs.difficulty, reward) * inputs.fleet_hashrate_hs
    return gross * inputs.uptime * (1 - inputs.pool_fee)


def unit_economics(inputs: MiningInputs) -> UnitEconomics:
    """Daily revenue, cost and margin; payback is None ("does not pay back") when margin <= 0."""
    inputs.validate()
    btc = daily_revenue_btc(inputs)
    sat = round(btc * SATS_PER_BTC)
    revenue = Decimal(sat) / SATS_PER_BTC * Decimal(str(inputs.price_usd))
    kwh = inputs.fleet_kwh_per_day
    power_cost = kwh * (inputs.power_price_usd_kwh + inputs.hosting_usd_per_kwh)
    margin = revenue - power_cost
    breakeven_power = revenue / kwh - inputs.hosting_usd_per_kwh
    fleet_ph = Decimal(str(inputs.hashrate_th * inputs.units)) / 1000
    reward = block_subsidy_sat(inputs.height) / SATS_PER_BTC + inputs.fees_btc_per_block
    hashprice = Decimal(str(btc_per_hash_day(inputs.difficulty, reward) * PH * inputs.price_usd))
    # Hashprice at which net revenue (after pool fee and downtime) just covers power and hosting.
    breakeven_hashprice = power_cost / (fleet_ph * Decimal(str(inputs.uptime * (1 - inputs.pool_fee))))
    capex = inputs.unit_price_usd * inputs.units if inputs.unit_price_usd is not None else None
    payback: int | None = None
    if capex is not None and margin > 0:
        payback = int((capex / margin).to_integral_value(rounding=ROUND_CEILING))
    return UnitEconomics(
        daily_revenue_sat=sat,
        daily_revenue_btc=sat / SATS_PER_BTC,
        daily_revenue_usd=cents(revenue),
        daily_power_cost_usd=cents(power_cost),
        daily_margin_usd=cents(margin),
        breakeven_power_price_usd_per_kwh=max(Decimal(0), breakeven_power).quantize(Decimal("0.0001")),
        breakeven_hashprice_usd_per_ph_day=cents(breakeven_hashprice),
        hashprice_usd_per_ph_day=cents(hashprice),
        capex_usd=cents(capex) if capex is not None else None,
        payback_days=payback,
        pays_back=payback is not None,
    )


@dataclass(frozen=True)
class HoldCost:
    """What holding the fleet at the port costs: per unit per day, and for the whole hold."""

    hold_days: int
    revenue_forgone_usd_per_unit_day: Decimal
    storage_usd_per_unit_day: Decimal
    capital_cost_usd_per_unit_day: Decimal
    efficiency_loss_usd_per_unit: Decimal
    per_unit_per_day_usd: Decimal
    per_unit_total_usd: Decimal
    shipment_per_day_usd: Decimal
    shipment_total_usd: Decimal


def hold_cost(
    inputs: MiningInputs,
    hold_days: int,
    storage_usd_per_unit_day: Decimal = Decimal(0),
    cost_of_capital_annual: Decimal = Decimal("0.10"),
    difficulty_growth_per_day: float = 0.0,
) -> HoldCost:
    """Cost of holding the fleet `hold_days` days: margin forgone (a held rig draws no power),
    storage, capital tied up (price x annual rate / 365), and an efficiency loss.

    Efficiency loss, a documented approximation: a rig delivered `hold_days` late starts mining
    when difficulty has grown by (1+g)^hold_days, so its first `hold_days` days of production earn
    that much less than the on-time rig's did. We charge that shortfall once:
    revenue/day x hold_days x (1 - (1+g)^-hold_days).
    """
    if hold_days < 0:
        raise InputError(f"hold_days: expected 0 or more days, got {hold_days}")
    if storage_usd_per_unit_day < 0:
        raise InputError(f"storage: expected 0 or more USD per unit per day, got {storage_usd_per_unit_day}")
    if cost_of_capital_annual < 0:
        raise InputError(f"cost_of_capital: expected 0 or more, got {cost_of_capital_annual}")
    economics = unit_economics(inputs)
    units = Decimal(inputs.units)
    margin_per_unit = max(Decimal(0), economics.daily_margin_usd / units)
    revenue_per_unit = economics.daily_revenue_usd / units
    price = inputs.unit_price_usd or Decimal(0)
    capital_per_unit_day = price * cost_of_capital_annual / 365
    growth_factor = Decimal(str(1 - 1 / (1 + difficulty_growth_per_day) ** hold_days)) if hold_days else Decimal(0)
    efficiency_loss = revenue_per_unit * hold_days * growth_factor
    per_day = margin_per_unit + storage_usd_per_unit_day + capital_per_unit_day
    per_unit_total = per_day * hold_days + efficiency_loss
    return HoldCost(
        hold_days=hold_days,
        revenue_forgone_usd_per_unit_day=cents(margin_per_unit),
        storage_usd_per_unit_day=cents(storage_usd_per_unit_day),
        capital_cost_usd_per_unit_day=cents(capital_per_unit_day),
        efficiency_loss_usd_per_unit=cents(efficiency_loss),
        per_unit_per_day_usd=cents(per_day),
        per_unit_total_usd=cents(per_unit_total),
        shipment_per_day_usd=cents(per_day * units),
        shipment_total_usd=cents(per_unit_total * units),
    )
