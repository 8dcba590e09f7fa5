"""A request either commits and answers 2xx, or answers 4xx/5xx and commits nothing (issue #26, item 2).

Every input is validated and every derived value (clocks, costs, the view sent back) computed before the
commit, so no write is acknowledged with an error a client would retry, and nothing stored can break a
later read. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from rigport.adapters.db.engine import get_engine
from rigport.entrypoints.api.app import create_app
from rigport.services.auth import create_token
from rigport.settings import Settings
from tests.helpers import run_cli
from tests.trust.support import env_for

BODY = {"reference": "AC1", "mode": "vessel", "port": "Oakland", "arrival_date": "2025-03-03", "total_units": 10,
        "declared_value_usd": "35000.00"}  # fmt: skip


@pytest.fixture
def api(db_settings: Settings) -> Iterator[tuple[TestClient, dict[str, str], Settings]]:
    client = TestClient(create_app(db_settings), raise_server_exceptions=False)
    token, _ = create_token("operator", settings=db_settings)
    yield client, {"Authorization": f"Bearer {token}"}, db_settings


def table_counts(settings: Settings) -> dict[str, int]:
    with get_engine(settings).connect() as conn:
        return {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
                for t in ("shipments", "events", "audit_log", "shipment_quantities")}  # fmt: skip


def reads_work(client: TestClient, headers: dict[str, str], reference: str | None = None) -> None:
    paths = ["/api/v1/portfolio", "/api/v1/shipments"]
    if reference:
        paths += [f"/api/v1/shipments/{reference}", f"/api/v1/shipments/{reference}/deadlines",
                  f"/api/v1/shipments/{reference}/events", f"/api/v1/shipments/{reference}/packet"]  # fmt: skip
    for path in paths:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])


@pytest.mark.parametrize("arrival", ["9999-12-31", "9000-01-01", "0001-01-01", "1899-12-31"])
def test_shipment_date_out_of_range_is_422_and_stores_nothing(api: Any, arrival: str) -> None:
    client, headers, settings = api
    before = table_counts(settings)
    response = client.post("/api/v1/shipments", json={**BODY, "arrival_date": arrival}, headers=headers)
    assert response.status_code == 422, response.text
    assert "arrival_date" in response.json()["detail"]
    assert table_counts(settings) == before
    reads_work(client, headers)


def test_shipment_date_far_ahead_is_refused_a_year_ahead_is_not(api: Any) -> None:
    client, headers, settings = api
    far = (dt.date.today() + dt.timedelta(days=3 * 366)).isoformat()
    assert client.post("/api/v1/shipments", json={**BODY, "arrival_date": far}, headers=headers).status_code == 422
    near = (dt.date.today() + dt.timedelta(days=300)).isoformat()
    assert client.post("/api/v1/shipments", json={**BODY, "arrival_date": near}, headers=headers).status_code == 201
    reads_work(client, headers, "AC1")


def test_event_date_out_of_range_moves_nothing(api: Any) -> None:
    client, headers, settings = api
    assert client.post("/api/v1/shipments", json=BODY, headers=headers).status_code == 201
    assert client.post("/api/v1/shipments/AC1/events", json={"event": "entry-filed", "date": "2025-03-05"},
                       headers=headers).status_code == 201  # fmt: skip
    before = table_counts(settings)
    shipment = client.get("/api/v1/shipments/AC1", headers=headers).json()
    for day in ("9999-12-30", "9999-12-31"):
        response = client.post("/api/v1/shipments/AC1/events", json={"event": "exam-presented", "date": day},
                               headers=headers)  # fmt: skip
        assert response.status_code == 422, response.text
        assert "date" in response.json()["detail"]
    assert table_counts(settings) == before
    assert client.get("/api/v1/shipments/AC1", headers=headers).json()["quantities"] == shipment["quantities"]
    reads_work(client, headers, "AC1")


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"x": value}
    return value


@pytest.mark.parametrize("depth", [40, 500])
def test_event_data_too_deep_is_422_and_stores_nothing(api: Any, depth: int) -> None:
    client, headers, settings = api
    assert client.post("/api/v1/shipments", json=BODY, headers=headers).status_code == 201
    before = table_counts(settings)
    response = client.post("/api/v1/shipments/AC1/events", json={"event": "entry-filed", "date": "2025-03-05",
                                                                   "data": nested(depth)}, headers=headers)  # fmt: skip
    assert response.status_code == 422, response.text
    assert "data" in response.json()["detail"] and "deep" in response.json()["detail"]
    assert table_counts(settings) == before
    reads_work(client, headers, "AC1")


def test_event_data_size_is_limited(api: Any) -> None:
    client, headers, settings = api
    assert client.post("/api/v1/shipments", json=BODY, headers=headers).status_code == 201
    before = table_counts(settings)
    big = {"note": "x" * (1024 * 1024)}
    response = client.post("/api/v1/shipments/AC1/events", json={"event": "entry-filed", "date": "2025-03-05",
                                                                   "data": big}, headers=headers)  # fmt: skip
    assert response.status_code == 413, response.text
    assert "data" in response.json()["detail"]
    assert table_counts(settings) == before
    fits = {"note": "x" * 1000, "nested": nested(10)}
    ok = client.post("/api/v1/shipments/AC1/events", json={"event": "entry-filed", "date": "2025-03-05",
                                                            "data": fits}, headers=headers)  # fmt: skip
    assert ok.status_code == 201, ok.text
    assert ok.json()["events"][-1]["data"] == fits
    reads_work(client, headers, "AC1")


def test_cli_refuses_out_of_range_arrival_with_exit_2(db_settings: Settings) -> None:
    before = table_counts(db_settings)
    env = env_for(db_settings.data_dir, db_settings.database_url)
    result = run_cli("shipments", "create", "CLI1", "--mode", "vessel", "--port", "Oakland", "--arrival",
                     "9999-12-31", "--units", "10", "--value", "1000", "--json", env=env)  # fmt: skip
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "arrival_date" in result.stderr or "arrival" in result.stderr
    assert "Traceback" not in result.stderr
    assert table_counts(db_settings) == before
