"""Country-share scenario: how much US hashrate share a volume of held units costs over time.

Start from the early-2025 shares (US 43.8%, China 45.8%; Hashrate Index, https://hashrateindex.com,
as publicly reported in early 2025; not re-read in this session) and the network hashrate implied
by the snapshot's difficulty. Held units add their hashrate to the US only when released; meanwhile
the network keeps growing.
"""

from __future__ import annotations

from dataclasses import dataclass

from rigport.domain.chain.hashprice import network_hashrate_hs
from rigport.errors import InputError

US_SHARE_EARLY_2025 = 0.438
CHINA_SHARE_EARLY_2025 = 0.458
SHARE_SOURCE = "Hashrate Index, early 2025 (US 43.8%, China 45.8%)"


@dataclass(frozen=True)
class ShareDay:
    day: int
    us_share_if_released: float
    us_share_with_hold: float

    @property
    def points_lost(self) -> float:
        return (self.us_share_if_released - self.us_share_with_hold) * 100


def us_share_path(
    *, held_units: int, hashrate_th: float, hold_days: int, days: int, difficulty: float,
    network_growth: float = 0.35, us_share: float = US_SHARE_EARLY_2025,
) -> list[ShareDay]:  # fmt: skip
    """Daily US share with the units released at once vs after `hold_days` (network growing at `network_growth`/yr).

    The rest of the world's hashrate grows with the network; the US keeps its base share of that
    growth, so the only difference between the two paths is the held units.
    """
    if held_units < 0 or hold_days < 0 or days < 1 or not 0 < us_share < 1:
        raise InputError("held units, hold days and days must be positive; the US share a fraction")
    base_network = network_hashrate_hs(difficulty)
    held = held_units * hashrate_th * 1e12
    out = []
    for day in range(days):
        network = base_network * (1 + network_growth) ** (day / 365)
        us = network * us_share
        released = (us + held) / (network + held)
        with_hold = released if day >= hold_days else us / network
        out.append(ShareDay(day, released, with_hold))
    return out
