"""Storage charges at a GO warehouse or exam station, accrued by day.

Threshold: when charges reach 50% of the goods' value, seized goods may be disposed of early —
19 CFR 162.48(b)(1), https://www.ecfr.gov/current/title-19/section-162.48 (the pinpoint was not re-read in the
session of 2026-12-07; see docs/customs-clocks.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from rigport.errors import InputError

ALERT_SHARE = Decimal("0.5")
ALERT_CITATION = "19 CFR 162.48(b)(1)"


@dataclass(frozen=True)
class StorageAccrual:
    days: int
    accrued_usd: Decimal
    share_of_value: Decimal | None
    alert: bool
    citation: str = ALERT_CITATION


def accrue_storage(
    *,
    rate_usd_per_unit_day: Decimal,
    units: int,
    start: dt.date,
    end: dt.date,
    goods_value_usd: Decimal,
    pallets: int | None = None,
    rate_usd_per_pallet_day: Decimal | None = None,
) -> StorageAccrual:
    """Charges from `start` up to (not including) `end`; per-pallet rates win when both are given."""
    if rate_usd_per_unit_day < 0 or units < 0:
        raise InputError("storage: rate and units must be 0 or more")
    days = max(0, (end - start).days)
    if pallets is not None and rate_usd_per_pallet_day is not None:
        if pallets < 0 or rate_usd_per_pallet_day < 0:
            raise InputError("storage: pallets and pallet rate must be 0 or more")
        daily = rate_usd_per_pallet_day * pallets
    else:
        daily = rate_usd_per_unit_day * units
    accrued = (daily * days).quantize(Decimal("0.01"), ROUND_HALF_UP)
    share = (accrued / goods_value_usd).quantize(Decimal("0.0001")) if goods_value_usd > 0 else None
    return StorageAccrual(days, accrued, share, share is not None and share >= ALERT_SHARE)
