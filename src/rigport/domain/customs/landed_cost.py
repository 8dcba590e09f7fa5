"""Duties, fees and landed cost of an entry on a given date, component by component.

Each component says its rate, basis, amount and citation; IEEPA amounts are flagged as possibly
refundable after Learning Resources v. Trump (2026-02-20); Section 122 amounts are flagged too (held unlawful by
the Court of International Trade on 2026-05-07, relief for the plaintiffs only, appealed and stayed).
A rate row used past its `verified_through`, or an entry date past the table's horizon, adds a warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pycountry

from rigport.domain.customs.model import HTS_PATTERN
from rigport.domain.customs.tariffs import horizon, known_hts_codes, rate_for, tables_start
from rigport.errors import InputError

CENT = Decimal("0.01")
IEEPA_CODES = ("ieepa_fentanyl", "ieepa_reciprocal", "ieepa_transshipment")
SECTION_122_CODE = "section_122"
REFUNDABLE_CODES = (*IEEPA_CODES, SECTION_122_CODE)
REFUND_NOTE = (
    "IEEPA duty held unlawful in Learning Resources v. Trump (2026-02-20): may be refundable; "
    "protect the claim (protest / Court of International Trade) before liquidation becomes final"
)
SECTION_122_REFUND_NOTE = (
    "Section 122 duty held unlawful by the Court of International Trade on 2026-05-07 (relief for the plaintiffs "
    "only; appealed and stayed by the Federal Circuit): a refund is possible only if the ruling stands - "
    "protect the claim by protest before liquidation becomes final"
)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Component:
    code: str
    rate: Decimal
    basis: str
    amount_usd: Decimal
    citation: str
    note: str = ""
    refundable: bool = False
    verified_through: dt.date | None = None


@dataclass(frozen=True)
class LandedCost:
    hts: str
    origin: str
    entry_date: dt.date
    mode: str
    units: int
    entered_value_usd: Decimal
    components: list[Component] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def total_duties_and_fees_usd(self) -> Decimal:
        return sum((c.amount_usd for c in self.components), Decimal(0))

    @property
    def landed_cost_usd(self) -> Decimal:
        return self.entered_value_usd + self.total_duties_and_fees_usd

    @property
    def refundable_usd(self) -> Decimal:
        """IEEPA amounts only (the contract's `potentially_refundable_ieepa_usd`)."""
        return sum((c.amount_usd for c in self.components if c.code in IEEPA_CODES), Decimal(0))

    @property
    def refundable_section_122_usd(self) -> Decimal:
        return sum((c.amount_usd for c in self.components if c.code == SECTION_122_CODE), Decimal(0))


def _check(hts: str, origin: str, entry_date: dt.date, mode: str, units: int, value: Decimal) -> None:
    if not HTS_PATTERN.match(hts):
        raise InputError(f"hts: expected an HTS code like 8543.70.9960, got {hts!r}")
    if hts not in known_hts_codes():
        raise InputError(f"hts: no rates for {hts}; known codes: {', '.join(known_hts_codes())}")
    if pycountry.countries.get(alpha_2=origin) is None:
        raise InputError(f"origin: expected an ISO 3166 two-letter country code such as CN or MY, got {origin!r}")
    if entry_date < tables_start():
        raise InputError(f"entry_date: the rate tables start {tables_start()}, got {entry_date}")
    if mode not in ("vessel", "air"):
        raise InputError(f"mode: expected vessel or air, got {mode!r}")
    if units < 1:
        raise InputError(f"units: expected at least 1, got {units}")
    if value < 0:
        raise InputError(f"unit_value: expected 0 or more USD, got {value}")


def landed_cost(
    *, hts: str, origin: str, entry_date: dt.date, mode: str, units: int, unit_value_usd: Decimal,
    transshipped: bool = False,
) -> LandedCost:  # fmt: skip
    """Every duty and fee for an entry; entered value = units x unit value."""
    origin = origin.upper()
    _check(hts, origin, entry_date, mode, units, unit_value_usd)
    value = cents(unit_value_usd * units)
    result = LandedCost(hts, origin, entry_date, mode, units, value)
    codes = [
        "mfn",
        "section_301",
        "ieepa_fentanyl",
        "ieepa_transshipment" if transshipped else "ieepa_reciprocal",
        "section_122",
        "section_232_semiconductors",
        "mpf",
    ]
    if mode == "vessel":
        codes.append("hmf")
    for code in codes:
        row = rate_for(code, hts, origin, entry_date)
        if row is None or (code == "ieepa_reciprocal" and hts.startswith("8471")):
            continue  # heading 8471 was excluded from the reciprocal tariff (Annex II, 11 April 2025)
        amount = cents(value * row.rate)
        limits = row.minimum_maximum
        if limits:
            amount = min(max(amount, limits[0]), limits[1])
        result.components.append(Component(
            code=code, rate=row.rate, basis=row.basis, amount_usd=amount, citation=row.citation,
            note=row.note, refundable=code in REFUNDABLE_CODES, verified_through=row.verified_through,
        ))  # fmt: skip
        if row.verified_through < entry_date and row.verified_through < horizon():  # a row with its own horizon
            result.warnings.append(
                f"{code}: rates after {row.verified_through} are not tabulated (entry date {entry_date}); "
                f"{row.note or row.citation}"
            )
    if entry_date > horizon():
        result.warnings.append(
            f"the tariff table was last checked against its sources on {horizon()}; duties or fees that took effect "
            f"after that (entry date {entry_date}) are not included - check the CBP CSMS messages and the HTSUS"
        )
    return result


def compare_hts(
    *, origin: str, entry_date: dt.date, mode: str, units: int, unit_value_usd: Decimal, transshipped: bool = False,
) -> list[LandedCost]:  # fmt: skip
    """The same entry under every HTS option rigport has rates for."""
    return [
        landed_cost(hts=h, origin=origin, entry_date=entry_date, mode=mode, units=units,
                    unit_value_usd=unit_value_usd, transshipped=transshipped)
        for h in known_hts_codes()
    ]  # fmt: skip
