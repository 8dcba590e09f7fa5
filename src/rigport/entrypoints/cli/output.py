"""How every command prints: JSON on stdout with --json, Rich tables otherwise, errors on stderr."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

from rich.cells import cell_len as cell_width
from rich.console import Console
from rich.table import Table
from rich.text import Text

from rigport.adapters.render.jsonable import to_jsonable

# the formula guard lives with the file writers (adapters.render.table_export); the CLI's callers import it here
from rigport.adapters.render.table_export import FORMULA_SIGNS as FORMULA_SIGNS
from rigport.adapters.render.table_export import FORMULA_STARTS as FORMULA_STARTS
from rigport.adapters.render.table_export import spreadsheet_safe as spreadsheet_safe
from rigport.entrypoints.cli.errors import worded_warning

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def print_json(value: Any) -> None:
    """Write machine-readable output; plain print so Rich never wraps or colours it."""
    print(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False))


def print_table(
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    keep: Iterable[str] = (),
    notes: Iterable[str] = (),
    optional: Sequence[str] = (),
    right: Iterable[str] = (),
) -> None:
    """A table that fits the terminal without cutting a value (issue #30).

    `keep` columns (references, dates, states, amounts) are never wrapped or cut; other columns wrap at
    words. `notes` columns (long prose) go below the table as numbered notes. When the table is still
    too wide, `optional` columns are dropped, last named first, and the caption says which (all are in
    --json); when even that does not fit, every row is printed as a block of "column: value" lines.
    """
    fitted = FittedTable(list(columns), [["" if c is None else str(c) for c in r] for r in rows], set(keep),
                         set(notes), list(optional), set(right))  # fmt: skip
    fitted.print(title, console)


def print_key_values(title: str, pairs: Iterable[tuple[str, Any]]) -> None:
    """Field / value lines; the field names are never wrapped, values wrap at words."""
    print_table(title, ["field", "value"], [(k, display(v)) for k, v in pairs], keep=["field"])


@dataclasses.dataclass
class FittedTable:
    """The choices behind `print_table`: which columns to show inline, below, or not at all."""

    columns: list[str]
    rows: list[list[str]]
    keep: set[str]
    notes: set[str]
    optional: list[str]
    right: set[str]

    def _min_width(self, column: str) -> int:
        """Narrowest the column can be without cutting: whole lines for kept columns, whole words otherwise."""
        index = self.columns.index(column)
        cells = [column] + [row[index] for row in self.rows]
        if column in self.keep:
            return max(cell_width(line) for cell in cells for line in (cell.splitlines() or [""]))
        return max((cell_width(word) for cell in cells for word in cell.split()), default=1)

    def _table_width(self, shown: Sequence[str]) -> int:
        return sum(self._min_width(c) for c in shown) + 3 * len(shown) + 1  # padding 1+1 and a rule per column

    def print(self, title: str | None, out: Console) -> None:
        shown = [c for c in self.columns if c not in self.notes]
        hidden: list[str] = []
        for column in reversed(self.optional):
            if self._table_width(shown) <= out.width:
                break
            if column in shown:
                shown.remove(column)
                hidden.append(column)
        note_texts: list[str] = []
        note_column = "note" if "note" not in shown else "see"
        with_notes = [c for c in self.columns if c in self.notes]
        if with_notes and any(row[self.columns.index(c)] for row in self.rows for c in with_notes):
            shown.append(note_column)
        width = self._table_width([c for c in shown if c != note_column])
        width += 3 + len(note_column) if note_column in shown else 0
        if width > out.width and len(shown) > 2:
            self._print_records(title, out)
            return
        table = Table(title=title, caption=self._caption(hidden), caption_justify="left")
        widths = self._widths([c for c in shown if c != note_column], out.width - (width - sum(
            self._min_width(c) for c in shown if c != note_column)))
        for column in shown:
            table.add_column(column, no_wrap=column in self.keep, overflow="fold", width=widths.get(column),
                             justify="right" if column in self.right else "left")  # fmt: skip
        for row in self.rows:
            cells = [row[self.columns.index(c)] for c in shown if c != note_column]
            if note_column in shown:
                marks = []
                for c in with_notes:
                    text = row[self.columns.index(c)]
                    if text:
                        if text not in note_texts:
                            note_texts.append(text)
                        marks.append(str(note_texts.index(text) + 1))
                cells.append(", ".join(marks))
            table.add_row(*(Text(cell) for cell in cells))
        out.print(table)
        if note_texts:
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True, justify="right")
            grid.add_column(overflow="fold")
            for n, text in enumerate(note_texts, 1):
                grid.add_row(f"{n}.", Text(text))
            out.print(grid)

    def _natural_width(self, column: str) -> int:
        index = self.columns.index(column)
        cells = [column] + [row[index] for row in self.rows]
        return max(cell_width(line) for cell in cells for line in (cell.splitlines() or [""]))

    def _widths(self, shown: list[str], room: int) -> dict[str, int]:
        """Fixed widths: kept columns whole; wrapping columns at least their longest word, the rest of the
        room shared out one cell at a time to the column furthest from its natural width (Rich's own
        squeeze would break words to keep columns even)."""
        widths = {c: self._min_width(c) for c in shown}
        natural = {c: self._natural_width(c) for c in shown}
        spare = room - sum(widths.values())
        wrapping = [c for c in shown if c not in self.keep]
        while spare < 0 and wrapping:  # a word longer than the room (a URL): the widest wrapping column folds it
            widest = max(wrapping, key=lambda c: widths[c])
            if widths[widest] <= 8:
                break
            widths[widest] -= 1
            spare += 1
        while spare > 0:
            short = [c for c in wrapping if widths[c] < natural[c]]
            if not short:
                break
            widest_gap = max(short, key=lambda c: (natural[c] - widths[c]) / natural[c])
            widths[widest_gap] += 1
            spare -= 1
        return widths

    def _caption(self, hidden: list[str]) -> str | None:
        if not hidden:
            return None
        return f"not shown at this width: {', '.join(reversed(hidden))} (widen the terminal or use --json)"

    def _print_records(self, title: str | None, out: Console) -> None:
        """Too wide for any table: one block of "column: value" lines per row, nothing cut."""
        if title:
            out.print(Text(title, style="bold"))
        for row in self.rows:
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True, style="dim")
            grid.add_column(overflow="fold")
            for column, cell in zip(self.columns, row, strict=True):
                if cell:
                    grid.add_row(column, Text(cell))
            out.print(grid)
            out.print()


def display(value: Any) -> str:
    """A value as a person reads it: no object reprs (a dataclass becomes "field value" pairs), yes/no for
    booleans, thousands separators for whole numbers, ISO dates, instants to the second in UTC."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if isinstance(value, dt.datetime):
        return instant(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return "\n".join(f"{f.name.replace('_', ' ')}: {display(getattr(value, f.name))}"
                         for f in dataclasses.fields(value))  # fmt: skip
    if isinstance(value, dict):
        return "\n".join(f"{str(k).replace('_', ' ')}: {display(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(display(v) for v in value)
    return str(value)


def instant(value: dt.datetime | str) -> str:
    """A timestamp to the second, "2026-12-07 04:53:12 UTC": microseconds are noise to a reader."""
    if isinstance(value, str):
        try:
            return instant(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S") + " UTC"


def usd(value: Decimal | float | int | str, *, cents: bool = True) -> str:
    """Money as "$1,234.50" (or "$1,235" without cents); negative amounts as "-$12.00"."""
    amount = Decimal(str(value))
    text = f"{abs(amount):,.2f}" if cents else f"{abs(amount):,.0f}"
    return f"{'-' if amount < 0 else ''}${text}"


def days(count: int) -> str:
    """A count of days with its unit, and in years when it is a whole number of them: "1,095 days (3 years)"."""
    text = f"{count:,} day{'' if abs(count) == 1 else 's'}"
    if abs(count) >= 365 and count % 365 == 0:
        years = abs(count) // 365
        text += f" ({years} year{'' if years == 1 else 's'})"
    return text


def days_left(count: int, *, overdue: bool) -> str:
    """How far away a deadline is: "in 12 days", "today", "overdue by 4 days", "passed 4 days ago"."""
    if count == 0:
        return "today"
    if count > 0:
        return f"in {days(count)}"
    return f"overdue by {days(-count)}" if overdue else f"passed {days(-count)} ago"


_SI = ((Decimal("1e18"), "E"), (Decimal("1e15"), "P"), (Decimal("1e12"), "T"), (Decimal("1e9"), "G"),
       (Decimal("1e6"), "M"))  # fmt: skip


def si(value: float | Decimal | int, digits: int = 1) -> str:
    """A large count in SI units, as miners quote difficulty: 114000000000000 -> "114.0 T"."""
    amount = Decimal(str(value))
    for scale, prefix in _SI:
        if abs(amount) >= scale:
            return f"{amount / scale:,.{digits}f} {prefix}"
    return f"{amount:,}"


def print_warnings(warnings: Iterable[str]) -> None:
    """A visible note for each warning (a bundled fact used past its horizon), on stderr so stdout stays clean.

    Worded for the terminal: an input the warning names by field is named by its flag (`worded_warning`).
    """
    for warning in warnings:
        err_console.print(f"[yellow]warning:[/] {worded_warning(warning)}", highlight=False)
