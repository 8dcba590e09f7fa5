"""Numbers as people type them (issue #25): read right or refused with a message, never a silent x100."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rigport.domain.numbers import parse_decimal, parse_whole
from rigport.errors import InputError


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.05", "0.05"), ("0,05", "0.05"), (",5", "0.5"), ("12,5", "12.5"), ("0,050", "0.050"), ("1,234.50", "1234.50"),
     ("1.234,50", "1234.50"), ("3400,50", "3400.50"), ("$3,400", "3400"), ("1,234", "1234"), ("1,234,567", "1234567"),
     ("1.234.567", "1234567"), ("1 234,5", "1234.5"), ("1\u00a0234.5", "1234.5"), ("114e12", "114e12"),
     ("1_000", "1000"), ("-2,5", "-2.5"), ("1.234", "1.234")],
)  # fmt: skip
def test_read_as_meant(text: str, value: str) -> None:
    assert parse_decimal(text, "price") == Decimal(value)


@pytest.mark.parametrize(
    "text", ["", "abc", "1,23.5", "1.2.3", "12,34,5", "1,234,5.0", "1.234.5", "NaN", "inf", "5,", "1,2,3", "$"]
)
def test_refused_with_the_field_named(text: str) -> None:
    with pytest.raises(InputError, match=r"^price: "):
        parse_decimal(text, "price")


def test_a_rate_refuses_the_ambiguous_thousands_comma() -> None:
    with pytest.raises(InputError, match=r"^power price: '1,234' is ambiguous"):
        parse_decimal("1,234", "power price", ambiguous="refuse")
    assert parse_decimal("0,050", "power price", ambiguous="refuse") == Decimal("0.05")


def test_whole_numbers() -> None:
    assert parse_whole("1,500", "units") == 1500 and parse_whole("1e6", "units") == 1_000_000
    with pytest.raises(InputError, match="^units: expected a whole number"):
        parse_whole("1,5", "units")


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_us_and_european_writing_read_the_same(value: Decimal) -> None:
    us = f"{value:,.2f}"
    european = us.replace(",", " ").replace(".", ",").replace(" ", ".")
    assert parse_decimal(us, "x") == parse_decimal(european, "x") == value
