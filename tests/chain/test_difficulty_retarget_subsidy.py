"""Difficulty, retarget and subsidy against Bitcoin Core's own vectors and real mainnet history."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rigport.domain.chain import block_subsidy_sat, difficulty_from_bits, hashprice, next_bits, total_supply_sat
from rigport.domain.chain.compact import decode_compact
from rigport.domain.chain.retarget import TARGET_TIMESPAN_S
from rigport.errors import InputError


# src/test/blockchain_tests.cpp: get_difficulty_for_very_low_target etc. (epsilon 0.00001)
@pytest.mark.parametrize(
    ("bits", "expected"),
    [
        (0x1F111111, 0.000001),
        (0x1EF88F6F, 0.000016),
        (0x1DF88F6F, 0.004023),
        (0x1CF88F6F, 1.029916),
        (0x12345678, 5913134931067755359633408.0),
    ],
)
def test_core_get_difficulty_vectors(bits: int, expected: float) -> None:
    assert abs(difficulty_from_bits(bits) - expected) < 0.00001 * max(1.0, expected * 1e-10)


def test_difficulty_of_pow_limit_is_one() -> None:
    assert difficulty_from_bits(0x1D00FFFF) == 1.0


def test_zero_mantissa_is_an_input_error() -> None:
    with pytest.raises(InputError, match="mantissa is zero"):
        difficulty_from_bits(0x1D000000)


# src/test/pow_tests.cpp
@pytest.mark.parametrize(
    ("first", "last", "bits", "expected"),
    [
        (1261130161, 1262152739, 0x1D00FFFF, 0x1D00D86A),  # get_next_work
        (1231006505, 1233061996, 0x1D00FFFF, 0x1D00FFFF),  # get_next_work_pow_limit
        (1279008237, 1279297671, 0x1C05A3F4, 0x1C0168FD),  # get_next_work_lower_limit_actual
        (1263163443, 1269211443, 0x1C387F6F, 0x1D00E1FD),  # get_next_work_upper_limit_actual
    ],
)
def test_core_next_work_vectors(first: int, last: int, bits: int, expected: int) -> None:
    assert next_bits(bits, first, last) == expected


def test_every_real_mainnet_retarget_reproduces(shared_dir: Path) -> None:
    """shared/data/chain/epochs.csv: the 413 epochs with both boundary times known."""
    rows = list(csv.DictReader((shared_dir / "data/chain/epochs.csv").read_text(encoding="utf-8").splitlines()))
    checked = 0
    for row in rows:
        if not row["end_time"] or not row["next_bits"]:
            continue
        got = next_bits(int(row["bits"], 16), int(row["start_time"]), int(row["end_time"]))
        assert got == int(row["next_bits"], 16), f"epoch {row['epoch']}"
        assert difficulty_from_bits(int(row["bits"], 16)) == float(row["difficulty"])
        checked += 1
    assert checked == 413


def test_every_epoch_difficulty_matches_core(shared_dir: Path) -> None:
    rows = list(csv.DictReader((shared_dir / "data/chain/epochs.csv").read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 474
    for row in rows:
        assert difficulty_from_bits(int(row["bits"], 16)) == float(row["difficulty"]), row["epoch"]


@pytest.mark.parametrize("bits", [0x04923456, 0xFF123456, 0x1D000000])
def test_next_bits_refuses_invalid_targets(bits: int) -> None:
    with pytest.raises(InputError):
        next_bits(bits, 0, TARGET_TIMESPAN_S)


TIMESPANS = st.integers(min_value=0, max_value=10 * TARGET_TIMESPAN_S)


@given(TIMESPANS, TIMESPANS)
def test_retarget_is_monotone_in_timespan(a: int, b: int) -> None:
    """A slower period never yields a harder (smaller) target."""
    bits = 0x1B0404CB
    lo, hi = sorted((a, b))
    assert decode_compact(next_bits(bits, 0, lo)).target <= decode_compact(next_bits(bits, 0, hi)).target


@pytest.mark.parametrize(
    ("height", "sat"),
    [
        (0, 5_000_000_000),
        (209_999, 5_000_000_000),
        (210_000, 2_500_000_000),
        (840_000, 312_500_000),
        (6_929_999, 1),
        (6_930_000, 0),
        (13_440_000, 0),
        (10**9, 0),
    ],
)
def test_subsidy_schedule(height: int, sat: int) -> None:
    assert block_subsidy_sat(height) == sat


def test_total_supply() -> None:
    assert total_supply_sat() == 2_099_999_997_690_000


@given(st.integers(min_value=0, max_value=10**8), st.integers(min_value=0, max_value=10**8))
def test_subsidy_never_increases(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert block_subsidy_sat(lo) >= block_subsidy_sat(hi)


def test_hashprice_reference_figure() -> None:
    """shared/reference/chain.md: D=114e12, 3.155 BTC, $96,000 -> ~5.57e-4 BTC, ~$53 per PH/s/day."""
    hp = hashprice(114e12, 96_000, 0.03, 883_000)
    assert hp.btc_per_ph_day == pytest.approx(5.567e-4, rel=1e-3)
    assert hp.usd_per_ph_day == pytest.approx(53.45, abs=0.01)
    assert hp.network_hashrate_eh_s == pytest.approx(114e12 * 2**32 / 600 / 1e18)


@given(st.floats(min_value=1e6, max_value=1e16), st.floats(min_value=1e6, max_value=1e16))
def test_hashprice_falls_as_difficulty_rises(d1: float, d2: float) -> None:
    lo, hi = sorted((d1, d2))
    assert hashprice(lo, 50_000, 0.1, 900_000).btc_per_ph_day >= hashprice(hi, 50_000, 0.1, 900_000).btc_per_ph_day
