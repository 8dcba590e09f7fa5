"""Compact "nBits" encoding of 256-bit targets, bit for bit as Bitcoin Core's arith_uint256.

Source: Bitcoin Core src/arith_uint256.cpp (SetCompact / GetCompact). Python integers are
unbounded, so we mask to 256 bits wherever Core's fixed-width arithmetic would wrap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rigport.errors import InputError

UINT256_MASK = (1 << 256) - 1
_SIGN_BIT = 0x00800000
_MANTISSA_MASK = 0x007FFFFF
_HEX_BITS = re.compile(r"^(0x)?[0-9a-fA-F]{1,8}$")


@dataclass(frozen=True)
class CompactTarget:
    """A decoded compact value: the target and Core's two validity flags."""

    target: int
    negative: bool
    overflow: bool

    @property
    def valid_for_pow(self) -> bool:
        """Core rejects negative, zero and overflowing targets for proof of work."""
        return not self.negative and not self.overflow and self.target != 0


def parse_bits(text: str) -> int:
    """Read a 32-bit compact value written in hex (``0x1d00ffff`` or ``1d00ffff``)."""
    cleaned = text.strip()
    if not _HEX_BITS.match(cleaned):
        raise InputError(
            f"bits: expected a 32-bit compact target in hex such as 0x1d00ffff (1-8 hex digits), got {text!r}"
        )
    return int(cleaned, 16)


def decode_compact(bits: int) -> CompactTarget:
    """arith_uint256::SetCompact."""
    if not 0 <= bits <= 0xFFFFFFFF:
        raise InputError(f"bits: expected a 32-bit value, got {bits:#x}")
    size = bits >> 24
    word = bits & _MANTISSA_MASK
    if size <= 3:
        word >>= 8 * (3 - size)
        target = word
    else:
        target = (word << (8 * (size - 3))) & UINT256_MASK
    negative = word != 0 and (bits & _SIGN_BIT) != 0
    overflow = word != 0 and (size > 34 or (word > 0xFF and size > 33) or (word > 0xFFFF and size > 32))
    return CompactTarget(target=target, negative=negative, overflow=overflow)


def encode_compact(target: int, negative: bool = False) -> int:
    """arith_uint256::GetCompact: keep the top 3 bytes, normalising away the sign bit."""
    if not 0 <= target <= UINT256_MASK:
        raise InputError("target: expected a 256-bit unsigned integer")
    size = (target.bit_length() + 7) // 8
    if size <= 3:
        compact = (target << (8 * (3 - size))) & 0xFFFFFFFFFFFFFFFF
    else:
        compact = (target >> (8 * (size - 3))) & 0xFFFFFFFFFFFFFFFF
    compact &= 0xFFFFFFFF
    if compact & _SIGN_BIT:
        compact >>= 8
        size += 1
    compact |= size << 24
    if negative and (compact & _MANTISSA_MASK):
        compact |= _SIGN_BIT
    return compact & 0xFFFFFFFF


def format_bits(bits: int) -> str:
    """Bits the way people write them: 0x-prefixed, 8 lowercase hex digits."""
    return f"0x{bits:08x}"


def format_target(target: int) -> str:
    """A target as 64 hex digits, as Core's GetHex prints it."""
    return f"{target:064x}"
