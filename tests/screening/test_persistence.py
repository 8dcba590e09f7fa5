"""Screening with the database: stored shipment results with list versions, decisions, API routes, migration."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select

from rigport.adapters.db.engine import get_engine, head_revision
from rigport.adapters.db.screening_tables import ScreeningResultRow, ScreeningRunRow
from rigport.adapters.db.tables import LineItemRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.entrypoints.api.app import create_app
from rigport.services.auth import create_token
from rigport.services.screening import mark_false_positive, screen_name, screen_shipment
from rigport.services.shipments import ShipmentDraft, create_shipment
from rigport.settings import Settings
from tests.conftest import run_cli
from tests.screening.test_cli import list_server  # noqa: F401 - fixture


def _shipment(settings: Settings, reference: str = "SCR-1") -> None:
    draft = ShipmentDraft(
        reference=reference, mode="air", port="Detroit", arrival_date=dt.date(2025, 2, 1), total_units=10,
        declared_value_usd=Decimal("34000.00"), importer_of_record="Prairie Summit Hosting LLC",
        parties=[{"role": "manufacturer", "name": "Bitmain Technologies Ltd.", "country": "CN"},
                 {"role": "seller", "name": "Huawei Technologies Co., Ltd.", "country": "CN"}],
    )  # fmt: skip
    create_shipment(draft, "test", settings)
    with UnitOfWork(settings) as uow:
        ship = uow.shipments.get(reference)
        assert ship is not None
        uow.session.add(LineItemRow(shipment_id=ship.id, line_no=1, model_id=None, description="S21", quantity=10,
                                    unit_value_usd=Decimal("3400.00"), hts_code="8471.50.0150", origin="CN",
                                    chip_supplier="SOPHGO TECHNOLOGIES LTD.", serials=""))  # fmt: skip
        uow.commit()


@pytest.fixture
def settings(isolated_data_dir: Path) -> Settings:
    return Settings(data_dir=isolated_data_dir)


def test_migration_has_one_head_and_creates_tables(settings: Settings) -> None:
    from alembic.script import ScriptDirectory

    from rigport.adapters.db.engine import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [head_revision()]  # one linear head (later migrations build on 0002)
    assert "0002_screening" in {r.revision for r in script.walk_revisions()}
    with UnitOfWork(settings):
        pass
    tables = set(inspect(get_engine(settings)).get_table_names())
    assert {"screening_runs", "screening_results", "screening_decisions"} <= tables


def test_screen_shipment_stores_results_with_list_versions(settings: Settings) -> None:
    _shipment(settings)
    result = screen_shipment("SCR-1", actor="alice", settings=settings)
    by_subject = {s["subject"]: s for s in result["subjects"]}
    assert by_subject["SOPHGO TECHNOLOGIES LTD."]["status"] == "hit"
    assert by_subject["SOPHGO TECHNOLOGIES LTD."]["matches"][0]["list"] == "restricted-components"
    assert by_subject["Huawei Technologies Co., Ltd."]["status"] == "hit"
    assert by_subject["Bitmain Technologies Ltd."]["status"] == "clear"
    assert by_subject["Prairie Summit Hosting LLC"]["status"] == "clear"
    with UnitOfWork(settings) as uow:
        run = uow.session.scalars(select(ScreeningRunRow)).one()
        assert run.actor == "alice" and {v["list"] for v in run.list_versions} >= {"ofac-sdn", "csl"}
        rows = uow.session.scalars(select(ScreeningResultRow).where(ScreeningResultRow.run_id == run.id)).all()
        assert {r.subject for r in rows if r.status == "clear"} == {
            "Bitmain Technologies Ltd.",
            "Prairie Summit Hosting LLC",
        }
        assert any(r.list_id == "restricted-components" and r.status == "hit" for r in rows)


def test_unknown_shipment_is_not_found_and_nothing_stored(settings: Settings) -> None:
    p = run_cli("screen", "shipment", "NOPE-1")
    assert p.returncode == 2 and "NOPE-1" in p.stderr and "Traceback" not in p.stderr
    with UnitOfWork(settings) as uow:
        assert uow.session.scalars(select(ScreeningRunRow)).all() == []


def test_decision_in_database_dismisses_then_reopens(settings: Settings) -> None:
    hit = screen_name("Huawei Technologies Co., Ltd.", kind="org", settings=settings)["matches"][0]
    mark_false_positive("HUAWEI TECHNOLOGIES CO LTD", hit["list"], hit["entry_id"], "test reason", settings=settings)
    after = screen_name("Huawei Technologies Co., Ltd.", kind="org", settings=settings)
    assert hit["entry_id"] in {d["entry_id"] for d in after["dismissed"]}
    assert hit["entry_id"] not in {m["entry_id"] for m in after["matches"]}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_api_screen_applies_decisions_as_the_service_does(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    """POST /screen reads decisions on its event loop (inline on SQLite, asyncio psycopg on PostgreSQL): the
    dismissed hits, their dates included, must be the ones the service's own read gives."""
    from tests.conftest import fresh_database

    settings = fresh_database(request, kind, tmp_path)
    client = TestClient(create_app(settings))
    token, _ = create_token("viewer", settings=settings)
    auth = {"Authorization": f"Bearer {token}"}
    name = "Huawei Technologies Co., Ltd."
    before = client.post("/api/v1/screen", json={"name": name, "type": "org"}, headers=auth).json()
    hit = before["matches"][0]
    assert before["dismissed"] == []
    mark_false_positive(name, hit["list"], hit["entry_id"], "a reseller of the same name", settings=settings)
    after = client.post("/api/v1/screen", json={"name": name, "type": "org"}, headers=auth).json()
    service = screen_name(name, kind="org", settings=settings)
    assert [d["entry_id"] for d in after["dismissed"]] == [hit["entry_id"]]
    assert hit["entry_id"] not in {m["entry_id"] for m in after["matches"]}
    assert after["dismissed"] == json.loads(json.dumps(service["dismissed"], default=str))
    assert after["dismissed"][0]["review"]["decided_at"] is not None


