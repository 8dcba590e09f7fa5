"""Manifest import: commercial invoices / packing lists (CSV or XLSX) into a shipment, all or nothing.

Every row is checked before anything is written; any problem means nothing is stored and the
report lists each one as `row N, column C: expected ..., got ...`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pycountry
from sqlalchemy import select

from rigport.customs.model import HTS_PATTERN, LineItem
from rigport.errors import InputError, NotFoundError
from rigport.services.catalog import get_catalog
from rigport.settings import Settings
from rigport.store.repository import bulk_insert
from rigport.store.tables import LineItemRow
from rigport.store.uow import UnitOfWork

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


def _rows_from_csv(data: bytes, source: str) -> Iterator[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ManifestError(source, [f"row {line}: expected UTF-8 text, got byte 0x{data[exc.start]:02x}"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))  # the csv module handles CR, LF and CRLF itself
    try:
        header = next(reader, None)
        if header is None:
            raise ManifestError(source, ["row 1: expected a header row, got an empty file"])
        names = [h.strip().lower() for h in header]
        yield {"__header__": "\x1f".join(names)}
        for values in reader:
            if not "".join(values).strip():
                continue
            yield dict(zip(names, map(str.strip, values), strict=False))
    except csv.Error as exc:
        raise ManifestError(source, [f"row {reader.line_num}: not readable as CSV ({exc})"]) from None


def _rows_from_xlsx(data: bytes, source: str) -> Iterator[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise ManifestError(source, [f"expected an XLSX workbook ({type(exc).__name__})"]) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ManifestError(source, ["row 1: expected a header row, got an empty sheet"])
    names = [str(h or "").strip().lower() for h in header]
    yield {"__header__": "\x1f".join(names)}
    for values in rows:
        cells = ["" if v is None else str(v).strip() for v in values]
        if any(cells):
            yield dict(zip(names, cells, strict=False))
    workbook.close()


def _split_serials(text: str) -> list[str]:
    for sep in SERIAL_SEPARATORS:
        if sep in text:
            return [s for s in (p.strip() for p in text.split(sep)) if s]
    return [text] if text else []


def parse_manifest(
    data: bytes, source: str, settings: Settings | None = None, progress: Progress | None = None
) -> ParsedManifest:
    """Validate every row; raise ManifestError listing all problems, or return the line items."""
    suffix = Path(source).suffix.lower()
    rows = _rows_from_xlsx(data, source) if suffix in (".xlsx", ".xlsm") else _rows_from_csv(data, source)
    header = next(rows)["__header__"].split("\x1f")
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
    catalog = get_catalog(settings)
    problems: list[str] = []
    items: list[LineItem] = []
    seen_serials: dict[str, int] = {}
    for row_no, row in enumerate(rows, start=2):
        item = _parse_row(row, row_no, catalog, problems, seen_serials)
        if item is not None:
            items.append(item)
        if progress and row_no % 5000 == 0:
            progress(row_no - 1, 0)
    if not items and not problems:
        problems.append("row 2: expected at least one line item, got none")
    if problems:
        raise ManifestError(source, problems)
    return ParsedManifest(source, items)


def _parse_row(
    row: dict[str, str], row_no: int, catalog: Any, problems: list[str], seen_serials: dict[str, int]
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
        unit_value = Decimal(row.get("unit_value", "").replace(",", "").lstrip("$"))
        if not unit_value.is_finite() or not 0 <= unit_value < MAX_UNIT_VALUE:
            bad("unit_value", f"a USD amount of 0 or more, below {MAX_UNIT_VALUE:,}", row.get("unit_value", ""))
    except InvalidOperation:
        bad("unit_value", "a USD amount of 0 or more", row.get("unit_value", ""))
    line = row.get("line", "")
    if line.isdigit() and int(line) > MAX_LINE_NO:
        bad("line", f"a line number up to {MAX_LINE_NO:,}", line)
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
        line_no=int(line) if line.isdigit() else row_no - 1,
        quantity=quantity,
        unit_value_usd=unit_value,
        hts_code=hts,
        origin=origin,
        model_id=model_id,
        description=row.get("description", ""),
        chip_supplier=row.get("chip_supplier", ""),
        serials=serials,
    )


def import_manifest(
    data: bytes,
    source: str,
    shipment_reference: str,
    actor: str,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Parse, then insert every line item in one transaction (or none)."""
    parsed = parse_manifest(data, source, settings, progress)
    with UnitOfWork(settings) as uow:
        row = uow.shipments.get(shipment_reference)
        if row is None:
            raise NotFoundError(f"shipment {shipment_reference!r} not found")
        existing_lines = set(uow.session.scalars(select(LineItemRow.line_no).where(LineItemRow.shipment_id == row.id)))
        stored_serials = _stored_serials(uow, row.id)
        problems = []
        for item in parsed.items if existing_lines or stored_serials else ():  # nothing stored: nothing to clash
            if item.line_no in existing_lines:
                problems.append(f"line {item.line_no}: line number already stored for {shipment_reference}")
            problems += [
                f"line {item.line_no}, column serials: serial {s!r} is already stored for {shipment_reference}"
                for s in item.serials
                if s in stored_serials
            ]
        if problems:
            raise ManifestError(source, problems)
        columns = ("shipment_id", "line_no", "model_id", "description", "quantity", "unit_value_usd", "hts_code",
                   "origin", "chip_supplier", "serials")
        rows = [
            (row.id, i.line_no, i.model_id, i.description, i.quantity, i.unit_value_usd, i.hts_code, i.origin,
             i.chip_supplier, "\n".join(i.serials))
            for i in parsed.items
        ]  # fmt: skip
        bulk_insert(uow.session, LineItemRow, columns, rows)
        row.updated_at = dt.datetime.now(dt.UTC)  # new line items are a change to the shipment: its version moves
        uow.audit.record(actor, "import-manifest", "shipment", shipment_reference, None,
                         {"source": Path(source).name, "lines": len(rows), "units": parsed.units,
                          "value_usd": str(parsed.value_usd)})  # fmt: skip
        uow.commit()
    if progress:
        progress(len(parsed.items), len(parsed.items))
    return {
        "shipment": shipment_reference,
        "source": Path(source).name,
        "lines": len(parsed.items),
        "units": parsed.units,
        "value_usd": parsed.value_usd,
        "shipment_total_units": row.total_units,
        "units_match_shipment": parsed.units == row.total_units,
    }


def _stored_serials(uow: UnitOfWork, shipment_id: int) -> set[str]:
    serials: set[str] = set()
    for text in uow.session.scalars(select(LineItemRow.serials).where(LineItemRow.shipment_id == shipment_id)):
        serials.update(s for s in text.split("\n") if s)
    return serials
