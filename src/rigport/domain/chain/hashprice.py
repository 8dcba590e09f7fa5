"""Hashprice: expected mining revenue per unit of hashrate per day.

Expected blocks per day for hashrate H (H/s) = H * 86,400 / (difficulty * 2^32), because a block
needs on average difficulty * 2^32 hashes. Sources: Bitcoin Core src/pow.cpp and
src/rpc/blockchain.cpp (GetDifficulty), https://github.com/bitcoin/bitcoin; Bitcoin wiki "Difficulty",
https://en.bitcoin.it/wiki/Difficulty (read 2026-12-07).
"""

from __future__ import annotations

from dataclasses import dataclass

from rigport.domain.chain.subsidy import SATS_PER_BTC, block_subsidy_sat
from rigport.errors import InputError

HASHES_PER_DIFFICULTY_1 = 2**32
SECONDS_PER_DAY = 86_400
PH = 1e15
EH = 1e18


@dataclass(frozen=True)
class Hashprice:
    """Revenue per PH/s per day, in BTC and USD, and the network hashrate implied by difficulty."""

    btc_per_ph_day: float
    usd_per_ph_day: float
    network_hashrate_eh_s: float


def network_hashrate_hs(difficulty: float) -> float:
    """Hashrate that finds one block per 600 s on average at this difficulty."""
    return difficulty * HASHES_PER_DIFFICULTY_1 / 600


def btc_per_hash_day(difficulty: float, reward_btc: float) -> float:
    """BTC earned per day by one hash per second."""
    if difficulty <= 0:
        raise InputError(f"difficulty: expected a positive number, got {difficulty}")
    if reward_btc < 0:
        raise InputError(f"reward: expected a non-negative BTC amount, got {reward_btc}")
    return SECONDS_PER_DAY * reward_btc / (difficulty * HASHES_PER_DIFFICULTY_1)


def hashprice(difficulty: float, price_usd: float, fees_btc_per_block: float, height: int) -> Hashprice:
    """Hashprice at a difficulty, BTC price, average fees per block and block height (for the subsidy)."""
    if price_usd < 0:
        raise InputError(f"price: expected a non-negative USD price, got {price_usd}")
    if fees_btc_per_block < 0:
        raise InputError(f"fees: expected non-negative BTC per block, got {fees_btc_per_block}")
    reward_btc = block_subsidy_sat(height) / SATS_PER_BTC + fees_btc_per_block
    btc = btc_per_hash_day(difficulty, reward_btc) * PH
    return Hashprice(
        btc_per_ph_day=btc,
        usd_per_ph_day=btc * price_usd,
        network_hashrate_eh_s=network_hashrate_hs(difficulty) / EH,
    )
