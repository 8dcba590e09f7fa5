"""Mainnet difficulty retarget (Bitcoin Core src/pow.cpp, CalculateNextWorkRequired)."""

from __future__ import annotations

from rigport.domain.chain.compact import UINT256_MASK, decode_compact, encode_compact
from rigport.errors import InputError

RETARGET_INTERVAL_BLOCKS = 2016
TARGET_TIMESPAN_S = 14 * 24 * 60 * 60  # nPowTargetTimespan, two weeks
TARGET_SPACING_S = 10 * 60
POW_LIMIT = 0x00000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF  # mainnet powLimit


def clamp_timespan(actual_timespan_s: int) -> int:
    """Limit one adjustment to a factor of four either way."""
    return max(TARGET_TIMESPAN_S // 4, min(TARGET_TIMESPAN_S * 4, actual_timespan_s))


def next_bits(last_bits: int, first_block_time: int, last_block_time: int) -> int:
    """New compact target after a 2016-block period that started and ended at the given times.

    The old target must be a valid proof-of-work target: Core never retargets from a negative or
    overflowing compact, so we refuse one rather than invent a result.
    """
    decoded = decode_compact(last_bits)
    if decoded.negative:
        raise InputError(f"bits {last_bits:#010x}: the sign bit is set, so the target is negative")
    if decoded.overflow:
        raise InputError(f"bits {last_bits:#010x}: the target overflows 256 bits")
    if decoded.target == 0:
        raise InputError(f"bits {last_bits:#010x}: the target is zero")
    timespan = clamp_timespan(last_block_time - first_block_time)
    new_target = ((decoded.target * timespan) & UINT256_MASK) // TARGET_TIMESPAN_S
    new_target = min(new_target, POW_LIMIT)
    return encode_compact(new_target)
