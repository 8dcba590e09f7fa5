"""Unit economics against hand-computed values and the rules for payback and hold cost."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rigport.domain.economics import MiningInputs, hold_cost, unit_economics
from rigport.errors import InputError
from tests.helpers import run_cli


def s21_fleet(**changes: object) -> MiningInputs:
    base: dict[str, object] = dict(
        hashrate_th=200.0,
        power_w=3500.0,
        units=10,
        power_price_usd_kwh=Decimal("0.06"),
        difficulty=120e12,
        price_usd=90_000.0,
        fees_btc_per_block=0.0,
        height=900_000,
        pool_fee=0.0,
        uptime=1.0,
        unit_price_usd=Decimal(3400),
    )
    base.update(changes)
    return MiningInputs(**base)  # type: ignore[arg-type]


def test_known_vector_without_fees_pool_or_downtime() -> None:
    """2,000 TH/s x 86,400 x 3.125 / (120e12 x 2^32) BTC/day; 35 kW x 24 h x $0.06."""
    econ = unit_economics(s21_fleet())
    expected_btc = 2000e12 * 86_400 * 3.125 / (120e12 * 2**32)
    assert econ.daily_revenue_sat == round(expected_btc * 1e8)
    assert float(econ.daily_revenue_usd) == pytest.approx(expected_btc * 90_000, abs=0.01)
    assert econ.daily_power_cost_usd == Decimal("50.40")
    assert econ.daily_margin_usd == econ.daily_revenue_usd - econ.daily_power_cost_usd
    # breakeven power price: revenue / kWh
    assert float(econ.breakeven_power_price_usd_per_kwh) == pytest.approx(expected_btc * 90_000 / 840, abs=1e-4)


def test_payback_is_capex_over_margin_rounded_up() -> None:
    econ = unit_economics(s21_fleet())
    assert econ.capex_usd == Decimal("34000.00")
    margin = float(econ.daily_margin_usd)
    assert econ.payback_days is not None
    assert econ.payback_days - 1 < 34_000 / margin <= econ.payback_days + 0.01


def test_negative_margin_does_not_pay_back() -> None:
    econ = unit_economics(s21_fleet(power_price_usd_kwh=Decimal("0.50")))
    assert econ.daily_margin_usd < 0
    assert econ.payback_days is None and econ.pays_back is False


def test_pool_fee_and_uptime_scale_revenue() -> None:
    full = unit_economics(s21_fleet())
    reduced = unit_economics(s21_fleet(pool_fee=0.02, uptime=0.97))
    assert reduced.daily_revenue_sat == pytest.approx(full.daily_revenue_sat * 0.98 * 0.97, abs=1)


@pytest.mark.parametrize(
    ("field", "value"), [("units", 0), ("uptime", 0.0), ("pool_fee", 1.0), ("power_price_usd_kwh", Decimal(-1))]
)
def test_bad_inputs_name_the_field(field: str, value: object) -> None:
    with pytest.raises(InputError, match=field):
        unit_economics(s21_fleet(**{field: value}))


def test_hold_cost_components() -> None:
    inputs = s21_fleet()
    econ = unit_economics(inputs)
    hold = hold_cost(inputs, 60, Decimal("1.50"), Decimal("0.10"), 0.0)
    per_unit_margin = econ.daily_margin_usd / 10
    assert hold.revenue_forgone_usd_per_unit_day == per_unit_margin.quantize(Decimal("0.01"))
    assert hold.capital_cost_usd_per_unit_day == (Decimal(3400) * Decimal("0.10") / 365).quantize(Decimal("0.01"))
    assert hold.efficiency_loss_usd_per_unit == 0
    assert hold.shipment_total_usd == pytest.approx(hold.per_unit_total_usd * 10, abs=Decimal("0.05"))


def test_difficulty_growth_adds_efficiency_loss() -> None:
    inputs = s21_fleet()
    flat = hold_cost(inputs, 60, difficulty_growth_per_day=0.0)
    growing = hold_cost(inputs, 60, difficulty_growth_per_day=0.002)
    assert growing.efficiency_loss_usd_per_unit > 0
    assert growing.shipment_total_usd > flat.shipment_total_usd


@given(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=400))
def test_hold_cost_grows_with_days(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    inputs = s21_fleet()
    assert hold_cost(inputs, lo).shipment_total_usd <= hold_cost(inputs, hi).shipment_total_usd


def test_cli_contract_keys_and_no_payback_as_null() -> None:
    result = run_cli(
        "economics",
        "antminer-s21",
        "--units",
        "10",
        "--power-price",
        "0.5",
        "--price",
        "90000",
        "--difficulty",
        "120e12",
        "--hold-days",
        "30",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in (
        "daily_revenue_usd",
        "daily_power_cost_usd",
        "daily_margin_usd",
        "breakeven_power_price_usd_per_kwh",
        "payback_days",
        "pays_back",
        "hold_cost_usd",
    ):
        assert key in data
    assert data["payback_days"] is None and data["pays_back"] is False
    assert data["snapshot"]["as_of"] == "2025-02-15"


def test_cli_unknown_model_lists_close_matches() -> None:
    result = run_cli("economics", "antminer-s12", "--units", "1", "--power-price", "0.05")
    assert result.returncode == 2
    assert "did you mean" in result.stderr


def test_cli_bad_number_exit_2() -> None:
    result = run_cli("economics", "antminer-s21", "--units", "ten", "--power-price", "0.05")
    assert result.returncode == 2
    assert "--units" in result.stderr
