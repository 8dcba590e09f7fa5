"""Manifest rules: reading a commercial invoice / packing list (CSV or XLSX) and checking every line.

Pure: bytes in, line items (or every problem) out; storing them is `services.manifest.import_manifest`.
Every row is checked before anything is written; any problem means nothing is stored and the
report lists each one as `row N, column C: expected ..., got ...`.

Speed: the checks run a column at a time, once per distinct value, and hand the lines over column by
column (the store writes them that way). Only a file that fails them is gone through row by row
(_parse_row), which names every problem; tests hold the two paths to the same answers. The timings are in
docs/benchmarks.md ("import").
"""

from __future__ import annotations

import csv
import gc
import io
import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pycountry

from rigport.domain.catalog import Catalog
from rigport.domain.customs.model import HTS_PATTERN, LineItem
from rigport.domain.numbers import parse_decimal
from rigport.errors import InputError, NotFoundError

REQUIRED_COLUMNS = ("quantity", "unit_value", "hts_code", "origin")
OPTIONAL_COLUMNS = ("line", "model", "description", "chip_supplier", "serials")
SERIAL_SEPARATORS = (";", "|", " ")
MAX_PROBLEMS_SHOWN = 200
COUNTRIES = frozenset(c.alpha_2 for c in pycountry.countries)
# What the line_items columns hold on every database (PostgreSQL refuses more; SQLite would store it silently).
MAX_QUANTITY = 10_000_000
MAX_UNIT_VALUE = Decimal(10) ** 14  # Numeric(16, 2)
MAX_LINE_NO = 2**31 - 1
TEXT_LIMITS = {"description": 300, "chip_supplier": 120}

Progress = Callable[[int, int], None]


class ManifestError(InputError):
    """Every problem found in a manifest; nothing was written."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = f"\n... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__(f"{source}: {len(problems)} problem(s), nothing imported:\n" + "\n".join(shown) + more)


@dataclass
class ParsedManifest:
    source: str
    items: list[LineItem] = field(default_factory=list)

    @property
    def units(self) -> int:
        return sum(i.quantity for i in self.items)

    @property
    def value_usd(self) -> Decimal:
        return sum((i.value_usd for i in self.items), Decimal(0))


@dataclass
class Lines:
    """Checked line items column by column: what the import writes, without an object per line."""

    line_no: list[int]
    model_id: list[str | None]
    description: list[str]
    quantity: list[int]
    unit_value_usd: list[Decimal]
    hts_code: list[str]
    origin: list[str]
    chip_supplier: list[str]
    serial_texts: list[str]  # each line's serials as stored: newline-separated
    serial_lists: list[list[str]] | None = None  # None: no serial holds a newline, so each text splits into its serials

    def __len__(self) -> int:
        return len(self.line_no)

    @property
    def serials(self) -> list[list[str]]:
        if self.serial_lists is None:
            self.serial_lists = [t.split("\n") if t else [] for t in self.serial_texts]
        return self.serial_lists

    @property
    def units(self) -> int:
        return sum(self.quantity)

    @property
    def value_usd(self) -> Decimal:
        return sum(map(operator.mul, self.unit_value_usd, self.quantity), Decimal(0))

    def items(self) -> list[LineItem]:
        return [
            LineItem(line_no=n, quantity=q, unit_value_usd=v, hts_code=h, origin=o, model_id=m, description=d,
                     chip_supplier=c, serials=s)
            for n, m, d, q, v, h, o, c, s in zip(self.line_no, self.model_id, self.description, self.quantity,
                                                 self.unit_value_usd, self.hts_code, self.origin, self.chip_supplier,
                                                 self.serials, strict=True)
        ]  # fmt: skip

    @classmethod
    def from_items(cls, items: list[LineItem]) -> Lines:
        return cls(
            [i.line_no for i in items], [i.model_id for i in items], [i.description for i in items],
            [i.quantity for i in items], [i.unit_value_usd for i in items], [i.hts_code for i in items],
            [i.origin for i in items], [i.chip_supplier for i in items], ["\n".join(i.serials) for i in items],
            [i.serials for i in items],
        )  # fmt: skip


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector while a large file becomes rows and columns.

    Nearly every object made here lives until the import ends and none is part of a cycle, yet a
    100,000-row file would trigger hundreds of collections walking them all (a third of the parse
    time). Reference counting still frees everything as usual; the collector resumes afterwards
    (unless something else had paused it).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _rows_from_csv(data: bytes, source: str) -> tuple[list[str], Callable[[], dict[str, list[str]]]]:
    """The header's names, and a function reading the columns of every non-blank row after it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ManifestError(source, [f"row {line}: expected UTF-8 text, got byte 0x{data[exc.start]:02x}"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))  # the csv module handles CR, LF and CRLF itself

    def unreadable(exc: csv.Error) -> ManifestError:
        return ManifestError(source, [f"row {reader.line_num}: not readable as CSV ({exc})"])

    def rest() -> dict[str, list[str]]:
        plain = _plain_csv_columns(text, names)
        if plain is not None:
            return plain
        try:
            rows = [values for values in reader if "".join(values).strip()]
        except csv.Error as exc:
            raise unreadable(exc) from None
        return _columns(names, rows)

    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise unreadable(exc) from None
    if header is None:
        raise ManifestError(source, ["row 1: expected a header row, got an empty file"])
    names = [h.strip().lower() for h in header]
    return names, rest


