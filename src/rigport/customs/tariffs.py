"""Dated duty and fee rates (rigport/data/tariffs.csv): every row has its rate, dates and citation."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources

HTS_OPTIONS = ("8543.70.9960", "8471.50.0150", "8543.70.9860")
_MIN_MAX = re.compile(r"min ([\d.]+) max ([\d.]+)")


@dataclass(frozen=True)
class RateRow:
    code: str
    hts: str
    origin: str
    start: dt.date
    end: dt.date | None
    rate: Decimal
    basis: str
    citation: str
    source: str
    note: str

    def applies(self, hts: str, origin: str, on: dt.date) -> bool:
        in_force = self.start <= on and (self.end is None or on <= self.end)
        return in_force and (self.hts == "*" or hts.startswith(self.hts)) and self.origin in ("*", origin)

    @property
    def specificity(self) -> tuple[int, int]:
        """A country-specific row beats the all-countries row; a longer HTS prefix beats a shorter one."""
        return (self.origin != "*", len(self.hts) if self.hts != "*" else 0)

    @property
    def minimum_maximum(self) -> tuple[Decimal, Decimal] | None:
        found = _MIN_MAX.search(self.basis)
        return (Decimal(found.group(1)), Decimal(found.group(2))) if found else None


@lru_cache(maxsize=1)
def rate_table() -> tuple[RateRow, ...]:
    text = resources.files("rigport.data").joinpath("tariffs.csv").read_text(encoding="utf-8")
    return tuple(
        RateRow(
            code=r["code"],
            hts=r["hts"],
            origin=r["origin"],
            start=dt.date.fromisoformat(r["start"]),
            end=dt.date.fromisoformat(r["end"]) if r["end"] else None,
            rate=Decimal(r["rate"]),
            basis=r["basis"],
            citation=r["citation"],
            source=r["source"],
            note=r["note"],
        )  # fmt: skip
        for r in csv.DictReader(io.StringIO(text))
    )


def tables_start() -> dt.date:
    """The first date every component has a rate for (MPF has the latest start)."""
    return max(min(r.start for r in rate_table() if r.code == code) for code in ("mfn", "mpf", "hmf"))


def known_hts_codes() -> tuple[str, ...]:
    return tuple(sorted({r.hts for r in rate_table() if r.code == "mfn"}))


def rate_for(code: str, hts: str, origin: str, on: dt.date) -> RateRow | None:
    """The most specific row of `code` in force on `on`, or None when it does not apply."""
    rows = [r for r in rate_table() if r.code == code and r.applies(hts, origin, on)]
    return max(rows, key=lambda r: r.specificity) if rows else None
