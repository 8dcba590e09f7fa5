"""The REST API: auth (401/403), validation (422 naming the field), conflicts (409), problem details."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rigport.entrypoints.api.app import create_app
from rigport.services.auth import create_token, revoke_token
from rigport.settings import Settings

SHIPMENT = {"reference": "API-1", "mode": "air", "port": "Detroit", "arrival_date": "2025-02-01",
            "total_units": 10, "declared_value_usd": "34000.00"}  # fmt: skip


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], Settings]]:
    settings = Settings(data_dir=tmp_path, max_upload_bytes=2048)
    client = TestClient(create_app(settings))
    headers = {}
    for role in ("viewer", "operator", "admin"):
        token, _ = create_token(role, settings=settings)
        headers[role] = {"Authorization": f"Bearer {token}"}
    yield client, headers, settings


def test_health_needs_no_token(api: tuple[TestClient, dict[str, dict[str, str]], Settings]) -> None:
    client, _, _ = api
    assert client.get("/api/v1/health").json()["status"] == "ok"
    assert client.get("/openapi.json").status_code == 200


def test_401_without_or_with_bad_token(api: tuple[TestClient, dict[str, dict[str, str]], Settings]) -> None:
    client, _, _ = api
    response = client.get("/api/v1/shipments")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401
    assert client.get("/api/v1/shipments", headers={"Authorization": "Bearer rp_nope"}).status_code == 401


def test_revoked_and_expired_tokens_are_refused(api: tuple[TestClient, dict[str, dict[str, str]], Settings]) -> None:
    client, _, settings = api
    token, record = create_token("viewer", settings=settings)
    assert client.get("/api/v1/shipments", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    revoke_token(record["id"], settings)
    assert client.get("/api/v1/shipments", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_viewer_cannot_write(api: tuple[TestClient, dict[str, dict[str, str]], Settings]) -> None:
    client, headers, _ = api
    response = client.post("/api/v1/shipments", json=SHIPMENT, headers=headers["viewer"])
    assert response.status_code == 403
    assert client.get("/api/v1/shipments", headers=headers["viewer"]).json() == []


def test_create_event_conflict_and_deadlines(api: tuple[TestClient, dict[str, dict[str, str]], Settings]) -> None:
    client, headers, _ = api
    created = client.post("/api/v1/shipments", json=SHIPMENT, headers=headers["operator"])
    assert created.status_code == 201, created.text
    version = created.json()["version"]
    ok = client.post(
        "/api/v1/shipments/API-1/events",
        json={"event": "entry-filed", "date": "2025-02-03", "version": version},
        headers=headers["operator"],
    )
    assert ok.status_code == 201 and ok.json()["quantities"] == {"ENTERED": 10}
    stale = client.post(
        "/api/v1/shipments/API-1/events",
        json={"event": "exam-presented", "date": "2025-02-04", "version": version},
        headers=headers["operator"],
    )
    assert stale.status_code == 409
    refused = client.post(
        "/api/v1/shipments/API-1/events",
        json={"event": "seizure-notice-mailed", "date": "2025-02-04"},
        headers=headers["operator"],
    )
    assert refused.status_code == 409 and "ENTERED" in refused.json()["detail"]
    deadlines = client.get("/api/v1/shipments/API-1/deadlines", headers=headers["viewer"]).json()
    assert deadlines == []  # entered: the arrival clocks are closed
    trail = client.get("/api/v1/shipments/API-1/audit", headers=headers["viewer"]).json()
    assert [a["action"] for a in trail] == ["create", "event:entry-filed"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**SHIPMENT, "mode": "ship"}, "mode"),
        ({**SHIPMENT, "total_units": 0}, "total_units"),
        ({**SHIPMENT, "arrival_date": "2025-02-30"}, "arrival_date"),
        ({**SHIPMENT, "extra": 1}, "extra"),
    ],
)
def test_422_names_the_field(api: tuple[TestClient, dict[str, dict[str, str]], Settings], body: dict[str, object],
                             field: str) -> None:  # fmt: skip
    client, headers, _ = api
    response = client.post("/api/v1/shipments", json=body, headers=headers["operator"])
    assert response.status_code == 422
    assert field in response.json()["detail"]


def test_unknown_shipment_404_and_bad_event_422(api: tuple[TestClient, dict[str, dict[str, str]], Settings]) -> None:
    client, headers, _ = api
    assert client.get("/api/v1/shipments/NOPE", headers=headers["viewer"]).status_code == 404
    client.post("/api/v1/shipments", json=SHIPMENT, headers=headers["operator"])
    bad = client.post("/api/v1/shipments/API-1/events", json={"event": "teleport", "date": "2025-02-04"},
                      headers=headers["operator"])  # fmt: skip
    assert bad.status_code == 422 and "event" in bad.json()["detail"]


def test_import_upload_all_or_nothing_and_size_limit(
    api: tuple[TestClient, dict[str, dict[str, str]], Settings],
) -> None:
    client, headers, _ = api
    client.post("/api/v1/shipments", json=SHIPMENT, headers=headers["operator"])
    bad = b"line,model,quantity,unit_value,hts_code,origin\n1,antminer-s21,5,3400,8543.70.9960,CN\n2,x,1,1,1,CN\n"
    response = client.post("/api/v1/import", data={"shipment": "API-1"}, files={"file": ("inv.csv", bad)},
                           headers=headers["operator"])  # fmt: skip
    assert response.status_code == 422 and "row 3, column model" in response.json()["detail"]
    assert client.get("/api/v1/shipments/API-1/line-items", headers=headers["viewer"]).json() == []
    good = b"line,model,quantity,unit_value,hts_code,origin\n1,antminer-s21,10,3400,8543.70.9960,CN\n"
    response = client.post("/api/v1/import", data={"shipment": "API-1"}, files={"file": ("inv.csv", good)},
                           headers=headers["operator"])  # fmt: skip
    assert response.status_code == 201 and response.json()["units"] == 10
    huge = good + b"#" * 4096
    response = client.post("/api/v1/import", data={"shipment": "API-1"}, files={"file": ("big.csv", huge)},
                           headers=headers["operator"])  # fmt: skip
    assert response.status_code == 413


def test_list_filters_and_paging(api: tuple[TestClient, dict[str, dict[str, str]], Settings]) -> None:
    client, headers, _ = api
    for n in range(3):
        client.post("/api/v1/shipments", json={**SHIPMENT, "reference": f"P-{n}"}, headers=headers["operator"])
    page = client.get("/api/v1/shipments?limit=2&offset=1", headers=headers["viewer"]).json()
    assert [s["reference"] for s in page] == ["P-1", "P-2"]
    assert client.get("/api/v1/shipments?state=bogus", headers=headers["viewer"]).status_code == 422
    assert client.get("/api/v1/shipments?limit=0", headers=headers["viewer"]).status_code == 422
    assert dt.date.fromisoformat(page[0]["arrival_date"])


def test_risk_endpoint(api: tuple[TestClient, dict[str, dict[str, str]], Settings]) -> None:
    client, headers, _ = api
    client.post("/api/v1/shipments", json=SHIPMENT, headers=headers["operator"])
    response = client.get("/api/v1/shipments/API-1/risk", headers=headers["viewer"])
    assert response.status_code == 200, response.text
    data = response.json()
    assert {"probability", "level", "factors", "evidence", "expected_hold_cost_usd"} <= set(data)
    assert {f["code"] for f in data["factors"]} >= {"missing_sdoc", "no_us_responsible_party"}
    assert client.get("/api/v1/shipments/API-1/risk").status_code == 401
