"""Block subsidy by height (Bitcoin Core src/validation.cpp, GetBlockSubsidy)."""

from __future__ import annotations

from rigport.errors import InputError

SATS_PER_BTC = 100_000_000
INITIAL_SUBSIDY_SAT = 50 * SATS_PER_BTC
HALVING_INTERVAL_BLOCKS = 210_000
MAX_HALVINGS = 64


def block_subsidy_sat(height: int) -> int:
    """Subsidy in satoshis; Core returns 0 from the 64th halving on (a right shift by 64 is UB in C++)."""
    if height < 0:
        raise InputError(f"height: expected a non-negative block height, got {height}")
    halvings = height // HALVING_INTERVAL_BLOCKS
    if halvings >= MAX_HALVINGS:
        return 0
    return INITIAL_SUBSIDY_SAT >> halvings


def total_supply_sat() -> int:
    """Every satoshi the subsidy schedule will ever create: 2,099,999,997,690,000."""
    return sum(
        block_subsidy_sat(era * HALVING_INTERVAL_BLOCKS) * HALVING_INTERVAL_BLOCKS for era in range(MAX_HALVINGS)
    )


def next_halving_height(height: int) -> int:
    """First height of the next subsidy era."""
    return (height // HALVING_INTERVAL_BLOCKS + 1) * HALVING_INTERVAL_BLOCKS


def sat_to_btc(sat: int) -> float:
    """For display only; arithmetic stays in satoshis."""
    return sat / SATS_PER_BTC
