"""How every command prints: JSON on stdout with --json, Rich tables otherwise, errors on stderr."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from rigport.adapters.render.jsonable import to_jsonable

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
