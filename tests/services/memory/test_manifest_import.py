"""Importing a manifest in memory: the lines, units and value it adds, the shipment created with its lines, and a
refused file or clash that writes nothing. What the database does itself (the bulk INSERT, money read back from
SQLite and PostgreSQL, row-path parsing of awkward values) stays in tests/services/test_manifest_import.py."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.adapters.db.tables import ClientRow
from rigport.errors import InputError, NotFoundError
from rigport.services import manifest, shipments
from rigport.settings import Settings

HEADER = "line,model,description,quantity,unit_value,hts_code,origin,chip_supplier,serials\n"
GOOD = HEADER + "1,antminer-s21,,2,3400,8543.70.9960,CN,,A1;A2\n2,,Spare PSU,1,200.5,8504.40.9580,CN,,\n"


def new_shipment(uow: MemoryUnitOfWork, units: int = 3) -> None:
    draft = shipments.ShipmentDraft("SHIP", "air", "Detroit", dt.date(2025, 2, 1), units, Decimal(9000))
    shipments.create_shipment(draft, "t", uow=uow)


def stored(uow: MemoryUnitOfWork) -> tuple[list[tuple[int, str]], int, list[str]]:
    """What the store holds, read in a unit of work of its own: (line, serials) of each line item, the
    shipment's version, and its audit actions."""
    with MemoryUnitOfWork(uow.settings, uow.store) as fresh:
        row = fresh.shipments.get("SHIP")
        assert row is not None
        lines = [(li.line_no, li.serials) for li in row.line_items]
        return lines, row.version, [a.action for a in fresh.audit.for_entity("shipment", "SHIP")]


def test_a_manifest_adds_its_lines_units_and_value(uow: MemoryUnitOfWork) -> None:
    new_shipment(uow)
    result = manifest.import_manifest(GOOD.encode(), "/uploads/march/invoice.csv", "ship", "t", uow=uow)
    assert result == {"shipment": "ship", "client": "Default", "source": "invoice.csv", "lines": 2, "units": 3,
                      "value_usd": Decimal("7000.50"), "shipment_total_units": 3,
                      "units_match_shipment": True}  # fmt: skip
    view = shipments.get_shipment("SHIP", uow=uow)
    items = [(li["line_no"], li["model_id"], li["quantity"], li["unit_value_usd"], li["serials"])
             for li in view["line_items"]]  # fmt: skip
    assert items == [(1, "antminer-s21", 2, Decimal("3400.00"), ["A1", "A2"]), (2, None, 1, Decimal("200.50"), [])]
    assert view["version"] == 2  # new line items are a change to the shipment
    trail = shipments.audit_trail("SHIP", uow=uow)
    assert trail[-1]["action"] == "import-manifest" and trail[-1]["actor"] == "t"
    assert trail[-1]["after"] == {"source": "invoice.csv", "lines": 2, "units": 3, "value_usd": "7000.5"}


def test_units_that_disagree_with_the_shipment_are_said_so(uow: MemoryUnitOfWork) -> None:
    new_shipment(uow, units=5)
    result = manifest.import_manifest(GOOD.encode(), "invoice.csv", "SHIP", "t", uow=uow)
    assert (result["units"], result["shipment_total_units"], result["units_match_shipment"]) == (3, 5, False)


def test_a_clash_is_refused_with_every_problem_named_and_nothing_written(uow: MemoryUnitOfWork) -> None:
    new_shipment(uow)
    manifest.import_manifest(GOOD.encode(), "a.csv", "SHIP", "t", uow=uow)
    before = stored(uow)
    again = HEADER + ("1,antminer-s21,,1,3400,8543.70.9960,CN,,X3\n"  # line 1 is stored
                      "3,antminer-s21,,1,3400,8543.70.9960,CN,,A2\n"  # so is serial A2
                      "4,antminer-s21,,2,3400,8543.70.9960,CN,,A1;X4\n"  # and A1
                      "5,antminer-s21,,1,3400,8543.70.9960,CN,,X5\n")  # the only good line: not written either
    with pytest.raises(manifest.ManifestError) as caught:
        manifest.import_manifest(again.encode(), "b.csv", "SHIP", "t", uow=uow)
    assert caught.value.problems == [
        "line 1: line number already stored for SHIP",
        "line 3, column serials: serial 'A2' is already stored for SHIP",
        "line 4, column serials: serial 'A1' is already stored for SHIP",
    ]
    assert stored(uow) == before == ([(1, "A1\nA2"), (2, "")], 2, ["create", "import-manifest"])


