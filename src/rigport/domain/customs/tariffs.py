"""Dated duty and fee rates (rigport/data/tariffs.csv): every row has its rate, dates, citation, public source
and horizon (`verified_through`: the last date the row is known to be right; past it a result carries a warning).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources

from rigport.domain.customs.table_rows import Row, date_cell, read_rows, require_values
from rigport.errors import InputError

HTS_OPTIONS = ("8543.70.9860", "8471.50.0150", "8543.70.9960")
DEFAULT_HTS = "8543.70.9860"  # the current statistical reporting number for ASIC miners (docs/landed-cost.md)
COLUMNS = ("code", "hts", "origin", "start", "end", "rate", "basis", "citation", "source", "verified_through", "note")
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
    verified_through: dt.date

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


def _row(r: Row, where: str) -> RateRow:
    try:
        rate = Decimal(r["rate"])
    except InvalidOperation:
        raise InputError(f"{where}, column rate: expected a fraction such as 0.025, got {r['rate']!r}") from None
    if not rate.is_finite() or not 0 <= rate <= 10:
        raise InputError(f"{where}, column rate: expected a fraction from 0 to 10, got {r['rate']!r}")
    start = date_cell(r, where, "start")
    end = date_cell(r, where, "end") if r["end"] else None
    if end is not None and end < start:
        raise InputError(f"{where}, column end: {end} is before start {start}")
    require_values(r, where, ("code", "citation"))
    return RateRow(
        code=r["code"], hts=r["hts"], origin=r["origin"], start=start, end=end, rate=rate, basis=r["basis"],
        citation=r["citation"], source=r["source"], note=r["note"],
        verified_through=date_cell(r, where, "verified_through"),
    )  # fmt: skip


def parse_rate_table(text: str, name: str = "tariffs.csv") -> tuple[RateRow, ...]:
    """Rows of a tariff table in the bundled format; a bad row is an InputError naming its row and column."""
    return read_rows(text, name, COLUMNS, _row)


@lru_cache(maxsize=1)
def bundled_rate_table() -> tuple[RateRow, ...]:
    return parse_rate_table(resources.files("rigport.data").joinpath("tariffs.csv").read_text(encoding="utf-8"))


_installed: tuple[RateRow, ...] | None = None
REQUIRED_CODES = ("mfn", "mpf", "hmf")  # every entry has these; the table must say what they were


def install_rate_table(table: tuple[RateRow, ...] | None) -> None:
    """Put a user's tariff table in force for this process (None: the bundled one). The service that read the
    user's file hands it over already parsed and checked (`check_user_table`)."""
    global _installed
    _installed = table


def rate_table() -> tuple[RateRow, ...]:
    """The tariff table in force: the user's when one was installed, else the bundled one."""
    return _installed if _installed is not None else bundled_rate_table()


def check_user_table(table: tuple[RateRow, ...], name: str) -> None:
    """A replacement table must price every entry: at least one row of each of mfn, mpf and hmf."""
    codes = {r.code for r in table}
    for code in REQUIRED_CODES:
        if code not in codes:
            needs = ", ".join(REQUIRED_CODES)
            raise InputError(f"{name}, column code: no row for {code!r}; a tariff table needs {needs}")


def horizon() -> dt.date:
    """The table's horizon: the last date any of its sources was read; nothing later has been checked."""
    return max(r.verified_through for r in rate_table())


def tables_start() -> dt.date:
    """The first date every component has a rate for (MPF has the latest start)."""
    return max(min(r.start for r in rate_table() if r.code == code) for code in ("mfn", "mpf", "hmf"))


def known_hts_codes() -> tuple[str, ...]:
    return tuple(sorted({r.hts for r in rate_table() if r.code == "mfn"}))


def rate_for(code: str, hts: str, origin: str, on: dt.date) -> RateRow | None:
    """The most specific row of `code` in force on `on`, or None when it does not apply."""
    rows = [r for r in rate_table() if r.code == code and r.applies(hts, origin, on)]
    return max(rows, key=lambda r: r.specificity) if rows else None
