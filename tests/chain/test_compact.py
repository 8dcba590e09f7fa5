"""Compact encoding against Bitcoin Core's src/test/arith_uint256_tests.cpp (bignum_SetCompact)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rigport.domain.chain.compact import UINT256_MASK, decode_compact, encode_compact, parse_bits
from rigport.errors import InputError

# (compact, expected target, expected GetCompact(negative), negative flag, overflow flag)
CORE_VECTORS = [
    (0x00000000, 0, 0, False, False),
    (0x00123456, 0, 0, False, False),
    (0x01003456, 0, 0, False, False),
    (0x02000056, 0, 0, False, False),
    (0x03000000, 0, 0, False, False),
    (0x04000000, 0, 0, False, False),
    (0x00923456, 0, 0, False, False),
    (0x01803456, 0, 0, False, False),
    (0x02800056, 0, 0, False, False),
    (0x03800000, 0, 0, False, False),
    (0x04800000, 0, 0, False, False),
    (0x01123456, 0x12, 0x01120000, False, False),
    (0x01FEDCBA, 0x7E, 0x01FE0000, True, False),
    (0x02123456, 0x1234, 0x02123400, False, False),
    (0x03123456, 0x123456, 0x03123456, False, False),
    (0x04123456, 0x12345600, 0x04123456, False, False),
    (0x04923456, 0x12345600, 0x04923456, True, False),
    (0x05009234, 0x92340000, 0x05009234, False, False),
    (0x20123456, 0x123456 << (8 * 29), 0x20123456, False, False),
]


@pytest.mark.parametrize(("bits", "target", "compact", "negative", "overflow"), CORE_VECTORS)
def test_core_set_get_compact_vectors(bits: int, target: int, compact: int, negative: bool, overflow: bool) -> None:
    decoded = decode_compact(bits)
    assert decoded.target == target
    assert decoded.negative is negative
    assert decoded.overflow is overflow
    assert encode_compact(decoded.target, decoded.negative) == compact


def test_core_overflow_vector() -> None:
    assert decode_compact(0xFF123456).overflow is True


def test_core_get_compact_of_0x80_needs_an_extra_byte() -> None:
    assert encode_compact(0x80) == 0x02008000


def test_genesis_pow_limit_round_trip() -> None:
    decoded = decode_compact(0x1D00FFFF)
    assert decoded.target == 0xFFFF << (8 * 26)
    assert encode_compact(decoded.target) == 0x1D00FFFF


@pytest.mark.parametrize("text", ["0xZZ", "0x1d00ffff00", "", "1d00fffg", "-0x1", "0x"])
def test_parse_bits_rejects_non_compact_hex(text: str) -> None:
    with pytest.raises(InputError, match="32-bit compact"):
        parse_bits(text)


@given(st.integers(min_value=1, max_value=UINT256_MASK))
def test_encode_then_decode_keeps_the_top_bytes(target: int) -> None:
    """GetCompact truncates to 3 significant bytes; decoding gives back that truncation exactly."""
    compact = encode_compact(target)
    decoded = decode_compact(compact)
    assert not decoded.negative and not decoded.overflow
    assert decoded.target <= target
    size = (target.bit_length() + 7) // 8
    kept = {(target >> shift) << shift for shift in (max(0, 8 * (size - 3)), max(0, 8 * (size - 2)))}
    assert decoded.target in kept


@given(st.integers(min_value=0, max_value=0xFFFFFFFF))
def test_valid_compacts_round_trip(bits: int) -> None:
    """Any normalised, non-negative, non-overflowing compact survives decode/encode unchanged."""
    decoded = decode_compact(bits)
    if decoded.negative or decoded.overflow or decoded.target == 0:
        return
    reencoded = encode_compact(decoded.target)
    assert decode_compact(reencoded).target == decoded.target
