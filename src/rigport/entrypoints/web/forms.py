"""Read HTML form fields into typed values, with errors that name the field a person filled in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from rigport.domain.numbers import parse_decimal, parse_whole
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
    """A whole number as typed: "1,500" and "1 500" are 1500; "1,5" is refused, never read as 15."""
    raw = str(form.get(field) or "").strip()
    if not raw:
        if default is None:
            raise InputError(f"{label}: required")
        return default
    value = parse_whole(raw, label)
    if not minimum <= value <= maximum:
        raise InputError(f"{label}: expected {minimum:,} to {maximum:,}, got {value:,}")
    return value


def optional_integer(form: FormData, field: str, label: str, *, minimum: int, maximum: int) -> int | None:
    if not str(form.get(field) or "").strip():
        return None
    return integer(form, field, label, minimum=minimum, maximum=maximum)


def number(
    form: FormData, field: str, label: str, *, minimum: float, maximum: float, default: float | None = None,
    rate: bool = False,
) -> float:
    """A number as typed: "0,05" is 0.05 and "1,234.50" is 1234.5 (rigport.domain.numbers), never a silent x100.

    For a rate (`rate=True`) "1,234" is refused as ambiguous rather than read as 1234.
    """
    raw = str(form.get(field) or "").strip()
    if not raw:
        if default is None:
            raise InputError(f"{label}: required")
        return default
    value = float(parse_decimal(raw, label, ambiguous="refuse" if rate else "thousands"))
    if not minimum <= value <= maximum:
        raise InputError(f"{label}: expected {minimum:g} to {maximum:g}, got {value:g}")
    return value


def optional_number(
    form: FormData, field: str, label: str, *, minimum: float, maximum: float, rate: bool = False
) -> float | None:
    if not str(form.get(field) or "").strip():
        return None
    return number(form, field, label, minimum=minimum, maximum=maximum, rate=rate)


def date(form: FormData, field: str, label: str) -> dt.date:
    raw = text(form, field, label, max_length=10)
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{label}: expected a date YYYY-MM-DD, got {raw!r}") from None


class FormErrors(InputError):
    """Every field a form got wrong, not only the first (issue #30): the page lists them all at once."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class Fields:
    """Read a form's fields one by one, keeping each field's error instead of stopping at the first.

    `read(parse, ...)` returns the parsed value, or None after noting the error; `check()` raises FormErrors
    with every message when any field was wrong, before the values are used.
    """

    def __init__(self, form: FormData) -> None:
        self.form = form
        self.messages: list[str] = []

    def read(self, parse: Any, field: str, label: str, **options: Any) -> Any:
        try:
            return parse(self.form, field, label, **options)
        except InputError as exc:
            self.messages.append(str(exc))
            return None

    def check(self) -> None:
        if self.messages:
            raise FormErrors(self.messages)


def relabel(message: str, labels: Mapping[str, str]) -> str:
    """A message from below the dashboard names a field by its API name ("quantity: ..."); say it with the
    label the person sees on the form ("Units: ...")."""
    field, sep, rest = message.partition(": ")
    return f"{labels[field]}: {rest}" if sep and field in labels else message
