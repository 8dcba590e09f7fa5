"""How every command prints: JSON on stdout with --json, Rich tables otherwise, errors on stderr."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_SIGNS = ("=", "+", "-", "@")


def spreadsheet_safe(cell: Any) -> Any:
    """Neutralise CSV formula injection: a text cell a spreadsheet would run as a formula gets a leading '.

    Names screened or echoed back come from outside (lists, invoices, users); "=HYPERLINK(...)" must stay text.
    Spreadsheets trim leading whitespace before reading a formula, so " =1+1" and "\n@SUM(..)" count too
    (any Unicode whitespace, e.g. a no-break space; issue #26).
    """
    if isinstance(cell, str) and (cell.startswith(FORMULA_STARTS) or cell.lstrip().startswith(FORMULA_SIGNS)):
        return "'" + cell
    return cell


_PLAIN = frozenset({str, int, float, bool})


def to_jsonable(value: Any) -> Any:
    """Plain JSON types: Decimal money becomes a number, dates ISO strings, dataclasses dicts."""
    kind = type(value)
    if kind in _PLAIN or value is None:  # most values: checked first, exact types (a str Enum is not plain)
        return value
    if kind is dict:
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if kind is list:
        return [to_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump())
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return value


def print_json(value: Any) -> None:
    """Write machine-readable output; plain print so Rich never wraps or colours it."""
    print(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False))


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


def print_key_values(title: str, pairs: Iterable[tuple[str, Any]]) -> None:
    print_table(title, ["field", "value"], pairs)


def print_warnings(warnings: Iterable[str]) -> None:
    """A visible note for each warning (a bundled fact used past its horizon), on stderr so stdout stays clean."""
    for warning in warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
