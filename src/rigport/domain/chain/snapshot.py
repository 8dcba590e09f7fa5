"""A dated picture of the network: what the economics use when the user gives no figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rigport.errors import InputError


@dataclass(frozen=True)
class NetworkSnapshot:
    """Height, difficulty, BTC price and average fees per block on a date, with where they came from."""

    height: int
    difficulty: float
    price_usd: float
    fees_btc_per_block: float
    as_of: dt.date
    source: str

    @classmethod
    def from_dict(cls, data: dict[str, Any], origin: str) -> NetworkSnapshot:
        """Build from stored JSON, naming the file and field when something is wrong."""
        try:
            snap = cls(
                height=int(data["height"]),
                difficulty=float(data["difficulty"]),
                price_usd=float(data["price_usd"]),
                fees_btc_per_block=float(data["fees_btc_per_block"]),
                as_of=dt.date.fromisoformat(str(data["as_of"])),
                source=str(data["source"]),
            )
        except KeyError as exc:
            raise InputError(f"{origin}: missing field {exc.args[0]!r}") from None
        except (TypeError, ValueError) as exc:
            raise InputError(f"{origin}: {exc}") from None
        if snap.height < 0 or snap.difficulty <= 0 or snap.price_usd < 0 or snap.fees_btc_per_block < 0:
            raise InputError(f"{origin}: height, difficulty, price and fees must be positive")
        return snap

    def to_dict(self) -> dict[str, Any]:
        return {
            "height": self.height,
            "difficulty": self.difficulty,
            "price_usd": self.price_usd,
            "fees_btc_per_block": self.fees_btc_per_block,
            "as_of": self.as_of.isoformat(),
            "source": self.source,
        }