def test_every_problem_in_the_file_is_named_and_nothing_written(uow: MemoryUnitOfWork) -> None:
    new_shipment(uow)
    rows = ["1,antminer-s21,,-1,3400,8543.70.9960,CN,,", "2,antminer-s21,,1,3400,8543.70.9960,XX,,",
            "3,antminer-s21,,1,3400,8543.70.9960,CN,,"]  # fmt: skip
    with pytest.raises(manifest.ManifestError) as caught:
        manifest.import_manifest((HEADER + "\n".join(rows) + "\n").encode(), "bad.csv", "SHIP", "t", uow=uow)
    assert caught.value.problems == [
        "row 2, column quantity: expected a whole number of at least 1, got '-1'",
        "row 3, column origin: expected an ISO 3166 two-letter country code such as CN or MY, got 'XX'",
    ]
    assert stored(uow) == ([], 1, ["create"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"model,quantity\nantminer-s21,1\n", r"row 1: missing column\(s\) unit_value, hts_code, origin"),
        (HEADER.encode() + "1,antminer-s21,,1,3400,8543.70.9960,CN,Caf\xe9,\n".encode("latin-1"), "expected UTF-8"),
        (b"", "expected a header row"),
    ],
)  # moved from tests/services/test_manifest_import.py: the file is refused before the store is read
def test_file_level_problems(uow: MemoryUnitOfWork, data: bytes, message: str) -> None:
    new_shipment(uow)
    with pytest.raises(manifest.ManifestError, match=message):
        manifest.import_manifest(data, "bad.csv", "SHIP", "t", uow=uow)
    assert stored(uow) == ([], 1, ["create"])


def test_xlsx_manifest(uow: MemoryUnitOfWork) -> None:  # moved from tests/services/test_manifest_import.py
    new_shipment(uow)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["line", "model", "quantity", "unit_value", "hts_code", "origin", "serials"])
    ws.append([1, "avalon-a1566", 3, 2600, "8543.70.9960", "CN", "V1;V2;V3"])
    buf = io.BytesIO()
    wb.save(buf)
    result = manifest.import_manifest(buf.getvalue(), "packing.xlsx", "SHIP", "t", uow=uow)
    assert result["units"] == 3 and result["units_match_shipment"] is True
    assert result["value_usd"] == Decimal("7800") and stored(uow)[0] == [(1, "V1\nV2\nV3")]


def test_the_wrong_client_or_shipment_is_refused_before_anything_is_written(uow: MemoryUnitOfWork) -> None:
    new_shipment(uow)
    uow.store.clients[2] = ClientRow(id=2, name="Acme Hosting", created_at=dt.datetime.now(dt.UTC))
    with pytest.raises(InputError, match="is not 'Acme Hosting''s") as caught:
        manifest.import_manifest(GOOD.encode(), "a.csv", "SHIP", "t", client="acme hosting", uow=uow)
    assert caught.value.field == "client"
    with pytest.raises(NotFoundError, match="no client 'Nobody'"):
        manifest.import_manifest(GOOD.encode(), "a.csv", "SHIP", "t", client="Nobody", uow=uow)
    with pytest.raises(NotFoundError, match="shipment 'NOPE' not found"):
        manifest.import_manifest(GOOD.encode(), "a.csv", "NOPE", "t", uow=uow)
    assert stored(uow) == ([], 1, ["create"])
    assert manifest.import_manifest(GOOD.encode(), "a.csv", "SHIP", "t", client="Default", uow=uow)["lines"] == 2


def test_a_shipment_created_with_its_lines_has_them_all(settings: Settings, uow: MemoryUnitOfWork) -> None:
    lines = manifest.check_manifest(GOOD.encode(), "form", settings)
    draft = shipments.ShipmentDraft("SHIP", "air", "Detroit", dt.date(2025, 2, 1), 3, Decimal(9000))
    view = shipments.create_shipment(draft, "t", lines=lines, lines_source="form", uow=uow)
    assert [li["line_no"] for li in view["line_items"]] == [1, 2]  # in the view returned, before the commit
    assert [li["serials"] for li in view["line_items"]] == [["A1", "A2"], []]
    # one transaction, two flushes (the shipment, then its lines): version 2, as on the database
    assert stored(uow) == ([(1, "A1\nA2"), (2, "")], 2, ["create", "import-manifest"])
