"""Issue #25: a future or out-of-order event date is refused by the service, the CLI and the API, and
nothing is written (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rigport.entrypoints.api.app import create_app
from rigport.errors import InputError
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


def test_future_date_refused_and_nothing_written(settings: Settings) -> None:
    make(settings)
    walk_to_detained(settings)
    before = state(settings)
    with pytest.raises(InputError, match=r"^date: 2025-03-02 is in the future.*2025-03-01"):
        svc.record_event("SFO-1", "release", D(2025, 3, 2), "t", quantity=10, settings=settings, now=NOW)
    with pytest.raises(InputError, match=r"^date: 2031-01-01 is in the future"):
        svc.record_event("SFO-1", "release", D(2031, 1, 1), "t", settings=settings)
    assert state(settings) == before
    # the port's today plus one day is allowed
    view = svc.record_event("SFO-1", "release", D(2025, 3, 1), "t", quantity=10, settings=settings, now=NOW)
    assert view["quantities"] == {"DETAINED": 90, "RELEASED": 10}


def test_date_before_the_event_it_follows_refused(settings: Settings) -> None:
    make(settings)
    walk_to_detained(settings)  # detention on 2025-01-09
    before = state(settings)
    with pytest.raises(InputError, match=r"^date: 2025-01-07 is before 2025-01-09, when the units in DETAINED"):
        svc.record_event("SFO-1", "seizure-notice-mailed", D(2025, 1, 7), "t", settings=settings)
    assert state(settings) == before
    # a clock-only event is followed too: the forfeiture comes after its notice
    svc.record_event("SFO-1", "seizure-notice-mailed", D(2025, 1, 20), "t", settings=settings)
    svc.record_event("SFO-1", "forfeiture-notice-published", D(2025, 2, 10), "t", settings=settings)
    with pytest.raises(InputError, match="forfeiture-notice-published"):
        svc.record_event("SFO-1", "forfeiture", D(2025, 2, 1), "t", settings=settings)


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
