"""Landed cost: worked examples at every tariff date boundary and the MPF minimum/maximum."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from rigport.domain.customs.landed_cost import landed_cost
from rigport.errors import InputError
from tests.helpers import run_cli

D = dt.date
JUNE_2024 = D(2024, 6, 3)


def amounts(hts: str = "8543.70.9960", origin: str = "CN", on: dt.date = JUNE_2024, mode: str = "air",
            units: int = 10, value: str = "3000", **kw: bool) -> dict[str, Decimal]:  # fmt: skip
    cost = landed_cost(hts=hts, origin=origin, entry_date=on, mode=mode, units=units, unit_value_usd=Decimal(value),
                       **kw)  # fmt: skip
    return {c.code: c.amount_usd for c in cost.components}


def test_2024_china_entry_mfn_and_section_301() -> None:
    assert amounts() == {"mfn": Decimal("780.00"), "section_301": Decimal("7500.00"), "mpf": Decimal("103.92")}


@pytest.mark.parametrize(
    ("on", "fentanyl", "reciprocal"),
    [
        (D(2025, 2, 3), None, None),
        (D(2025, 2, 4), "0.10", None),
        (D(2025, 3, 3), "0.10", None),
        (D(2025, 3, 4), "0.20", None),
        (D(2025, 4, 5), "0.20", "0.10"),
        (D(2025, 4, 9), "0.20", "0.84"),
        (D(2025, 4, 10), "0.20", "1.25"),
        (D(2025, 5, 13), "0.20", "1.25"),
        (D(2025, 5, 14), "0.20", "0.10"),
        (D(2025, 11, 9), "0.20", "0.10"),
        (D(2025, 11, 10), "0.10", "0.10"),
        (D(2026, 2, 23), "0.10", "0.10"),
        (D(2026, 2, 24), None, None),
    ],
)
def test_ieepa_boundaries_for_china(on: dt.date, fentanyl: str | None, reciprocal: str | None) -> None:
    got = amounts(on=on, units=1, value="10000")
    assert got.get("ieepa_fentanyl") == (Decimal(fentanyl) * 10000 if fentanyl else None)
    assert got.get("ieepa_reciprocal") == (Decimal(reciprocal) * 10000 if reciprocal else None)
    assert got["section_301"] == Decimal("2500.00")


def test_section_122_window() -> None:
    assert "section_122" not in amounts(on=D(2026, 2, 23))
    assert amounts(on=D(2026, 2, 24), units=1, value="10000")["section_122"] == Decimal("1000.00")
    assert amounts(on=D(2026, 7, 23), units=1, value="10000")["section_122"] == Decimal("1000.00")
    assert "section_122" not in amounts(on=D(2026, 7, 24))


def test_8471_is_excluded_from_reciprocal_but_not_fentanyl() -> None:
    got = amounts(hts="8471.50.0150", on=D(2025, 4, 10), units=1, value="10000")
    assert got["mfn"] == 0 and "ieepa_reciprocal" not in got and got["ieepa_fentanyl"] == Decimal("2000.00")


def test_malaysia_reciprocal_and_transshipment() -> None:
    assert amounts(origin="MY", on=D(2025, 8, 6), units=1, value="1000")["ieepa_reciprocal"] == Decimal("100.00")
    assert amounts(origin="MY", on=D(2025, 8, 7), units=1, value="1000")["ieepa_reciprocal"] == Decimal("190.00")
    shipped = amounts(origin="MY", on=D(2025, 9, 1), units=1, value="1000", transshipped=True)
    assert shipped["ieepa_transshipment"] == Decimal("400.00") and "ieepa_reciprocal" not in shipped
    assert "section_301" not in amounts(origin="MY", on=D(2025, 9, 1))


@pytest.mark.parametrize(
    ("on", "value", "mpf"),
    [
        (D(2025, 9, 30), "1000", "32.71"),  # FY2025 minimum
        (D(2025, 10, 1), "1000", "33.58"),  # FY2026 minimum
        (D(2025, 9, 30), "1000000", "634.62"),  # FY2025 maximum
        (D(2025, 10, 1), "1000000", "651.50"),  # FY2026 maximum
        (D(2025, 10, 1), "50000", "173.20"),  # in between: 0.3464%
    ],
)
def test_mpf_minimum_and_maximum(on: dt.date, value: str, mpf: str) -> None:
    assert amounts(on=on, units=1, value=value)["mpf"] == Decimal(mpf)


def test_hmf_vessel_only() -> None:
    assert amounts(mode="vessel")["hmf"] == Decimal("37.50")
    assert "hmf" not in amounts(mode="air")


@pytest.mark.parametrize(
    ("kw", "message"),
    [({"hts": "9999.99.9999"}, "no rates for"), ({"origin": "XX"}, "origin"), ({"on": D(2020, 1, 1)}, "tables start")],
)
def test_bad_input(kw: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        amounts(**kw)  # type: ignore[arg-type]


def test_cli_contract_and_compare() -> None:
    result = run_cli("landed-cost", "--model", "antminer-s21", "--units", "100", "--unit-value", "3400", "--origin",
                     "CN", "--entry-date", "2025-03-10", "--mode", "vessel", "--compare", "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    codes = {c["code"] for c in data["components"]}
    assert codes == {"mfn", "section_301", "ieepa_fentanyl", "mpf", "hmf"}
    assert data["landed_cost_usd"] == pytest.approx(data["entered_value_usd"] + data["total_duties_and_fees_usd"])
    assert data["landed_cost_per_th_usd"] == pytest.approx(data["landed_cost_usd"] / 20_000, abs=0.01)
    assert data["potentially_refundable_ieepa_usd"] == 68_000
    assert {o["hts"] for o in data["hts_options"]} == {"8543.70.9960", "8471.50.0150", "8543.70.9860"}
    bad = run_cli("landed-cost", "--model", "antminer-s21", "--units", "1", "--unit-value", "1", "--origin", "CN",
                  "--entry-date", "2019-01-01", "--mode", "air")  # fmt: skip
    assert bad.returncode == 2 and "tables start" in bad.stderr
