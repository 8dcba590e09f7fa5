"""Pallet-rate storage and corrections to parties and documents, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date as D
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

from rigport.entrypoints.api.app import create_app
from rigport.services import shipments as svc
from rigport.services.auth import create_token
from rigport.settings import Settings
from tests.helpers.records import make


def pallet_shipment(settings: Settings, ref: str = "PAL-1") -> dict[str, object]:
    draft = svc.ShipmentDraft(ref, "vessel", "Oakland", D(2025, 1, 2), 200, Decimal("680000"),
                              storage_usd_per_unit_day=Decimal("2.00"), storage_pallets=10,
                              storage_usd_per_pallet_day=Decimal("45.00"))  # fmt: skip
    return svc.create_shipment(draft, "tester", settings)


def test_record_routes(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    client = TestClient(create_app(settings))
    op = {"Authorization": f"Bearer {create_token('operator', settings=settings)[0]}"}
    viewer = {"Authorization": f"Bearer {create_token('viewer', settings=settings)[0]}"}
    make(settings)
    party = client.post("/api/v1/shipments/SFO-1/parties", headers=op,
                        json={"role": "seller", "name": "Acme Trading", "country": "HK"})  # fmt: skip
    assert party.status_code == 201
    pid = party.json()["id"]
    assert client.patch(f"/api/v1/shipments/SFO-1/parties/{pid}", headers=viewer, json={"name": "x"}).status_code == 403
    patched = client.patch(f"/api/v1/shipments/SFO-1/parties/{pid}", headers=op, json={"name": "Acme Trading Ltd"})
    assert patched.status_code == 200 and patched.json()["name"] == "Acme Trading Ltd"
    bad = client.patch(f"/api/v1/shipments/SFO-1/parties/{pid}", headers=op, json={"role": "pirate"})
    assert bad.status_code == 422 and "role" in bad.json()["detail"]
    assert client.delete(f"/api/v1/shipments/SFO-1/parties/{pid}", headers=op).status_code == 204
    missing = client.delete(f"/api/v1/shipments/SFO-1/parties/{pid}", headers=op)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    doc = client.post("/api/v1/shipments/SFO-1/documents", headers=op, json={"kind": "fcc_sdoc"}).json()
    fixed = client.patch(f"/api/v1/shipments/SFO-1/documents/{doc['id']}", headers=op, json={"date": "2025-01-05"})
    assert fixed.status_code == 200 and fixed.json()["date"] == "2025-01-05"
    shipment = client.get("/api/v1/shipments/SFO-1", headers=viewer).json()
    assert shipment["documents"][0]["date"] == "2025-01-05"
