"""Pallet-rate storage and corrections to parties and documents, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date as D
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rigport.entrypoints.api.app import create_app
from rigport.errors import ConflictError, InputError, NotFoundError
from rigport.services import shipments as svc
from rigport.services.assess import assess_shipment
from rigport.services.auth import create_token
from rigport.settings import Settings
from tests.helpers.records import make, walk_to_detained


def pallet_shipment(settings: Settings, ref: str = "PAL-1") -> dict[str, object]:
    draft = svc.ShipmentDraft(ref, "vessel", "Oakland", D(2025, 1, 2), 200, Decimal("680000"),
                              storage_usd_per_unit_day=Decimal("2.00"), storage_pallets=10,
                              storage_usd_per_pallet_day=Decimal("45.00"))  # fmt: skip
    return svc.create_shipment(draft, "tester", settings)


def test_pallet_rate_wins_over_the_unit_rate(settings: Settings) -> None:
    pallet_shipment(settings)
    walk_to_detained(settings, "PAL-1")  # held from 2025-01-09
    view = svc.get_shipment("PAL-1", settings, today=D(2025, 2, 8))
    assert view["storage_pallets"] == 10 and view["storage_usd_per_pallet_day"] == "45.00"
    # storage runs from arrival (2025-01-02), not from the hold: 37 days x 10 pallets x $45
    assert view["cost_of_delay"]["storage_accrued_usd"] == Decimal("16650.00")
    # no line items yet, so the cost of a day held is storage alone: the pallet charge spread over the
    # units, 10 x $45 / 200 = $2.25 per unit per day (not the $2.00 unit rate)
    assert view["cost_of_delay"]["cost_per_unit_day_usd"] == Decimal("2.25")


def test_pallet_fields_come_in_pairs(settings: Settings) -> None:
    draft = svc.ShipmentDraft("PAL-2", "air", "Oakland", D(2025, 1, 2), 10, Decimal("1000"), storage_pallets=2)
    with pytest.raises(InputError, match="give both, or neither"):
        svc.create_shipment(draft, "tester", settings)
    pallet_shipment(settings, "PAL-3")
    version = int(svc.get_shipment("PAL-3", settings)["version"])
    with pytest.raises(InputError, match="give both"):
        svc.update_shipment("PAL-3", {"storage_pallets": None}, "tester", version, settings)
    assert svc.get_shipment("PAL-3", settings)["storage_pallets"] == 10  # refused change wrote nothing
    changed = svc.update_shipment("PAL-3", {"storage_pallets": 4}, "tester", version, settings)
    assert changed["storage_pallets"] == 4 and changed["version"] == version + 1


def test_party_corrections_are_audited_and_versioned(settings: Settings) -> None:
    view = make(settings)
    party_id = int(view["parties"][0]["id"])  # type: ignore[index]
    after = svc.update_party("SFO-1", party_id, {"name": "Bitmain Technologies Limited", "country": "cn"},
                             "alice", settings)  # fmt: skip
    assert after["name"] == "Bitmain Technologies Limited" and after["country"] == "CN"
    stored = svc.get_shipment("SFO-1", settings)
    assert stored["version"] == int(view["version"]) + 1  # type: ignore[call-overload]
    with pytest.raises(ConflictError):
        svc.update_shipment("SFO-1", {"carrier": "x"}, "bob", int(view["version"]), settings)  # type: ignore[call-overload]
    entry = [a for a in svc.audit_trail("SFO-1", settings) if a["action"] == "update-party"][0]
    assert entry["before"]["name"] == "Bitmain Technologies Ltd." and entry["actor"] == "alice"
    with pytest.raises(InputError, match="role: expected one of"):
        svc.update_party("SFO-1", party_id, {"role": "smuggler"}, "alice", settings)
    with pytest.raises(NotFoundError):
        svc.update_party("SFO-1", party_id + 999, {"name": "x"}, "alice", settings)
    svc.remove_party("SFO-1", party_id, "alice", settings)
    assert svc.get_shipment("SFO-1", settings)["parties"] == []


def test_correcting_a_test_report_lab_changes_the_risk(settings: Settings) -> None:
    make(settings)
    doc = svc.add_document("SFO-1", "test_report", "alice", lab_name="Example EMC Lab (US)", settings=settings)
    assert "weak_test_report" not in {f["code"] for f in assess_shipment("SFO-1", settings)["factors"]}
    svc.update_document("SFO-1", int(doc["id"]), {"lab_name": "UL-CCIC (Suzhou) Co., Ltd."}, "alice", settings)
    assert "weak_test_report" in {f["code"] for f in assess_shipment("SFO-1", settings)["factors"]}
    svc.remove_document("SFO-1", int(doc["id"]), "alice", settings)
    assert svc.get_shipment("SFO-1", settings)["documents"] == []
    actions = [a["action"] for a in svc.audit_trail("SFO-1", settings)]
    assert actions[-3:] == ["add-document", "update-document", "remove-document"]


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
