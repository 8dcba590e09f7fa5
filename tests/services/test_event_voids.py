"""Issue #25: correction with a trail — voiding an event recomputes the shipment from the remaining events,
keeps the event in the history and the audit log, and refuses a void a later event depends on."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rigport.entrypoints.api.app import create_app
from rigport.services import shipments as svc
from rigport.services.auth import create_token
from rigport.services.portfolio import portfolio
from rigport.settings import Settings
from tests.helpers import fresh_database, run_cli
from tests.helpers.records import make, walk_to_detained

D = dt.date


def event_id(view: dict[str, object], name: str) -> int:
    return next(int(e["id"]) for e in view["events"] if e["event"] == name and not e["voided"])  # type: ignore[attr-defined,index]


def snapshot(settings: Settings, ref: str = "SFO-1") -> tuple[object, ...]:
    view = svc.get_shipment(ref, settings)
    return view["version"], view["quantities"], view["events"], len(svc.audit_trail(ref, settings))


def test_void_recomputes_state_clocks_and_costs_and_keeps_the_trail(settings: Settings) -> None:
    make(settings)
    walk_to_detained(settings)  # detention 2025-01-09
    mistaken = svc.record_event("SFO-1", "release", D(2025, 2, 1), "clerk", quantity=60, settings=settings)
    assert mistaken["quantities"] == {"DETAINED": 40, "RELEASED": 60}
    today = D(2025, 3, 1)
    with_release = svc.get_shipment("SFO-1", settings, today)["cost_of_delay"]
    view = svc.void_event("SFO-1", event_id(mistaken, "release"), "typed 60 for 6", "supervisor", settings=settings)
    assert view["quantities"] == {"DETAINED": 100} and view["state"] == "DETAINED"
    voided = next(e for e in view["events"] if e["event"] == "release")
    assert voided["voided"] and voided["voided_by"] == "supervisor" and voided["void_reason"] == "typed 60 for 6"
    assert voided["quantity"] == 60  # what was recorded stays as it was
    # costs recomputed from the remaining events: all 100 units held from 2025-01-09
    cost = svc.get_shipment("SFO-1", settings, today)["cost_of_delay"]
    assert cost["held_unit_days"] == 100 * 51 > with_release["held_unit_days"]
    assert portfolio(settings, today)["cost_to_date_usd"] == cost["cost_to_date_usd"]
    trail = svc.audit_trail("SFO-1", settings)[-1]
    assert trail["action"] == "void:release" and trail["actor"] == "supervisor"
    assert trail["before"]["quantities"] == {"DETAINED": 40, "RELEASED": 60}
    assert trail["after"]["quantities"] == {"DETAINED": 100}
    assert trail["after"]["event"]["void_reason"] == "typed 60 for 6"
    # amended: the right event recorded after the void
    view = svc.record_event("SFO-1", "release", D(2025, 2, 1), "clerk", quantity=6, settings=settings)
    assert view["quantities"] == {"DETAINED": 94, "RELEASED": 6}


def test_cli_and_api_void(request: pytest.FixtureRequest, isolated_data_dir: Path) -> None:
    settings = fresh_database(request, "sqlite", isolated_data_dir)
    make(settings)
    walk_to_detained(settings)
    view = svc.record_event("SFO-1", "release", D(2025, 2, 1), "t", quantity=60, settings=settings)
    out = run_cli("shipments", "void", "SFO-1", str(event_id(view, "release")), "--reason", "typo", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["quantities"] == {"DETAINED": 100}
    refused = run_cli("shipments", "void", "SFO-1", str(event_id(view, "exam-presented")), "--reason", "x")
    assert refused.returncode == 1 and "depends on it" in refused.stderr and "Traceback" not in refused.stderr
    empty = run_cli("shipments", "void", "SFO-1", str(event_id(view, "detention")), "--reason", "")
    assert empty.returncode == 2 and "reason" in empty.stderr
    client = TestClient(create_app(settings))
    op = {"Authorization": f"Bearer {create_token('operator', settings=settings)[0]}"}
    viewer = {"Authorization": f"Bearer {create_token('viewer', settings=settings)[0]}"}
    detention = event_id(svc.get_shipment("SFO-1", settings), "detention")
    url = f"/api/v1/shipments/SFO-1/events/{detention}/void"
    assert client.post(url, headers=viewer, json={"reason": "x"}).status_code == 403
    assert client.post(url, headers=op, json={}).status_code == 422
    stale = client.post(url, headers=op, json={"reason": "x", "version": 1})
    assert stale.status_code == 409
    ok = client.post(url, headers=op, json={"reason": "wrong date"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["quantities"] == {"EXAM_PRESENTED": 100}
    assert ok.json()["cost_of_delay"]["held_unit_days"] == 0
    assert Decimal(str(ok.json()["cost_of_delay"]["cost_to_date_usd"])) > 0  # storage since arrival stays
