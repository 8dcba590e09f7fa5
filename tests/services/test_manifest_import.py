"""Manifest import is all-or-nothing, on both databases, with a report naming row and column. (File-level
problems and an XLSX file, which never reach the store, are tested in memory: tests/services/memory/.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from rigport.adapters.db.tables import LineItemRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.services import manifest, shipments
from rigport.settings import Settings

HEADER = "line,model,description,quantity,unit_value,hts_code,origin,chip_supplier,serials\n"


def new_shipment(settings: Settings) -> None:
    draft = shipments.ShipmentDraft("SHIP", "air", "Detroit", dt.date(2025, 2, 1), 3, Decimal(9000))
    shipments.create_shipment(draft, "t", settings)


def stored_lines(settings: Settings) -> int:
    with UnitOfWork(settings) as uow:
        return uow.session.query(LineItemRow).count()


def test_good_csv_imports_everything(settings: Settings) -> None:
    new_shipment(settings)
    data = (HEADER + "1,antminer-s21,,2,3400,8543.70.9960,CN,,A1;A2\n2,,Spare PSU,1,200,8504.40.9580,CN,,\n").encode()
    result = manifest.import_manifest(data, "invoice.csv", "SHIP", "t", settings)
    assert result["lines"] == 2 and result["units"] == 3 and result["value_usd"] == Decimal("7000")
    view = shipments.get_shipment("SHIP", settings)
    assert view["line_items"][0]["serials"] == ["A1", "A2"]
    assert [a["action"] for a in shipments.audit_trail("SHIP", settings)][-1] == "import-manifest"


def test_every_problem_reported_and_nothing_written(settings: Settings) -> None:
    new_shipment(settings)
    rows = [
        "1,antminer-s12,,2,3400,8543.70.9960,CN,,",  # unknown model
        "2,antminer-s21,,-1,3400,8543.70.9960,CN,,",  # negative quantity
        "3,antminer-s21,,1,3400,8543.70.99,CN,,",  # bad HTS
        "4,antminer-s21,,1,3400,8543.70.9960,XX,,",  # unknown country
        "5,antminer-s21,,1,3400,8543.70.9960,CN,,S1",
        "6,antminer-s21,,1,3400,8543.70.9960,CN,,S1",  # duplicate serial
        "7,antminer-s21,,1,lots,8543.70.9960,CN,,",  # bad value
        "8,antminer-s21,,1,3400,8543.70.9960,CN,,",  # the only good row: still not written
    ]
    with pytest.raises(manifest.ManifestError) as caught:
        manifest.import_manifest((HEADER + "\n".join(rows) + "\n").encode(), "bad.csv", "SHIP", "t", settings)
    problems = caught.value.problems
    assert problems == [
        problems[0],
        "row 3, column quantity: expected a whole number of at least 1, got '-1'",
        "row 4, column hts_code: expected an HTS code like 8543.70.9960, got '8543.70.99'",
        "row 5, column origin: expected an ISO 3166 two-letter country code such as CN or MY, got 'XX'",
        "row 7, column serials: expected serial numbers unique in the file (also on row 6), got 'S1'",
        "row 8, column unit_value: expected a USD amount of 0 or more, got 'lots'",
    ]
    assert problems[0].startswith("row 2, column model: expected a catalog model id")
    assert stored_lines(settings) == 0


def test_serial_already_stored_rejects_whole_file(settings: Settings) -> None:
    new_shipment(settings)
    manifest.import_manifest((HEADER + "1,antminer-s21,,1,3400,8543.70.9960,CN,,X1\n").encode(), "a.csv", "SHIP", "t",
                             settings)  # fmt: skip
    again = HEADER + "2,antminer-s21,,1,3400,8543.70.9960,CN,,X2\n3,antminer-s21,,1,3400,8543.70.9960,CN,,X1\n"
    with pytest.raises(manifest.ManifestError, match="already stored"):
        manifest.import_manifest(again.encode(), "b.csv", "SHIP", "t", settings)
    assert stored_lines(settings) == 1


def test_csv_with_old_mac_line_endings_parses(tmp_path: Path) -> None:
    """A lone CR ends a row (found by fuzzing: it used to raise csv.Error, a traceback for the user)."""
    from rigport.services.manifest import parse_manifest

    data = b"line,model,quantity,unit_value,hts_code,origin\r1,antminer-s21,2,3400,8543.70.9960,CN\r"
    parsed = parse_manifest(data, "mac.csv", Settings(data_dir=tmp_path))
    assert [(i.line_no, i.quantity, i.origin) for i in parsed.items] == [(1, 2, "CN")]


def test_csv_the_reader_cannot_read_names_the_row(tmp_path: Path) -> None:
    from rigport.services.manifest import ManifestError, parse_manifest

    huge = b"x" * 200_000  # beyond the csv module's field size limit
    data = b"line,model,quantity,unit_value,hts_code,origin\n1,antminer-s21,1,3400,8543.70.9960,CN\n2," + huge + b"\n"
    with pytest.raises(ManifestError, match=r"row 3: not readable as CSV"):
        parse_manifest(data, "big.csv", Settings(data_dir=tmp_path))


@pytest.mark.parametrize(
    ("cells", "values"),
    [(['"3400,50"', "200"], ["3400.50", "200"]), (['"3,400"', '"1,234.50"'], ["3400", "1234.50"]),
     (['"3.400,50"', "$200"], ["3400.50", "200"])],
)  # fmt: skip
def test_unit_values_as_people_type_them(settings: Settings, cells: list[str], values: list[str]) -> None:
    """Issue #25: a decimal comma is a decimal comma ("3400,50" is not 340,050), on the fast and the row path."""
    new_shipment(settings)
    rows = [f"{n},antminer-s21,,1,{cell},8543.70.9960,CN,," for n, cell in enumerate(cells, start=1)]
    manifest.import_manifest((HEADER + "\n".join(rows) + "\n").encode(), "a.csv", "SHIP", "t", settings)
    stored = [li["unit_value_usd"] for li in shipments.get_shipment("SHIP", settings)["line_items"]]
    assert stored == [Decimal(v) for v in values]
    bad = HEADER + 'x,antminer-s21,,1,"3,40,0",8543.70.9960,CN,,\n'  # a bad row sends the file down the row path
    with pytest.raises(manifest.ManifestError) as caught:
        manifest.import_manifest(bad.encode(), "b.csv", "SHIP", "t", settings)
    assert any("column unit_value" in p and "3,40,0" in p for p in caught.value.problems)
