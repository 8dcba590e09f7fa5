"""Difficulty, computed as Bitcoin Core's GetDifficulty (src/rpc/blockchain.cpp).

Core reads the 24-bit mantissa as unsigned here (its own test vectors include 0x1cf88f6f, whose
sign bit is set), and works in doubles by shifting the exponent towards 29 (0x1d).
"""

from __future__ import annotations

from rigport.domain.chain.compact import decode_compact
from rigport.errors import InputError

POW_LIMIT_BITS = 0x1D00FFFF


def difficulty_from_bits(bits: int) -> float:
    """GetDifficulty(nBits)."""
    if not 0 <= bits <= 0xFFFFFFFF:
        raise InputError(f"bits: expected a 32-bit value, got {bits:#x}")
    shift = (bits >> 24) & 0xFF
    mantissa = bits & 0x00FFFFFF
    if mantissa == 0:
        raise InputError(f"bits {bits:#010x}: mantissa is zero, so difficulty is undefined")
    diff = float(0x0000FFFF) / float(mantissa)
    while shift < 29:
        diff *= 256.0
        shift += 1
    while shift > 29:
        diff /= 256.0
        shift -= 1
    return diff


def target_to_difficulty(target: int) -> float:
    """Difficulty of an arbitrary target: powLimit target / target (used for non-compact math)."""
    if target <= 0:
        raise InputError("target must be positive")
    return decode_compact(POW_LIMIT_BITS).target / target
