"""Issue #30 through the API: the list's filters, search and sort; 422 problem details for bad values; CSV and
XLSX files of the current view (by `?format=` or Accept), hostile text kept as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from rigport.entrypoints.api.app import create_app
from rigport.services.auth import create_token
from rigport.settings import Settings

HOSTILE_IMPORTER = "=HYPERLINK(\"http://evil.example\",\"x\")"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _shipment(ref: str, port: str, arrival: dt.date, **more: object) -> dict[str, object]:
    return {"reference": ref, "mode": "vessel", "port": port, "arrival_date": arrival.isoformat(), "total_units": 10,
            "declared_value_usd": "1000.00", **more}  # fmt: skip


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(data_dir=tmp_path)
    client = TestClient(create_app(settings))
    viewer, _ = create_token("viewer", settings=settings)
    operator, _ = create_token("operator", settings=settings)
    today = dt.date.today()
    for body in (
        _shipment("LA-1", "Los Angeles", today - dt.timedelta(days=20), transport_doc="MAEU000111",
                  importer_of_record=HOSTILE_IMPORTER, parties=[{"role": "seller", "name": "@SUM(A1:A2)"}]),
        _shipment("LA-2", "los angeles", today - dt.timedelta(days=2), entry_number="ABC-7654321-0"),
        _shipment("SEA-1", "Seattle", today - dt.timedelta(days=40)),
    ):  # fmt: skip
        created = client.post("/api/v1/shipments", json=body, headers={"Authorization": f"Bearer {operator}"})
        assert created.status_code == 201, created.text
    yield client, {"Authorization": f"Bearer {viewer}"}


def _refs(client: TestClient, headers: dict[str, str], query: str) -> list[str]:
    response = client.get(f"/api/v1/shipments?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [r["reference"] for r in response.json()]


def test_filters_search_sort(api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = api
    assert _refs(client, headers, "") == ["SEA-1", "LA-1", "LA-2"]  # by arrival, as before
    assert _refs(client, headers, "port=LOS%20ANGELES") == ["LA-1", "LA-2"]
    assert _refs(client, headers, "q=maeu000") == ["LA-1"]
    assert _refs(client, headers, "q=7654321") == ["LA-2"]
    assert _refs(client, headers, "q=%40sum") == ["LA-1"]  # a party's name
    assert _refs(client, headers, f"importer={HOSTILE_IMPORTER}".replace("&", "%26")) == ["LA-1"]
    assert _refs(client, headers, "state=arrived&sort=reference&order=desc") == ["SEA-1", "LA-2", "LA-1"]
    # entry is due 15 days after arrival: LA-2's in 13 days; the others are overdue (due "within" any N)
    assert _refs(client, headers, "due_within=0") == ["SEA-1", "LA-1"]
    assert _refs(client, headers, "due_within_days=13") == ["SEA-1", "LA-1", "LA-2"]  # the older name still works
    assert _refs(client, headers, "sort=next_deadline&order=desc&limit=1&offset=1") == ["LA-1"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sort=id", "sort"),
        ("sort=reference%3B%20DROP%20TABLE%20shipments", "sort"),
        ("order=up", "order"),
        ("state=LOST", "state"),
        ("due_within=-1", "due_within"),
        ("due_within=99999999999999999999999999", "due_within"),
        ("limit=100000000000000000000", "limit"),
        ("offset=-5", "offset"),
        ("q=" + "x" * 201, "q"),
        ("format=pdf", "format"),
    ],
)
def test_bad_values_are_422_problems(api: tuple[TestClient, dict[str, str]], query: str, field: str) -> None:
    client, headers = api
    for path in ("/api/v1/shipments", "/api/v1/exports/deadlines"):
        if path.endswith("deadlines") and field in ("limit", "offset"):
            continue
        response = client.get(f"{path}?{query}", headers=headers)
        assert response.status_code == 422, (path, query, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text


def test_export_unknown_table_is_422(api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = api
    assert client.get("/api/v1/exports/passwords", headers=headers).status_code == 422


def test_exports_need_a_token(api: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = api
    assert client.get("/api/v1/exports/shipments").status_code == 401
    assert client.get("/api/v1/shipments?format=csv").status_code == 401


def test_csv_of_the_view_by_format_or_accept(api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = api
    by_param = client.get("/api/v1/shipments?port=los%20angeles&sort=reference&format=csv&limit=1", headers=headers)
    by_accept = client.get("/api/v1/shipments?port=los%20angeles&sort=reference",
                           headers={**headers, "Accept": "text/csv"})  # fmt: skip
    for response in (by_param, by_accept):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert 'attachment; filename="rigport-shipments-' in response.headers["content-disposition"]
        header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
        assert [r[0] for r in rows] == ["LA-1", "LA-2"]  # every row of the view, not one page
        assert rows[0][header.index("importer_of_record")] == "'" + HOSTILE_IMPORTER
    assert client.get("/api/v1/shipments?format=json", headers=headers).json()[0]["reference"] == "SEA-1"


def test_xlsx_exports_of_each_table(api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = api
    response = client.get("/api/v1/exports/shipments?q=la-&format=xlsx", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["shipments"]
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["LA-1", "LA-2"]
    importer = sheet.cell(row=2, column=rows[0].index("importer_of_record") + 1)
    assert importer.value == HOSTILE_IMPORTER and importer.data_type == "s"  # text, not a formula
    by_accept = client.get("/api/v1/exports/costs?port=seattle", headers={**headers, "Accept": XLSX})
    costs = list(openpyxl.load_workbook(io.BytesIO(by_accept.content))["costs"].iter_rows(values_only=True))
    assert costs[0][:3] == ("shipment", "port", "state") and [r[0] for r in costs[1:]] == ["SEA-1"]
    deadlines = client.get("/api/v1/exports/deadlines?port=seattle", headers=headers)  # csv by default
    lines = list(csv.reader(io.StringIO(deadlines.content.decode("utf-8-sig"))))
    assert lines[0][:4] == ["shipment", "port", "clock", "due"]
    assert {row[2] for row in lines[1:]} == {"entry_due", "general_order_warehouse"}
    screening = client.get("/api/v1/exports/screening", headers=headers)
    assert screening.status_code == 200 and len(screening.content.decode("utf-8-sig").splitlines()) == 1


@pytest.mark.parametrize("table", ["shipments", "deadlines", "costs", "screening"])
@pytest.mark.parametrize("client_name", ["No Such Importer", "0" * 120, "99999"])
def test_an_unknown_client_is_a_404_before_the_file_starts(
    api: tuple[TestClient, dict[str, str]], table: str, client_name: str
) -> None:
    """The client is looked up before the streamed file begins: once its first byte is sent, an error can only
    cut the download short (a 200 with half a file), never answer as a problem."""
    client, headers = api
    response = client.get(f"/api/v1/exports/{table}", params={"client": client_name, "format": "csv"},
                          headers=headers)  # fmt: skip
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "client" in response.json()["detail"]


@pytest.mark.parametrize("written", ["0", "20261207", "7 Dec 2026", "2026-12-7"])
def test_dates_are_written_yyyy_mm_dd(api: tuple[TestClient, dict[str, str]], written: str) -> None:
    """Pydantic alone would read "0" or 0 as a Unix timestamp (1970-01-01); the schema says format: date."""
    client, headers = api
    operator, _ = create_token("operator", settings=client.app.state.settings)  # type: ignore[attr-defined]
    as_operator = {"Authorization": f"Bearer {operator}"}
    response = client.get("/api/v1/audit", params={"until": written}, headers=as_operator)
    assert response.status_code == 422, response.text
    assert "until" in response.text
    body = _shipment("DATE-1", "Seattle", dt.date.today())
    for value in (written, 0):
        refused = client.post("/api/v1/shipments", json={**body, "arrival_date": value}, headers=as_operator)
        assert refused.status_code == 422, refused.text
        assert "arrival_date" in refused.text
    assert client.get("/api/v1/shipments?q=DATE-1", headers=headers).json() == []
    assert client.get("/api/v1/audit", params={"until": "2026-12-07"}, headers=as_operator).status_code == 200
