"""Parsers for command-line values that Click does not read the way users write them."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from rigport.domain.numbers import parse_decimal
from rigport.errors import InputError


def parse_number(
    text: str, field: str, *, positive: bool = False, non_negative: bool = False, rate: bool = False
) -> float:
    """Integers, decimals, exponent form (``114e12``) and numbers as people type them ("0,05", "1,234.50",
    rigport.domain.numbers); for a rate, "1,234" is refused as ambiguous. A clear error otherwise."""
    value = float(parse_decimal(text, field, ambiguous="refuse" if rate else "thousands"))
    if not math.isfinite(value):
        raise InputError(f"{field}: expected a finite number, got {text!r}")
    if positive and value <= 0:
        raise InputError(f"{field}: expected a number greater than 0, got {text!r}")
    if non_negative and value < 0:
        raise InputError(f"{field}: expected a number of 0 or more, got {text!r}")
    return value


def parse_int(text: str, field: str, *, minimum: int | None = None) -> int:
    """Integers, also written in exponent form when exact (``1e6``)."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        number = parse_number(text, field)
        if not number.is_integer():
            raise InputError(f"{field}: expected a whole number, got {text!r}") from None
        value = int(number)
    if minimum is not None and value < minimum:
        raise InputError(f"{field}: expected a whole number of at least {minimum}, got {text!r}")
    return value


def parse_date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{field}: expected a date as YYYY-MM-DD, got {text!r}") from None


def parse_money(text: str, field: str, *, rate: bool = False) -> Decimal:
    """A non-negative USD amount (or rate, `rate=True`) as Decimal, read exactly as typed ("3,400.50", "0,05")."""
    value = parse_decimal(text, field, ambiguous="refuse" if rate else "thousands")
    if value < 0:
        raise InputError(f"{field}: expected a number of 0 or more, got {text!r}")
    return Decimal(format(value, "f"))  # 1e3 is 1000, not 1E+3
