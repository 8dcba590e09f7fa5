"""Tables as files a spreadsheet opens: CSV and XLSX, written row by row, safe against formula injection.

Every entry point (dashboard download, API `?format=`, CLI `--format`) writes its tables here (issue #30), so
the three give the same file. Values come from outside (party names from invoices, serials, notes), and a
spreadsheet runs a cell that begins with = + - @ as a formula ("=HYPERLINK(...)" exfiltrates data):
- CSV: such a text cell gets a leading single quote (OWASP "CSV Injection"; spreadsheets trim leading
  whitespace, tab and CR before reading a formula, so those count too). Numbers stay numbers.
- XLSX: every text cell is stored as a string (an inline string, never a <f> formula) and a text cell that
  looks like a formula is also marked quotePrefix, so editing it in Excel keeps it text; its value is unchanged.
Both are written as the rows arrive (CSV in chunks, XLSX through openpyxl's write-only mode to a temporary
file), so exporting thousands of rows never holds them all in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import IO, Any

from rigport.errors import InputError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_SIGNS = ("=", "+", "-", "@")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
ROWS_PER_CHUNK = 200
# XML 1.0 cannot hold these control characters; openpyxl refuses a cell with one (IllegalCharacterError)
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def looks_like_formula(cell: str) -> bool:
    """A text a spreadsheet would read as a formula: starts with = + - @ (or tab, CR), leading whitespace aside
    (any Unicode whitespace, e.g. a no-break space; issue #26)."""
    return cell.startswith(FORMULA_STARTS) or cell.lstrip().startswith(FORMULA_SIGNS)


def spreadsheet_safe(cell: Any) -> Any:
    """Neutralise CSV formula injection: a text cell a spreadsheet would run as a formula gets a leading '."""
    if isinstance(cell, str) and looks_like_formula(cell):
        return "'" + cell
    return cell


def plain(value: Any) -> Any:
    """A value as a cell holds it: text, a number, a date, or None (empty). Booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or isinstance(value, str | int | float | Decimal | dt.date):
        return value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list | tuple):
        return "; ".join(str(plain(v)) for v in value)
    return str(value)


def _csv_text(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(spreadsheet_safe(value))
    return str(value)


def csv_chunks(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> Iterator[str]:
    """CSV text, ROWS_PER_CHUNK rows a chunk. A UTF-8 byte-order mark first (by default) so Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow([_csv_text(c) for c in columns])
    for n, row in enumerate(rows, 1):
        writer.writerow([_csv_text(v) for v in row])
        if n % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: IO[bytes], sheet: str = "export") -> int:
    """Write an XLSX workbook of one sheet (a bold, frozen header row) to `out`; how many rows were written."""
    from openpyxl import Workbook
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(_ILLEGAL_XML.sub("", sheet)[:31] or "export")
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: Any) -> Cell:
        value = value if isinstance(value, bool) else plain(value)  # a spreadsheet has booleans
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)  # Excel has no time zones: UTC, said in docs
        if isinstance(value, str):
            value = _ILLEGAL_XML.sub("\ufffd", value)
        made: Cell = WriteOnlyCell(worksheet, value=value)
        if isinstance(value, str):
            made.data_type = "s"  # text, even when it starts with "=": openpyxl would store a formula
            if looks_like_formula(value):
                made.quotePrefix = True
        return made

    header = []
    for name in columns:
        head = cell(name)
        head.font = bold
        header.append(head)
    worksheet.append(header)
    count = 0
    for row in rows:
        worksheet.append([cell(v) for v in row])
        count += 1
    workbook.save(out)
    return count


def xlsx_chunks(columns: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "export") -> Iterator[bytes]:
    """An XLSX workbook as byte chunks: written to a temporary file first (a zip needs its end to be written),
    so memory holds a chunk, not the workbook."""
    with tempfile.TemporaryFile() as spool:
        write_xlsx(columns, rows, spool, sheet)
        spool.seek(0)
        while chunk := spool.read(1 << 16):
            yield chunk


def chunks(fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "export") -> Iterator[bytes]:
    """The file of `fmt` ("csv" or "xlsx") as byte chunks."""
    if fmt == "csv":
        return (text.encode("utf-8") for text in csv_chunks(columns, rows))
    if fmt == "xlsx":
        return xlsx_chunks(columns, rows, sheet)
    raise InputError(f"format: expected csv or xlsx, got {fmt!r}")


def media_type(fmt: str) -> str:
    return CSV_MEDIA_TYPE if fmt == "csv" else XLSX_MEDIA_TYPE


def write_file(
    path: Path, fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "export"
) -> int:
    """Write the table to `path` whole or not at all (a temporary file beside it, renamed when complete);
    how many rows it holds. A missing directory is an InputError naming --output."""
    counted = _Counter(rows)
    path = path.expanduser().resolve()
    if not path.parent.is_dir():
        raise InputError(f"directory {path.parent} does not exist", field="output")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks(fmt, columns, counted, sheet):
                out.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return counted.count


class _Counter:
    """Rows passed through, counted."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self._rows = iter(rows)
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self._rows:
            self.count += 1
            yield row
