"""POST /api/v1/assess (a draft, nothing stored) and background simulations (POST/GET /api/v1/simulations)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rigport.adapters.db.tables import SimulationRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.entrypoints.api.app import create_app
from rigport.services import simulation_runs
from rigport.services.auth import create_token
from rigport.services.simulation import simulate_model
from rigport.settings import Settings

Api = tuple[TestClient, dict[str, dict[str, str]], Settings]
LINE = {"model_id": "antminer-s21", "quantity": 100, "unit_value_usd": "3400.00", "hts_code": "8543.70.9960",
        "origin": "CN"}  # fmt: skip
DRAFT: dict[str, Any] = {
    "reference": "DRAFT-1", "mode": "vessel", "port": "Savannah", "line_items": [LINE],
    "documents": [{"kind": "commercial_invoice"}, {"kind": "packing_list"}, {"kind": "fcc_sdoc"}],
    "parties": [{"role": "importer", "name": "Prairie Summit Hosting LLC", "country": "US"}],
}  # fmt: skip


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    settings = Settings(data_dir=tmp_path)
    headers = {}
    for role in ("viewer", "operator"):
        token, _ = create_token(role, settings=settings)
        headers[role] = {"Authorization": f"Bearer {token}"}
    yield TestClient(create_app(settings)), headers, settings


def _factors(result: dict[str, Any]) -> list[str]:
    return [f["code"] for f in result["factors"]]


def test_assess_draft_gives_the_risk_shape_without_storing(api: Api) -> None:
    client, headers, _ = api
    response = client.post("/api/v1/assess", json=DRAFT, headers=headers["viewer"])  # read-only: viewer may ask
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["shipment"] == "DRAFT-1"
    assert _factors(result) == ["sophgo_content_unknown", "enforcement_family_first_wave",
                                "missing_compliance_statement"]  # fmt: skip
    evidence = {e["item"]: e["status"] for e in result["evidence"]}
    assert evidence["fcc_sdoc"] == "present" and evidence["us_responsible_party"] == "present"
    assert evidence["compliance_statement"] == "missing" and evidence["test_report"] == "missing"
    assert result["level"] == "medium" and 0.2 <= result["probability"] < 0.5
    assert result["expected_hold_cost_usd"] == pytest.approx(result["cost_if_held_usd"] * result["probability"], 0.01)
    assert client.get("/api/v1/shipments", headers=headers["viewer"]).json() == []  # nothing stored


def test_each_draft_fact_moves_the_assessment(api: Api) -> None:
    client, headers, _ = api
    base = client.post("/api/v1/assess", json=DRAFT, headers=headers["viewer"]).json()
    sophgo = {**DRAFT, "line_items": [{**LINE, "chip_supplier": "SOPHGO TECHNOLOGIES LTD."}]}
    hit = client.post("/api/v1/assess", json=sophgo, headers=headers["viewer"]).json()
    assert "restricted_chip_supplier" in _factors(hit) and hit["probability"] > base["probability"]
    transshipped = {**DRAFT, "line_items": [{**LINE, "origin": "MY"}]}
    assert "transshipment_signal" in _factors(
        client.post("/api/v1/assess", json=transshipped, headers=headers["viewer"]).json()
    )
    no_us_party = {**DRAFT, "parties": [{"role": "importer", "name": "Overseas Ltd", "country": "HK"}]}
    result = client.post("/api/v1/assess", json=no_us_party, headers=headers["viewer"]).json()
    assert "no_us_responsible_party" in _factors(result)
    with_statement = {**DRAFT, "documents": [*DRAFT["documents"], {"kind": "compliance_statement"}]}
    fewer = client.post("/api/v1/assess", json=with_statement, headers=headers["viewer"]).json()
    assert "missing_compliance_statement" not in _factors(fewer) and fewer["probability"] < base["probability"]


def test_draft_matches_the_stored_shipment_assessment(api: Api) -> None:
    client, headers, _ = api
    body = {k: v for k, v in DRAFT.items() if k not in ("line_items", "documents")}
    stored = {**body, "arrival_date": "2025-02-01", "total_units": 100, "declared_value_usd": "340000.00"}
    assert client.post("/api/v1/shipments", json=stored, headers=headers["operator"]).status_code == 201
    csv = "line,model,quantity,unit_value,hts_code,origin\n1,antminer-s21,100,3400,8543.70.9960,CN\n"
    files = {"file": ("inv.csv", csv, "text/csv")}
    assert client.post("/api/v1/import", data={"shipment": "DRAFT-1"}, files=files,
                       headers=headers["operator"]).status_code == 201  # fmt: skip
    for kind in ("commercial_invoice", "packing_list", "fcc_sdoc"):
        client.post("/api/v1/shipments/DRAFT-1/documents", json={"kind": kind}, headers=headers["operator"])
    risk = client.get("/api/v1/shipments/DRAFT-1/risk", headers=headers["viewer"]).json()
    draft = client.post("/api/v1/assess", json={**DRAFT, "reference": "DRAFT-2"}, headers=headers["viewer"]).json()
    assert set(draft) == set(risk)
    for key in ("probability", "level", "factors", "evidence"):
        assert draft[key] == risk[key], key


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"line_items": [{**LINE, "model_id": "antminer-s99"}]}, "line_items[0].model_id"),
        ({"line_items": [{**LINE, "quantity": 0}]}, "line_items.0.quantity"),
        ({"line_items": [{**LINE, "hts_code": "8543"}]}, "line_items.0.hts_code"),
        ({"line_items": [{**LINE, "origin": "ZZ"}]}, "line_items[0].origin"),
        ({"line_items": []}, "line_items"),
        ({"total_units": 7}, "total_units"),
        ({"documents": [{"kind": "selfie"}]}, "documents.0.kind"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_assess_validation_names_the_field(api: Api, change: dict[str, Any], field: str) -> None:
    client, headers, _ = api
    response = client.post("/api/v1/assess", json={**DRAFT, **change}, headers=headers["viewer"])
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.json()["detail"]


def test_assess_needs_a_token(api: Api) -> None:
    client, _, _ = api
    assert client.post("/api/v1/assess", json=DRAFT).status_code == 401


SIM = {"model": "antminer-s21", "units": 20, "unit_price": 3400, "power_price": 0.05, "paths": 3000, "days": 90,
       "seed": 7, "hold_prob": 0.3, "hold_days_mean": 30}  # fmt: skip


def _wait(client: TestClient, headers: dict[str, str], run_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run: dict[str, Any] = client.get(f"/api/v1/simulations/{run_id}", headers=headers).json()
        if run["status"] in ("succeeded", "failed"):
            return run
        time.sleep(0.05)
    raise AssertionError(f"simulation {run_id} did not finish")


def test_simulation_runs_in_background_and_matches_the_cli_numbers(api: Api) -> None:
    client, headers, settings = api
    response = client.post("/api/v1/simulations", json=SIM, headers=headers["operator"])
    assert response.status_code == 202, response.text
    started = response.json()
    assert started["status"] in ("queued", "running")
    assert response.headers["location"] == f"/api/v1/simulations/{started['id']}"
    run = _wait(client, headers["viewer"], started["id"])
    assert run["status"] == "succeeded" and run["error"] is None and run["actor"].startswith("token:")
    result = run["result"]
    same = simulate_model("antminer-s21", 20, 3400, 0.05, 3000, 90, 7, hold_prob=0.3, hold_days_mean=30,
                          settings=settings)  # fmt: skip
    assert result["npv_usd"] == pytest.approx(same["npv_usd"])  # same seed, same numbers as `rigport simulate`
    assert result["payback_probability"] == same["payback_probability"]
    assert result["expected_hold_cost_usd"] == pytest.approx(same["expected_hold_cost_usd"])
    assert (result["paths"], result["days"], result["seed"]) == (3000, 90, 7)
    assert set(result["payback_day"]) == {"p5", "p50", "p95"}
    assert len(result["fan_chart"]["price_usd"]["p50"]) == 90
    assert result["hold"]["probability"] == 0.3 and result["hold"]["source"]["days_mean"] == "given"
    assert run["params"]["paths"] == 3000 and run["finished_at"] >= run["started_at"] >= run["created_at"]
    listed = client.get("/api/v1/simulations", headers=headers["viewer"]).json()
    assert [r["id"] for r in listed] == [started["id"]]
    assert listed[0]["summary"]["npv_usd"] == result["npv_usd"] and "fan_chart" not in listed[0]["summary"]


def test_simulation_does_not_block_the_server(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    client, headers, _ = api
    release = threading.Event()

    def slow(params: dict[str, Any], settings: Settings, progress: Any = None, uow: Any = None) -> dict[str, Any]:
        release.wait(30)
        return {"paths": params["paths"], "seed": params["seed"]}

    monkeypatch.setattr(simulation_runs, "_simulate", slow)
    started = client.post("/api/v1/simulations", json=SIM, headers=headers["operator"]).json()
    time.sleep(0.2)
    running = client.get(f"/api/v1/simulations/{started['id']}", headers=headers["viewer"]).json()
    assert running["status"] == "running" and running["result"] is None
    assert client.get("/api/v1/health").status_code == 200  # the server answers while the run works
    release.set()
    assert _wait(client, headers["viewer"], started["id"])["result"] == {"paths": 3000, "seed": 7}


def test_failed_run_stores_its_error(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    client, headers, _ = api

    def boom(params: dict[str, Any], settings: Settings, progress: Any = None, uow: Any = None) -> dict[str, Any]:
        raise RuntimeError("chunk exploded")

    monkeypatch.setattr(simulation_runs, "_simulate", boom)
    started = client.post("/api/v1/simulations", json=SIM, headers=headers["operator"]).json()
    run = _wait(client, headers["viewer"], started["id"])
    assert run["status"] == "failed" and run["error"] == "RuntimeError: chunk exploded" and run["result"] is None


def test_seed_is_drawn_and_stored_when_not_given(api: Api) -> None:
    client, headers, _ = api
    body = {k: v for k, v in SIM.items() if k != "seed"} | {"paths": 200, "days": 10}
    started = client.post("/api/v1/simulations", json=body, headers=headers["operator"]).json()
    run = _wait(client, headers["viewer"], started["id"])
    assert isinstance(run["params"]["seed"], int) and run["result"]["seed"] == run["params"]["seed"]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"paths": 200_001}, "paths"), ({"days": 3651}, "days"), ({"days": 0}, "days"), ({"units": 0}, "units"),
     ({"hold_prob": 1.5}, "hold_prob"), ({"model": "antminer-s99"}, "model"), ({"extra": 1}, "extra")],
)  # fmt: skip
def test_simulation_bounds_are_422_naming_the_field(api: Api, change: dict[str, Any], field: str) -> None:
    client, headers, _ = api
    response = client.post("/api/v1/simulations", json={**SIM, **change}, headers=headers["operator"])
    assert response.status_code == 422 and field in response.json()["detail"]
    assert client.get("/api/v1/simulations", headers=headers["viewer"]).json() == []  # nothing queued


def test_roles_and_unknown_run(api: Api) -> None:
    client, headers, _ = api
    assert client.post("/api/v1/simulations", json=SIM, headers=headers["viewer"]).status_code == 403
    assert client.get("/api/v1/simulations").status_code == 401
    missing = client.get("/api/v1/simulations/nope", headers=headers["viewer"])
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]


def test_service_validation_for_direct_callers(tmp_path: Path) -> None:
    from rigport.errors import InputError

    settings = Settings(data_dir=tmp_path)
    with pytest.raises(InputError, match="paths: expected 1 to 200000"):
        simulation_runs.start_simulation({**SIM, "paths": 10**7}, "dash", settings)
    with pytest.raises(InputError, match="units: expected a whole number"):
        simulation_runs.start_simulation({**SIM, "units": 2.5}, "dash", settings)
    assert simulation_runs.list_simulations(settings) == []


def test_runs_left_by_a_dead_server_are_marked_interrupted(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    host = socket.gethostname()
    now = dt.datetime.now(dt.UTC)
    with UnitOfWork(settings) as uow:
        for run_id, status, runner in (("dead-running", "running", f"{host}:999999999"),
                                       ("dead-queued", "queued", f"{host}:999999998"),
                                       ("alive", "running", f"{host}:{os.getpid()}"),
                                       ("done", "succeeded", f"{host}:999999999")):  # fmt: skip
            uow.session.add(SimulationRow(id=run_id, status=status, params={}, actor="t", runner=runner,
                                          created_at=now))  # fmt: skip
        uow.commit()
    create_app(settings)  # startup
    runs = {r["id"]: r for r in simulation_runs.list_simulations(settings)}
    assert runs["dead-running"]["status"] == "failed" and runs["dead-running"]["error"].startswith("interrupted")
    assert runs["dead-queued"]["status"] == "failed"
    assert runs["alive"]["status"] == "running"  # this process owns it: still live
    assert runs["done"]["status"] == "succeeded"


def test_shutdown_stops_runs_and_stores_them_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(data_dir=tmp_path)
    gate = threading.Event()

    def waits(params: dict[str, Any], settings: Settings, progress: Any = None, uow: Any = None) -> dict[str, Any]:
        gate.wait(5)
        progress(1, 2)  # the next chunk boundary: the stop flag is noticed here
        return {}

    monkeypatch.setattr(simulation_runs, "_simulate", waits)
    monkeypatch.setattr(simulation_runs, "POOL_WORKERS", 1)
    simulation_runs.shutdown()  # a fresh pool for this test
    first = simulation_runs.start_simulation(SIM, "t", settings)
    second = simulation_runs.start_simulation(SIM, "t", settings)
    time.sleep(0.2)
    threading.Timer(0.3, gate.set).start()
    simulation_runs.shutdown(settings)
    for run in (first, second):
        stored = simulation_runs.get_simulation(run["id"], settings)
        assert stored["status"] == "failed" and stored["error"] == simulation_runs.INTERRUPTED
