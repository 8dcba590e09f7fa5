"""Pallet-rate storage and corrections to parties, in memory (the risk after a document correction and the
API routes stay in tests/services/test_records_and_pallets.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.errors import ConflictError, InputError, NotFoundError
from rigport.services import shipments as svc
from rigport.settings import Settings
from tests.helpers.records import make, walk_to_detained

D = dt.date


def pallet_shipment(uow: MemoryUnitOfWork, ref: str = "PAL-1") -> dict[str, object]:
    draft = svc.ShipmentDraft(ref, "vessel", "Oakland", D(2025, 1, 2), 200, Decimal("680000"),
                              storage_usd_per_unit_day=Decimal("2.00"), storage_pallets=10,
                              storage_usd_per_pallet_day=Decimal("45.00"))  # fmt: skip
    return svc.create_shipment(draft, "tester", uow=uow)


def test_pallet_rate_wins_over_the_unit_rate(settings: Settings, uow: MemoryUnitOfWork) -> None:
    pallet_shipment(uow)
    walk_to_detained(settings, "PAL-1", uow=uow)  # held from 2025-01-09
    view = svc.get_shipment("PAL-1", uow=uow, today=D(2025, 2, 8))
    assert view["storage_pallets"] == 10 and view["storage_usd_per_pallet_day"] == "45.00"
    # storage runs from arrival (2025-01-02), not from the hold: 37 days x 10 pallets x $45
    assert view["cost_of_delay"]["storage_accrued_usd"] == Decimal("16650.00")
    # no line items yet, so the cost of a day held is storage alone: the pallet charge spread over the
    # units, 10 x $45 / 200 = $2.25 per unit per day (not the $2.00 unit rate)
    assert view["cost_of_delay"]["cost_per_unit_day_usd"] == Decimal("2.25")


def test_pallet_fields_come_in_pairs(settings: Settings, uow: MemoryUnitOfWork) -> None:
    draft = svc.ShipmentDraft("PAL-2", "air", "Oakland", D(2025, 1, 2), 10, Decimal("1000"), storage_pallets=2)
    with pytest.raises(InputError, match="give both, or neither"):
        svc.create_shipment(draft, "tester", uow=uow)
    pallet_shipment(uow, "PAL-3")
    version = int(svc.get_shipment("PAL-3", uow=uow)["version"])
    with pytest.raises(InputError, match="give both"):
        svc.update_shipment("PAL-3", {"storage_pallets": None}, "tester", version, uow=uow)
    assert svc.get_shipment("PAL-3", uow=uow)["storage_pallets"] == 10  # refused change wrote nothing
    changed = svc.update_shipment("PAL-3", {"storage_pallets": 4}, "tester", version, uow=uow)
    assert changed["storage_pallets"] == 4 and changed["version"] == version + 1


def test_party_corrections_are_audited_and_versioned(settings: Settings, uow: MemoryUnitOfWork) -> None:
    view = make(settings, uow=uow)
    party_id = int(view["parties"][0]["id"])  # type: ignore[index]
    after = svc.update_party("SFO-1", party_id, {"name": "Bitmain Technologies Limited", "country": "cn"},
                             "alice", uow=uow)  # fmt: skip
    assert after["name"] == "Bitmain Technologies Limited" and after["country"] == "CN"
    stored = svc.get_shipment("SFO-1", uow=uow)
    assert stored["version"] == int(view["version"]) + 1  # type: ignore[call-overload]
    with pytest.raises(ConflictError):
        svc.update_shipment("SFO-1", {"carrier": "x"}, "bob", int(view["version"]), uow=uow)  # type: ignore[call-overload]
    entry = [a for a in svc.audit_trail("SFO-1", uow=uow) if a["action"] == "update-party"][0]
    assert entry["before"]["name"] == "Bitmain Technologies Ltd." and entry["actor"] == "alice"
    with pytest.raises(InputError, match="role: expected one of"):
        svc.update_party("SFO-1", party_id, {"role": "smuggler"}, "alice", uow=uow)
    with pytest.raises(NotFoundError):
        svc.update_party("SFO-1", party_id + 999, {"name": "x"}, "alice", uow=uow)
    svc.remove_party("SFO-1", party_id, "alice", uow=uow)
    assert svc.get_shipment("SFO-1", uow=uow)["parties"] == []
