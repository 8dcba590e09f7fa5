"""Unit economics of a mining fleet and the cost of a day held at the port (pure, Decimal money)."""

from rigport.domain.economics.units import (
    HoldCost,
    MiningInputs,
    UnitEconomics,
    daily_revenue_btc,
    hold_cost,
    unit_economics,
)

__all__ = ["HoldCost", "MiningInputs", "UnitEconomics", "daily_revenue_btc", "hold_cost", "unit_economics"]
