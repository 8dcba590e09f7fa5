"""XLSX manifests are read row by row whatever size they declare, with caps (issue #26, item 4)."""

from __future__ import annotations

import datetime as dt
import io
import re
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from rigport.domain.customs import manifest as manifest_rules
from rigport.errors import InputError
from rigport.services import manifest, shipments
from rigport.settings import Settings

HEADER = ["line", "model", "quantity", "unit_value", "hts_code", "origin"]
ROW = [1, "antminer-s21", 10, 3400, "8543.70.9960", "CN"]


def workbook(rows: list[list[object]], declared: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    if declared is None:
        return buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + declared.encode() + b'"', data)
                assert declared.encode() in data
            dst.writestr(item, data)
    return out.getvalue()


@pytest.fixture
def store(tmp_path: object) -> Settings:
    settings = Settings(data_dir=tmp_path)  # type: ignore[arg-type]
    shipments.create_shipment(shipments.ShipmentDraft("X1", "vessel", "Oakland", dt.date(2025, 1, 2), 10,
                                                      Decimal(1)), "test", settings)  # fmt: skip
    return settings


def test_a_declared_dimension_of_a_whole_sheet_costs_nothing(store: Settings) -> None:
    """2,000 short rows declaring A1:XFD2001 (32 million cells): read as the 6 columns they have, in little
    memory (before: every row padded to 16,384 cells, 625 MB)."""
    rows = [HEADER, *([n, "antminer-s21", 1, 3400, "8543.70.9960", "CN"] for n in range(1, 2001))]
    data = workbook(rows, declared="A1:XFD2001")
    assert len(data) < 100_000
    tracemalloc.start()
    try:
        result = manifest.import_manifest(data, "bomb.xlsx", "X1", "test", store)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result["lines"] == 2000
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    print(f"peak {peak / 2**20:.1f} MiB")


def test_a_value_far_to_the_right_is_refused_naming_row_and_column(store: Settings) -> None:
    wide = [*ROW, *([None] * 200), "x"]
    with pytest.raises(InputError, match=r"row 2, column 207: a value beyond the first 64 columns"):
        manifest.import_manifest(workbook([HEADER, wide]), "wide.xlsx", "X1", "test", store)


def test_too_many_rows_are_refused(store: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifest_rules, "MAX_XLSX_ROWS", 50)  # the real cap is 200,000 rows; the rule is the same
    rows = [HEADER, *([n, *ROW[1:3], 1, *ROW[4:]] for n in range(1, 60))]
    with pytest.raises(InputError, match=r"row 51: more than 50 rows"):
        manifest.import_manifest(workbook(rows), "long.xlsx", "X1", "test", store)
    assert manifest.import_manifest(workbook(rows[:50]), "ok.xlsx", "X1", "test", store)["lines"] == 49
