"""The chain commands as a user runs them: output format, JSON shape, exit codes."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run_cli


def test_difficulty_prints_one_for_genesis() -> None:
    result = run_cli("chain", "difficulty", "0x1d00ffff")
    assert result.returncode == 0
    assert result.stdout.strip() == "1.0"


@pytest.mark.parametrize("bits", ["0xZZ", "0x1d00ffff00"])
def test_bad_bits_exit_2_with_message(bits: str) -> None:
    result = run_cli("chain", "difficulty", bits)
    assert result.returncode == 2
    assert "expected a 32-bit compact target" in result.stderr
    assert "Traceback" not in result.stderr


def test_next_bits_json() -> None:
    result = run_cli(
        "chain", "next-bits", "--bits", "0x1b0404cb", "--first-time", "0", "--last-time", "2419200", "--json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["bits"] == "0x1b080996"
    assert len(data["target"]) == 64
    assert data["difficulty"] == pytest.approx(16307.420938523983 / 2, rel=1e-4)


def test_next_bits_refuses_negative_compact() -> None:
    result = run_cli("chain", "next-bits", "--bits", "0x04923456", "--first-time", "0", "--last-time", "1")
    assert result.returncode == 2
    assert "negative" in result.stderr


def test_subsidy_json() -> None:
    data = json.loads(run_cli("chain", "subsidy", "840000", "--json").stdout)
    assert data == {"height": 840000, "subsidy_sat": 312_500_000, "subsidy_btc": 3.125}


def test_hashprice_accepts_exponent_form() -> None:
    result = run_cli(
        "chain",
        "hashprice",
        "--difficulty",
        "100e12",
        "--price",
        "100000",
        "--fees-btc",
        "0",
        "--height",
        "900000",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["hashprice_usd_per_ph_day"] == pytest.approx(62.864, abs=0.001)


def test_hashprice_rejects_text_difficulty() -> None:
    result = run_cli("chain", "hashprice", "--difficulty", "lots")
    assert result.returncode == 2
    assert "--difficulty" in result.stderr
