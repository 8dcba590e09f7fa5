"""Numbers as people type them: "0,05", "1,234.50", "1.234,50", "$3,400", "1 500" — read right or refused.

One reader for every form, flag and manifest cell that takes an amount or a rate, so "0,05" is never
taken for 5 (dropping the comma) nor "3400,50" for 340,050. The rules:

- both "," and "." present: the last one is the decimal separator, the other groups thousands (in
  threes: "1,234.50" and "1.234,50" are 1234.50; "1,23.5" is refused);
- only commas: several ("1,234,567") or one followed by three digits after a non-zero whole part
  ("1,234") group thousands; any other single comma is a decimal comma ("0,05", "12,5", "0,050");
  for a rate (`ambiguous="refuse"`) "1,234" is refused as ambiguous instead of read as 1234;
- only dots: one is a decimal point ("1.234" is one and a bit); several group thousands ("1.234.567");
- spaces, non-breaking spaces, underscores and a leading "$" are dropped; exponent form ("114e12") is
  accepted for plain numbers; NaN and infinities are refused.

Pure: no framework imports (the CLI, the dashboard and the manifest reader all call it).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Literal

from rigport.errors import InputError

_DROP = re.compile(r"[\s\u00a0\u202f_]")
_GROUPED = {",": re.compile(r"^-?\d{1,3}(,\d{3})+$"), ".": re.compile(r"^-?\d{1,3}(\.\d{3})+$")}
EXAMPLES = "such as 0.05, 0,05 or 1,234.50"


def _refuse(field: str, text: str, why: str = "") -> InputError:
    return InputError(f"{field}: expected a number {EXAMPLES}, got {text!r}" + (f" ({why})" if why else ""))


def _normalise(t: str, field: str, text: str, ambiguous: Literal["thousands", "refuse"]) -> str:
    """The number with "." as its only decimal separator and no grouping, or an InputError."""
    commas, dots = t.count(","), t.count(".")
    if commas and dots:
        last = max(t.rfind(","), t.rfind("."))
        decimal_sep, group_sep = t[last], "." if t[last] == "," else ","
        whole, fraction = t[:last], t[last + 1 :]
        if decimal_sep in whole or not _GROUPED[group_sep].match(whole) or not fraction.isdigit():
            raise _refuse(field, text, f"'{group_sep}' groups thousands in threes before one decimal '{decimal_sep}'")
        return whole.replace(group_sep, "") + "." + fraction
    if commas > 1 or dots > 1:
        sep = "," if commas else "."
        if not _GROUPED[sep].match(t):
            raise _refuse(field, text, f"'{sep}' may group thousands in threes, or mark decimals once")
        return t.replace(sep, "")
    if commas == 1:
        whole, fraction = t.split(",")
        if not fraction.isdigit() or not re.fullmatch(r"-?\d*", whole):
            raise _refuse(field, text)
        grouping = len(fraction) == 3 and re.fullmatch(r"-?[1-9]\d{0,2}", whole) is not None
        if grouping and ambiguous == "refuse":
            raise InputError(
                f"{field}: {text!r} is ambiguous — {whole}{fraction} or {whole}.{fraction}? "
                f"Write {whole}{fraction} or {whole}.{fraction}"
            )
        return whole + fraction if grouping else (whole or "0") + "." + fraction
    return t


def parse_decimal(text: str, field: str, *, ambiguous: Literal["thousands", "refuse"] = "thousands") -> Decimal:
    """`text` as a finite Decimal, read as a person meant it, or an InputError naming `field` and the text."""
    t = _DROP.sub("", str(text))
    if t.startswith("$"):
        t = t[1:]
    elif t.startswith("-$"):
        t = "-" + t[2:]
    if not t:
        raise _refuse(field, text)
    try:
        value = Decimal(_normalise(t, field, text, ambiguous))
    except InvalidOperation:
        raise _refuse(field, text) from None
    if not value.is_finite():
        raise InputError(f"{field}: expected a finite number, got {text!r}")
    return value


def parse_whole(text: str, field: str) -> int:
    """A whole number typed with or without grouping ("1,500", "1 500", "1e6"); "1,5" is refused, not read as 15."""
    try:
        value = parse_decimal(text, field)
    except InputError:
        raise InputError(f"{field}: expected a whole number, got {text!r}") from None
    if value != value.to_integral_value():
        raise InputError(f"{field}: expected a whole number, got {text!r}")
    return int(value)
