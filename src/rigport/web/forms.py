"""Read HTML form fields into typed values, with errors that name the field a person filled in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from rigport.errors import InputError

FormData = Mapping[str, Any]


def text(form: FormData, field: str, label: str, *, required: bool = True, max_length: int = 200) -> str:
    value = str(form.get(field) or "").strip()
    if required and not value:
        raise InputError(f"{label}: required")
    if len(value) > max_length:
        raise InputError(f"{label}: at most {max_length} characters")
    return value


def integer(form: FormData, field: str, label: str, *, minimum: int, maximum: int, default: int | None = None) -> int:
    raw = str(form.get(field) or "").strip().replace(",", "")
    if not raw:
        if default is None:
            raise InputError(f"{label}: required")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{label}: expected a whole number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise InputError(f"{label}: expected {minimum:,} to {maximum:,}, got {value:,}")
    return value


def optional_integer(form: FormData, field: str, label: str, *, minimum: int, maximum: int) -> int | None:
    if not str(form.get(field) or "").strip():
        return None
    return integer(form, field, label, minimum=minimum, maximum=maximum)


def number(
    form: FormData, field: str, label: str, *, minimum: float, maximum: float, default: float | None = None
) -> float:
    raw = str(form.get(field) or "").strip().replace(",", "").lstrip("$")
    if not raw:
        if default is None:
            raise InputError(f"{label}: required")
        return default
    try:
        value = float(Decimal(raw))
    except InvalidOperation:
        raise InputError(f"{label}: expected a number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise InputError(f"{label}: expected {minimum:g} to {maximum:g}, got {value:g}")
    return value


def optional_number(form: FormData, field: str, label: str, *, minimum: float, maximum: float) -> float | None:
    if not str(form.get(field) or "").strip():
        return None
    return number(form, field, label, minimum=minimum, maximum=maximum)


def date(form: FormData, field: str, label: str) -> dt.date:
    raw = text(form, field, label, max_length=10)
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{label}: expected a date YYYY-MM-DD, got {raw!r}") from None
