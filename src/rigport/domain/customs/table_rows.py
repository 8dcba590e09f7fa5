"""Reading the dated CSV tables (clocks.csv, tariffs.csv, and a user's replacement for either) row by row.

Both tables had their own copy of the same steps: check the header, name each row by its line, refuse a
row with a missing cell, refuse an empty table, and turn cells into dates and numbers with a message that
names the file, row and column. The steps live here once; each table keeps only its own rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import TypeVar

from rigport.errors import InputError

T = TypeVar("T")
Row = dict[str, str]


def read_rows(text: str, name: str, columns: Sequence[str], build: Callable[[Row, str], T]) -> tuple[T, ...]:
    """`build(row, where)` for every data row, `where` naming the file and row (the header is row 1).

    Refused with an InputError: a header without one of `columns`, a row without a cell for one of them
    (a short line), and a table with no rows.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{name}: missing column {missing[0]}; expected columns {', '.join(columns)}")
    built = tuple(build(_complete(row, columns, f"{name}, row {n}"), f"{name}, row {n}")
                  for n, row in enumerate(reader, start=2))  # fmt: skip
    if not built:
        raise InputError(f"{name}: no rows")
    return built


def _complete(row: dict[str | None, str | None], columns: Sequence[str], where: str) -> Row:
    """The row, once every column has a cell (csv fills a short line's missing cells with None)."""
    for column in columns:
        if row.get(column) is None:
            raise InputError(f"{where}, column {column}: missing")
    return {k: v for k, v in row.items() if k is not None and v is not None}


def require_values(row: Row, where: str, columns: Sequence[str]) -> None:
    """The first of `columns` left blank is an InputError."""
    for column in columns:
        if not row[column].strip():
            raise InputError(f"{where}, column {column}: expected a value")


def date_cell(row: Row, where: str, column: str) -> dt.date:
    value = row[column]
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{where}, column {column}: expected a date YYYY-MM-DD, got {value!r}") from None


def whole_number_cell(row: Row, where: str, column: str, low: int, high: int) -> int:
    value = row[column]
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"{where}, column {column}: expected a whole number, got {value!r}") from None
    if not low <= number <= high:
        raise InputError(f"{where}, column {column}: expected {low} to {high}, got {number}")
    return number
