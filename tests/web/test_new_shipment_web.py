"""Create a shipment from the dashboard, without JavaScript: fields and line items (pasted, tab-separated, or a
manifest file) saved together or not at all; errors name the field, or the row and column, with the inputs kept."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from openpyxl import Workbook

from rigport.services import shipments
from rigport.settings import Settings
from tests.helpers.web import sign_in

FIELDS = {"reference": "web-new-1", "mode": "air", "port": "Detroit", "arrival_date": "2026-11-20",
          "importer_of_record": "Hash Farms LLC", "importer_country": "us", "transport_doc": "AWB 176-1"}  # fmt: skip
LINES = ("line,model,quantity,unit_value,hts_code,origin,serials\n"
         "1,antminer-s21,2,3400,8471.50.0150,MY,S21-A;S21-B\n"
         "2,whatsminer-m60s,3,2900.50,8471.50.0150,MY,\n")  # fmt: skip


def _references(settings: Settings) -> set[str]:
    return {r["reference"] for r in shipments.list_shipments(settings=settings, limit=1000)}


def test_create_with_pasted_lines_and_the_totals_from_them(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    csrf = sign_in(client, settings)
    form = client.get("/shipments/new")
    assert form.status_code == 200 and 'id="new-shipment"' in form.text and 'href="/shipments/new"' in form.text
    sent = client.post("/shipments/new", data={**FIELDS, "lines": LINES, "csrf_token": csrf}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == "/shipments/WEB-NEW-1?created=1"
    made = shipments.get_shipment("WEB-NEW-1", settings)
    assert made["total_units"] == 5 and str(made["declared_value_usd"]) == "15501.50"  # counted from the lines
    assert [li["serials"] for li in made["line_items"]] == [["S21-A", "S21-B"], []]
    assert made["parties"][0]["role"] == "importer" and made["parties"][0]["country"] == "US"
    assert [a["action"] for a in shipments.audit_trail("WEB-NEW-1", settings)] == ["create", "import-manifest"]
    page = client.get(sent.headers["location"]).text
    assert "WEB-NEW-1" in page and "antminer-s21" in page


def test_tab_separated_lines_and_an_xlsx_manifest(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    csrf = sign_in(client, settings)
    tabs = LINES.replace(",", "\t")
    sent = client.post("/shipments/new", data={**FIELDS, "reference": "TABS-1", "total_units": "5",
                       "declared_value_usd": "$15,501.50", "lines": tabs, "csrf_token": csrf}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    assert len(shipments.get_shipment("TABS-1", settings)["line_items"]) == 2
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in LINES.strip().split("\n"):
        sheet.append(row.split(","))
    data = io.BytesIO()
    book.save(data)
    sent = client.post("/shipments/new", data={**FIELDS, "reference": "XLSX-1", "csrf_token": csrf},
                       files={"manifest": ("invoice.xlsx", data.getvalue(), "application/octet-stream")},
                       follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303, sent.text
    assert shipments.get_shipment("XLSX-1", settings)["total_units"] == 5


def test_bad_lines_save_nothing_and_name_row_and_column(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    csrf = sign_in(client, settings)
    before = _references(settings)
    bad = LINES + "3,antminer-s21,x,3400,8471.50,ZZ,S21-A\n"
    answer = client.post("/shipments/new", data={**FIELDS, "lines": bad, "csrf_token": csrf})
    assert answer.status_code == 422
    assert answer.text.lstrip().lower().startswith("<!doctype html>")
    problems = re.findall(r"<li>(row \d+, column \w+)", answer.text)
    assert problems == ["row 4, column quantity", "row 4, column hts_code", "row 4, column origin",
                        "row 4, column serials"]  # S21-A is on row 2 already
    assert 'value="web-new-1"' in answer.text and "S21-A;S21-B" in answer.text  # inputs kept
    assert _references(settings) == before
    # a serial repeated within the lines is refused too, and a shipment that exists is a conflict
    dup = client.post("/shipments/new", data={**FIELDS, "lines": LINES.replace("S21-B", "S21-A"), "csrf_token": csrf})
    assert dup.status_code == 422 and "S21-A" in dup.text and _references(settings) == before
    taken = client.post("/shipments/new", data={**FIELDS, "reference": "DEMO-SFO-S21", "total_units": "1",
                                                "declared_value_usd": "1", "csrf_token": csrf})  # fmt: skip
    assert taken.status_code == 409 and "already exists" in taken.text


def test_every_field_error_at_once_and_labels_as_the_form_says(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    csrf = sign_in(client, settings)
    answer = client.post("/shipments/new", data={"reference": "", "mode": "air", "port": "", "arrival_date": "20/11",
                                                 "total_units": "0", "csrf_token": csrf})  # fmt: skip
    assert answer.status_code == 422
    items = re.findall(r"<li>([^<:]+):", answer.text.split('id="new-shipment-errors"')[1].split("</div>")[0])
    assert items == ["Reference", "Port", "Arrival date", "Units", "Declared value"]
    bad_mode = client.post("/shipments/new", data={**FIELDS, "mode": "rail", "total_units": "1",
                                                   "declared_value_usd": "1", "csrf_token": csrf})  # fmt: skip
    assert bad_mode.status_code == 422 and "Mode: expected vessel or air" in bad_mode.text


def test_only_operators_with_the_token_create(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    assert client.get("/shipments/new", follow_redirects=False).status_code == 303  # to the login page
    csrf = sign_in(client, settings, "viewer")
    assert client.get("/shipments/new").status_code == 403
    assert 'href="/shipments/new"' not in client.get("/").text
    data = {**FIELDS, "total_units": "1", "declared_value_usd": "1"}
    assert client.post("/shipments/new", data={**data, "csrf_token": csrf}).status_code == 403
    sign_in(client, settings, "operator")
    assert client.post("/shipments/new", data=data).status_code == 403  # no CSRF token
    assert "WEB-NEW-1" not in _references(settings)
