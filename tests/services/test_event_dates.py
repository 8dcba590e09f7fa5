"""Issue #25: a future or out-of-order event date is refused by the service, the CLI and the API, and
nothing is written (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rigport.entrypoints.api.app import create_app
from rigport.services import shipments as svc
from rigport.services.auth import create_token
from rigport.settings import Settings
from tests.helpers import fresh_database, run_cli
from tests.helpers.records import make, walk_to_detained

D = dt.date
NOW = dt.datetime(2025, 3, 1, 6, 0, tzinfo=dt.UTC)  # 22:00 on 2025-02-28 in San Francisco


def state(settings: Settings, ref: str = "SFO-1") -> tuple[object, ...]:
    view = svc.get_shipment(ref, settings)
    return view["version"], view["quantities"], view["events"], len(svc.audit_trail(ref, settings))


def test_cli_exit_2_and_api_422_name_the_date(request: pytest.FixtureRequest, isolated_data_dir: Path) -> None:
    settings = fresh_database(request, "sqlite", isolated_data_dir)
    make(settings)
    walk_to_detained(settings)
    before = state(settings)
    out = run_cli("shipments", "event", "SFO-1", "release", "--date", "2031-01-01", "--quantity", "10")
    assert out.returncode == 2 and "date: 2031-01-01 is in the future" in out.stderr
    assert "Traceback" not in out.stderr
    client = TestClient(create_app(settings))
    op = {"Authorization": f"Bearer {create_token('operator', settings=settings)[0]}"}
    reply = client.post("/api/v1/shipments/SFO-1/events", headers=op,
                        json={"event": "release", "date": "2031-01-01", "quantity": 10})  # fmt: skip
    assert reply.status_code == 422 and reply.json()["detail"].startswith("date: 2031-01-01 is in the future")
    assert state(settings) == before