def _plain_csv_columns(text: str, header: list[str]) -> dict[str, list[str]] | None:
    """The columns of a plain CSV file, split in bulk; None when the file needs the csv module row by row.

    Plain: no quote characters or NULs, no field beyond the csv module's size limit, every row as
    wide as the header and none with an empty quantity (so no blank rows). There the csv module
    would split each line (ended by CR, LF or CRLF) at every comma and nothing else, which is what
    this does; tests compare the two.
    """
    width = len(header)
    if '"' in text or "\x00" in text or width == 0:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    start = text.find("\n") + 1
    body = text[start:-1] if text.endswith("\n") else text[start:]
    if not start or not body:
        return None
    rows = body.count("\n") + 1
    if len(body) > csv.field_size_limit() and max(map(len, body.split("\n"))) > csv.field_size_limit():
        return None  # a line this long may hold a field the module refuses
    # Each line break becomes a cell of its own: the file is rectangular exactly when there are as many
    # cells as `width` a row plus one a break, and every (width + 1)-th cell is a break (no cell holds one).
    cells = body.replace("\n", ",\n,").split(",")
    stride = width + 1
    if len(cells) != rows * stride - 1 or "".join(cells[width::stride]) != "\n" * (rows - 1):
        return None
    where = {name: i for i, name in enumerate(header)}  # the last column of a repeated name
    empty = [""] * rows
    columns = {
        name: _stripped(cells[where[name] :: stride]) if name in where else empty
        for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    }
    if not all(columns["quantity"]):  # perhaps a blank row, which the csv path skips (any other is refused there)
        return None
    return columns


def _stripped(cells: list[str]) -> list[str]:
    """The cells stripped of surrounding whitespace (the list itself when no cell holds any whitespace at all)."""
    joined = "".join(cells)
    if not joined or joined.split(None, 1) == [joined]:
        return cells
    return list(map(str.strip, cells))