@pytest.fixture
def api(settings: Settings) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    client = TestClient(create_app(settings))
    headers = {}
    for role in ("viewer", "operator"):
        token, _ = create_token(role, settings=settings)
        headers[role] = {"Authorization": f"Bearer {token}"}
    yield client, headers


def test_api_screen_lists_and_shipment(api: tuple[TestClient, dict[str, dict[str, str]]], settings: Settings) -> None:
    client, headers = api
    r = client.post("/api/v1/screen", json={"name": "SOPHGO TECHNOLOGIES LTD."}, headers=headers["viewer"])
    assert r.status_code == 200 and r.json()["matches"][0]["list"] == "restricted-components"
    r = client.post("/api/v1/screen", json={"name": "", "type": "robot"}, headers=headers["viewer"])
    assert r.status_code == 422
    r = client.post("/api/v1/screen", json={"name": "   "}, headers=headers["viewer"])  # checked by the service
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert "name: expected a non-empty name" in r.json()["detail"]  # the field as the API names it
    assert client.post("/api/v1/screen", json={"name": "x"}).status_code == 401
    lists = client.get("/api/v1/lists", headers=headers["viewer"]).json()
    assert {v["list"] for v in lists["lists"]} == {"ofac-sdn", "csl", "restricted-components"} and lists["warnings"]
    _shipment(settings, "SCR-API")
    assert client.post("/api/v1/shipments/SCR-API/screen", headers=headers["viewer"]).status_code == 403
    r = client.post("/api/v1/shipments/SCR-API/screen", headers=headers["operator"])
    assert r.status_code == 200 and r.json()["hits"] >= 2
    assert client.post("/api/v1/shipments/NOPE/screen", headers=headers["operator"]).status_code == 404


def test_cli_screen_shipment_json(settings: Settings) -> None:
    _shipment(settings, "SCR-CLI")
    p = run_cli("screen", "shipment", "SCR-CLI", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["shipment"] == "SCR-CLI" and d["run_id"] >= 1 and d["hits"] >= 2


def test_screen_shipment_and_decisions_on_postgresql(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    from tests.conftest import fresh_database

    settings = fresh_database(request, "postgresql", tmp_path)
    _shipment(settings, "PG-1")
    result = screen_shipment("PG-1", settings=settings)
    assert result["hits"] >= 2
    sophgo = next(s for s in result["subjects"] if s["subject"] == "SOPHGO TECHNOLOGIES LTD.")["matches"][0]
    mark_false_positive("SOPHGO TECHNOLOGIES LTD.", sophgo["list"], sophgo["entry_id"], "test", settings=settings)
    again = screen_shipment("PG-1", settings=settings)
    assert next(s for s in again["subjects"] if s["subject"] == "SOPHGO TECHNOLOGIES LTD.")["status"] == "dismissed"
    with UnitOfWork(settings) as uow:
        statuses = uow.session.scalars(select(ScreeningResultRow.status)).all()
        assert "dismissed" in statuses and "hit" in statuses


def test_list_update_rescreens_stored_parties(settings: Settings, request: pytest.FixtureRequest) -> None:
    from rigport.services.screening import update_lists

    url, _ = request.getfixturevalue("list_server")  # local HTTP server serving new list files
    draft = ShipmentDraft(
        reference="RS-1", mode="air", port="Detroit", arrival_date=dt.date(2026, 11, 1), total_units=1,
        declared_value_usd=Decimal("1000.00"),
        parties=[{"role": "seller", "name": "Newco Semiconductor Ltd", "country": "CN"}],
    )  # fmt: skip
    create_shipment(draft, "test", settings)
    result = update_lists(url=str(url), settings=settings)
    assert result["updated"] == ["ofac-sdn", "csl"]
    assert {"name": "Newco Semiconductor Ltd", "list": "csl", "entry_id": "n1"} in result["rescreen"]["new_hits"]
