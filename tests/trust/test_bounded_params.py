"""Every integer parameter is bounded, a repeated scalar parameter and a boolean for a number are 422
(issue #26, items 7). On SQLite and PostgreSQL: neither database ever sees an out-of-range integer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rigport.entrypoints.api.app import create_app
from rigport.services.auth import create_token
from rigport.settings import Settings

BODY = {"reference": "BP1", "mode": "vessel", "port": "Oakland", "arrival_date": "2025-03-03", "total_units": 10,
        "declared_value_usd": "35000.00"}  # fmt: skip
HUGE = [2**31, 2**63, 2**64, 10**30]


@pytest.fixture
def api(db_settings: Settings) -> Iterator[tuple[TestClient, dict[str, str]]]:
    client = TestClient(create_app(db_settings), raise_server_exceptions=False)
    token, _ = create_token("admin", settings=db_settings)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/shipments", json=BODY, headers=headers).status_code == 201
    yield client, headers


def is_problem_422(response: Any) -> bool:
    return response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("value", HUGE)
def test_huge_integers_in_query_and_path_are_422(api: Any, value: int) -> None:
    client, headers = api
    for path in (f"/api/v1/shipments?offset={value}", f"/api/v1/shipments?limit={value}",
                 f"/api/v1/simulations?limit={value}", f"/api/v1/portfolio?horizon_days={value}"):  # fmt: skip
        response = client.get(path, headers=headers)
        assert is_problem_422(response), (path, response.status_code, response.text)
    for method, path, body in (("DELETE", f"/api/v1/shipments/BP1/parties/{value}", None),
                               ("DELETE", f"/api/v1/shipments/BP1/documents/{value}", None),
                               ("PATCH", f"/api/v1/shipments/BP1/parties/{value}", {"name": "x"}),
                               ("PATCH", "/api/v1/shipments/BP1", {"version": value, "port": "LA"}),
                               ("POST", "/api/v1/shipments/BP1/events", {"event": "entry-filed",
                                                                          "date": "2025-03-04", "version": value})):
        response = client.request(method, path, json=body, headers=headers)
        assert is_problem_422(response), (method, path, response.status_code, response.text)
    assert client.get("/api/v1/shipments?offset=2147483647", headers=headers).json() == []


@pytest.mark.parametrize("query", ["limit=1&limit=2", "offset=0&offset=0", "state=ARRIVED&state=ENTERED",
                                   "port=Oakland&port=LA"])  # fmt: skip
def test_repeated_scalar_query_parameters_are_422(api: Any, query: str) -> None:
    client, headers = api
    response = client.get(f"/api/v1/shipments?{query}", headers=headers)
    assert is_problem_422(response), response.text
    assert query.split("=")[0] in response.json()["detail"]
    assert client.get(f"/api/v1/shipments?{query.split('&')[0]}", headers=headers).status_code == 200


def test_repeated_parameters_do_not_come_before_authentication(api: Any) -> None:
    client, _ = api
    assert client.get("/api/v1/shipments?limit=1&limit=2").status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/api/v1/screen", {"name": "Bitmain", "threshold": True}),
    ("POST", "/api/v1/shipments/BP1/screen", {"threshold": False}),
    ("POST", "/api/v1/shipments", {**BODY, "reference": "BP2", "total_units": True}),
    ("POST", "/api/v1/shipments", {**BODY, "reference": "BP2", "declared_value_usd": True}),
    ("POST", "/api/v1/shipments/BP1/events", {"event": "entry-filed", "date": "2025-03-04", "quantity": True}),
    ("PATCH", "/api/v1/shipments/BP1", {"version": True, "port": "LA"}),
])  # fmt: skip
def test_booleans_are_not_numbers(api: Any, method: str, path: str, body: dict[str, Any]) -> None:
    client, headers = api
    response = client.request(method, path, json=body, headers=headers)
    assert is_problem_422(response), (response.status_code, response.text)
    field = next(k for k, v in body.items() if isinstance(v, bool))
    assert field in response.text
    shipment = client.get("/api/v1/shipments/BP1", headers=headers).json()
    assert shipment["version"] == 1 and shipment["port"] == "Oakland"