def _rows_from_xlsx(data: bytes, source: str) -> tuple[list[str], Callable[[], dict[str, list[str]]]]:
    """The header's names, and a function reading the columns of every non-blank row after it."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise ManifestError(source, [f"expected an XLSX workbook ({type(exc).__name__})"]) from None
    sheet = workbook.worksheets[0]
    # The declared dimension is the file's say-so: "A1:XFD2001" made openpyxl pad every row to 16,384 cells
    # (625 MB for a 17 KB file, issue #26). Forgotten, each row is as wide as its own last cell.
    reset = getattr(sheet, "reset_dimensions", None)
    if reset is not None:
        reset()
    rows = _capped_rows(sheet.iter_rows(values_only=True), source)
    header = next(rows, None)
    if header is None:
        raise ManifestError(source, ["row 1: expected a header row, got an empty sheet"])

    names = [str(h or "").strip().lower() for h in header]

    def rest() -> dict[str, list[str]]:
        try:
            cells = [c for c in rows if any(c)]
        finally:
            workbook.close()
        return _columns(names, cells)

    return names, rest


MAX_XLSX_COLUMNS = 64  # a manifest has 9 columns; room for a sheet's own extra ones
MAX_XLSX_ROWS = 200_000


def _capped_rows(rows: Iterator[tuple[Any, ...]], source: str) -> Iterator[list[str]]:
    """Rows as stripped text, one at a time, refused past MAX_XLSX_COLUMNS filled columns or MAX_XLSX_ROWS rows."""
    for number, values in enumerate(rows, start=1):
        if number > MAX_XLSX_ROWS:
            raise ManifestError(source, [f"row {number}: more than {MAX_XLSX_ROWS:,} rows; split the workbook"])
        if len(values) > MAX_XLSX_COLUMNS and any(v not in (None, "") for v in values[MAX_XLSX_COLUMNS:]):
            column = MAX_XLSX_COLUMNS + next(i for i, v in enumerate(values[MAX_XLSX_COLUMNS:]) if v not in (None, ""))
            raise ManifestError(source, [f"row {number}, column {column + 1}: a value beyond the first "
                                         f"{MAX_XLSX_COLUMNS} columns; a manifest has at most {MAX_XLSX_COLUMNS}"])
        yield ["" if v is None else str(v).strip() for v in values[:MAX_XLSX_COLUMNS]]


def _split_serials(text: str) -> list[str]:
    for sep in SERIAL_SEPARATORS:
        if sep in text:
            return [s for s in (p.strip() for p in text.split(sep)) if s]
    return [text] if text else []


def parse_manifest(
    data: bytes, source: str, catalog: Catalog, progress: Progress | None = None
) -> ParsedManifest:
    """Validate every row; raise ManifestError listing all problems, or return the line items."""
    return ParsedManifest(source, check_manifest(data, source, catalog, progress).items())


def check_manifest(
    data: bytes, source: str, catalog: Catalog, progress: Progress | None = None
) -> Lines:
    """Validate every row; raise ManifestError listing all problems, or return the lines column by column."""
    suffix = Path(source).suffix.lower()
    header, rows = _rows_from_xlsx(data, source) if suffix in (".xlsx", ".xlsm") else _rows_from_csv(data, source)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if "model" not in header and "description" not in header:
        missing.append("model or description")
    if missing:
        raise ManifestError(
            source,
            [
                f"row 1: missing column(s) {', '.join(missing)}; expected header with "
                f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}"
            ],
        )
    with gc_paused():
        columns = rows()
        count = len(columns["quantity"])
        if progress:
            progress(count, 0)
        lines = _check_columns(columns, catalog) if count else None
        if lines is not None:
            return lines
        return _check_rows(source, columns, count, catalog, progress)


def _columns(header: list[str], rows: list[list[str]]) -> dict[str, list[str]]:
    """Each known column's stripped cells, as `dict(zip(header, row))` would give them row by row.

    A short row reads as empty cells and cells beyond the header are ignored; when a name repeats,
    the last of its columns that the row reaches wins. A column the file does not have is all empty.
    """
    width = len(header)
    if rows and not min(map(len, rows)) == max(map(len, rows)) == width:
        if len(set(header)) < width:  # repeated names and ragged rows: which column wins depends on the row
            by_name = [dict(zip(header, r, strict=False)) for r in rows]
            return {name: [r.get(name, "").strip() for r in by_name] for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
        rows = [r[:width] if len(r) >= width else r + [""] * (width - len(r)) for r in rows]
    cells = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    where = {name: i for i, name in enumerate(header)}  # the last column of a repeated name
    empty = [""] * len(rows)
    return {
        name: list(map(str.strip, cells[where[name]])) if name in where else empty
        for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    }


def _check_columns(columns: dict[str, list[str]], catalog: Any) -> Lines | None:
    """The lines when every row passes every check _parse_row makes, else None (then _parse_row reports).

    The same checks, made once per distinct value of a column (a manifest repeats its models, HTS
    codes, origins, quantities and prices) or over a whole column at once. This never reports a
    problem itself, so the messages are _parse_row's alone; tests compare the two on bad files.
    """
    models = {v: v.lower() or None for v in set(columns["model"])}
    if not all(m is None or m in catalog or _catalog_has(catalog, m) for m in models.values()):
        return None
    model_ids = list(map(models.__getitem__, columns["model"]))
    described = zip(model_ids, columns["description"], strict=True)
    if None in models.values() and not all(d for m, d in described if m is None):
        return None
    quantities = _quantities(columns["quantity"])
    if quantities is None:
        return None
    quantity = list(map(quantities.__getitem__, columns["quantity"]))
    unit_value = _unit_values(columns["unit_value"])
    if unit_value is None:
        return None
    line = columns["line"]
    if all(map(str.isdecimal, line)):
        line_no = list(map(int, line))
        if max(line_no) > MAX_LINE_NO:
            return None
    else:
        if any(v.isdecimal() and int(v) > MAX_LINE_NO for v in line):
            return None
        line_no = [int(v) if v.isdecimal() else n for n, v in enumerate(line, start=1)]
    if len(set(line_no)) != len(line_no):
        return None
    for column, limit in TEXT_LIMITS.items():
        cells = columns[column]
        if len("".join(cells)) > limit and max(map(len, cells)) > limit:  # often all empty: one join
            return None
    hts = columns["hts_code"]
    if not all(map(HTS_PATTERN.match, set(hts))):
        return None
    origins = {v: v.upper() for v in set(columns["origin"])}
    if not COUNTRIES.issuperset(origins.values()):
        return None
    origin = list(map(origins.__getitem__, columns["origin"]))
    serials = _serials(columns["serials"], quantity, set(quantities.values()))
    if serials is None:
        return None
    texts, lists = serials
    return Lines(line_no, model_ids, columns["description"], quantity, unit_value, hts, origin,
                 columns["chip_supplier"], texts, lists)  # fmt: skip


def _catalog_has(catalog: Any, model_id: str) -> bool:
    try:
        catalog.get(model_id)
    except NotFoundError:
        return False
    return True


def _quantities(cells: list[str]) -> dict[str, int] | None:
    """Each distinct quantity cell as its number, if all are whole numbers from 1 to MAX_QUANTITY."""
    distinct = list(set(cells))
    try:
        numbers = list(map(int, distinct))
    except ValueError:
        return None
    if not 1 <= min(numbers) <= max(numbers) <= MAX_QUANTITY:
        return None
    return dict(zip(distinct, numbers, strict=True))


def _unit_values(cells: list[str]) -> list[Decimal] | None:
    """Each cell's amount, if all are USD amounts from 0 to below MAX_UNIT_VALUE.

    A column that repeats its values is converted once per distinct value; one that mostly does not
    (every price different) cell by cell, without the detour through a table of distinct values.
    What the cells cannot hold is not looked for: commas and dollar signs to drop, the letters of
    NaN and Infinity (every other amount Decimal reads is finite), a minus sign.
    """
    distinct = set(cells)
    joined = "".join(distinct)
    source = cells if 2 * len(distinct) > len(cells) else list(distinct)
    try:
        if "," not in joined and "$" not in joined and " " not in joined:
            amounts = list(map(Decimal, source))
        else:  # "3,400" and "3400,50" as people write them (rigport.domain.numbers), never by dropping the comma
            amounts = [parse_decimal(t, "unit_value") for t in source]
    except (InvalidOperation, InputError):
        return None
    if ("n" in joined or "N" in joined) and not all(map(Decimal.is_finite, amounts)):
        return None
    if not max(amounts) < MAX_UNIT_VALUE or ("-" in joined and not min(amounts) >= 0):
        return None
    if source is cells:
        return amounts
    return list(map(dict(zip(source, amounts, strict=True)).__getitem__, cells))




def _plainly_separated(joined: str, sep: str) -> bool:
    """Cells (joined by NUL) that split on `sep` into parts needing no strip, none empty: no whitespace at all."""
    if joined.split(None, 1) != [joined]:  # whitespace somewhere (also rules out sep ' ')
        return False
    return not (sep * 2 in joined or f"\x00{sep}" in joined or f"{sep}\x00" in joined or joined.startswith(sep)
                or joined.endswith(sep))  # fmt: skip


def _serials(
    cells: list[str], quantity: list[int], quantities: set[int]
) -> tuple[list[str], list[list[str]] | None] | None:
    """Each line's serials as stored (newline-separated) and, when not derivable from that, as lists.

    None if a serial repeats in the file or a line has serials but not one per unit. The cells
    split as _split_serials splits them: on the first of ';', '|', ' ' a cell contains.
    """
    joined = "\x00".join(cells)
    seps = [sep for sep in SERIAL_SEPARATORS if sep in joined]
    if not seps:  # one serial (or none) per line: the cell is the serial
        texts = cells
        lists = None if "\n" not in joined else [[t] if t else [] for t in cells]
        every = list(filter(None, cells))
        if every and quantities != {1} and any(q != 1 for q, t in zip(quantity, cells, strict=True) if t):
            return None
    elif len(seps) == 1 and _plainly_separated(joined, seps[0]):
        sep = seps[0]  # every cell is its serials joined by one separator: split and count in bulk
        nul_free = joined.count("\x00") == len(cells) - 1  # no cell holds a NUL: the joined cells split back
        if nul_free:
            texts = joined.replace(sep, "\n").split("\x00")
        else:
            texts = list(map(operator.methodcaller("replace", sep, "\n"), cells))
        lists = None
        every = sep.join(filter(None, cells)).split(sep)
        if all(cells):
            if nul_free:
                if not _separators_match(joined, sep, quantity, len(every) - len(cells)):
                    return None
            elif set(map(operator.sub, quantity, map(operator.methodcaller("count", sep), cells))) != {1}:
                return None
        elif any(t and t.count(sep) + 1 != q for q, t in zip(quantity, cells, strict=True)):
            return None
    else:
        lists = list(map(_split_serials, cells))
        texts = list(map("\n".join, lists))
        every = [s for line_serials in lists for s in line_serials]
        if any(s and len(s) != q for s, q in zip(lists, quantity, strict=True)):
            return None
    if len(set(every)) != len(every):
        return None
    return texts, lists


def _separators_match(joined: str, sep: str, quantity: list[int], separators: int) -> bool:
    """Whether each of the NUL-joined cells holds one separator fewer than its line's quantity.

    `separators` is how many the cells hold in all. Their NULs and separators alone, in order, are
    compared with what the quantities call for: two byte strings, not a count per cell. The sums
    are compared first, so what is built is never longer than the cells.
    """
    if sum(quantity) - len(quantity) != separators:
        return False
    runs = {q: sep.encode() * (q - 1) for q in set(quantity)}
    expected = b"\x00".join(map(runs.__getitem__, quantity))
    return joined.encode("utf-8", "surrogatepass").translate(None, _ALL_BUT[sep]) == expected


_ALL_BUT = {sep: bytes(b for b in range(256) if b not in (0, ord(sep))) for sep in SERIAL_SEPARATORS}


def _check_rows(source: str, columns: dict[str, list[str]], count: int, catalog: Any,
                progress: Progress | None) -> Lines:  # fmt: skip
    """Row by row, naming every problem: the reference for _check_columns and the report for a bad file."""
    problems: list[str] = []
    items: list[LineItem] = []
    seen_serials: dict[str, int] = {}
    seen_lines: dict[int, int] = {}
    for n in range(count):
        row_no = n + 2
        item = _parse_row({name: cells[n] for name, cells in columns.items()}, row_no, catalog, problems,
                          seen_serials, seen_lines)  # fmt: skip
        if item is not None:
            items.append(item)
        if progress and row_no % 5000 == 0:
            progress(row_no - 1, 0)
    if not items and not problems:
        problems.append("row 2: expected at least one line item, got none")
    if problems:
        raise ManifestError(source, problems)
    return Lines.from_items(items)


def _parse_row(
    row: dict[str, str],
    row_no: int,
    catalog: Any,
    problems: list[str],
    seen_serials: dict[str, int],
    seen_lines: dict[int, int],
) -> LineItem | None:
    start = len(problems)

    def bad(column: str, expected: str, got: str) -> None:
        problems.append(f"row {row_no}, column {column}: expected {expected}, got {got!r}")

    model_id = row.get("model", "").strip().lower() or None
    if model_id is not None:
        if model_id not in catalog:  # membership first: the lookup's error message is costly to build
            try:
                catalog.get(model_id)
            except NotFoundError as exc:
                bad("model", f"a catalog model id ({str(exc).split('; ', 1)[-1]})", row.get("model", ""))
    elif not row.get("description", "").strip():
        bad("model", "a catalog model id or a description", "")
    quantity = 0
    try:
        quantity = int(row.get("quantity", ""))
        if quantity < 1:
            bad("quantity", "a whole number of at least 1", row.get("quantity", ""))
        elif quantity > MAX_QUANTITY:
            bad("quantity", f"a whole number up to {MAX_QUANTITY:,}", row.get("quantity", ""))
    except ValueError:
        bad("quantity", "a whole number of at least 1", row.get("quantity", ""))
    unit_value = Decimal(0)
    try:
        unit_value = parse_decimal(row.get("unit_value", ""), "unit_value")
        if not 0 <= unit_value < MAX_UNIT_VALUE:
            bad("unit_value", f"a USD amount of 0 or more, below {MAX_UNIT_VALUE:,}", row.get("unit_value", ""))
    except InputError:
        bad("unit_value", "a USD amount of 0 or more", row.get("unit_value", ""))
    line = row.get("line", "")
    line_no = int(line) if line.isdecimal() else row_no - 1
    if line_no > MAX_LINE_NO:
        bad("line", f"a line number up to {MAX_LINE_NO:,}", line)
    elif line_no in seen_lines:  # a row without a line number takes its place in the file as one
        bad("line", f"line numbers unique in the file (line {line_no} is also on row {seen_lines[line_no]})", line)
    else:
        seen_lines[line_no] = row_no
    for column, limit in TEXT_LIMITS.items():
        if len(row.get(column, "")) > limit:
            bad(column, f"at most {limit} characters", row.get(column, "")[:40] + "...")
    hts = row.get("hts_code", "")
    if not HTS_PATTERN.match(hts):
        bad("hts_code", "an HTS code like 8543.70.9960", hts)
    origin = row.get("origin", "").upper()
    if origin not in COUNTRIES:
        bad("origin", "an ISO 3166 two-letter country code such as CN or MY", row.get("origin", ""))
    serials = _split_serials(row.get("serials", ""))
    for serial in serials:
        if serial in seen_serials:
            bad("serials", f"serial numbers unique in the file (also on row {seen_serials[serial]})", serial)
        else:
            seen_serials[serial] = row_no
    if serials and quantity >= 1 and len(serials) != quantity:
        bad("serials", f"{quantity} serial numbers (one per unit)", f"{len(serials)} serials")
    if len(problems) > start:
        return None
    return LineItem(
        line_no=line_no,
        quantity=quantity,
        unit_value_usd=unit_value,
        hts_code=hts,
        origin=origin,
        model_id=model_id,
        description=row.get("description", ""),
        chip_supplier=row.get("chip_supplier", ""),
        serials=serials,
    )
