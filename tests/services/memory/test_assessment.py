"""The hold assessment of a stored shipment and of a draft over the in-memory unit of work (services.assess):
prior holds from the store, the units a hold could still catch, what a hold would cost to the cent.

No party or chip supplier is named here, so nothing is screened (the lists' index is slow to build and is
tested in tests/screening/)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.adapters.db.scope import Scope
from rigport.domain.customs.model import LineItem
from rigport.errors import InputError, NotFoundError
from rigport.services import assess, clients
from rigport.services import shipments as svc
from rigport.settings import Settings
from tests.services.memory.books import shipment, small_book


def _prior(result: dict[str, Any]) -> str | None:
    return next((f["detail"] for f in result["factors"] if f["code"] == "prior_holds"), None)


def test_a_shipment_not_yet_held_with_prior_holds_at_its_port(uow: MemoryUnitOfWork) -> None:
    small_book(uow)
    result = assess.assess_shipment("A-2", uow=uow)
    assert _prior(result) == "2 of 2 comparable shipments held"  # A-1 and B-1, both detained at Detroit
    assert (result["units_not_yet_held"], result["units_held"], result["total_units"]) == (5, 0, 5)
    # 60 days held x $2.00 storage a day (5 units x $0.40) + $5,000 petition + the $250 minimum bond
    assert result["cost_if_held_usd"] == Decimal("5370.00")
    assert result["expected_hold_cost_usd"] == (Decimal("5370") * Decimal(str(result["probability"]))).quantize(
        Decimal("0.01"))  # fmt: skip
    assert result["observed_hold_rate"] is None  # fewer than 5 comparable shipments: no observed rate


def test_a_partly_held_shipment_is_assessed_for_the_units_still_at_the_port(uow: MemoryUnitOfWork) -> None:
    small_book(uow)
    result = assess.assess_shipment("a-1", uow=uow)  # its canonical form finds it
    assert _prior(result) == "1 of 2 comparable shipments held"  # B-1 held, A-2 not; A-1 itself left out
    assert (result["shipment"], result["units_not_yet_held"], result["units_held"]) == ("a-1", 6, 4)
    # 60 x (6 x $1.25) + $5,000 + bond of 10% of the 6 units' $20,400
    assert result["cost_if_held_usd"] == Decimal("7490.00")
    held = assess.assess_shipment("B-1", uow=uow)
    assert (held["units_not_yet_held"], held["cost_if_held_usd"], held["expected_hold_cost_usd"]) == (
        0, Decimal("0.00"), Decimal("0.00"))  # nothing left that a hold could catch  # fmt: skip


def test_a_voided_hold_and_another_port_are_not_prior_holds(uow: MemoryUnitOfWork) -> None:
    small_book(uow)
    shipment(uow, "C-1", "Bravo", 3, "300", "0", held=3, port="Chicago")
    detention = next(e for e in svc.get_shipment("B-1", uow=uow)["events"] if e["event"] == "detention")
    svc.void_event("B-1", detention["id"], "recorded on the wrong shipment", "tester", uow=uow)
    assert _prior(assess.assess_shipment("A-2", uow=uow)) == "1 of 2 comparable shipments held"


def test_a_scoped_identity_counts_its_own_clients_holds(settings: Settings, uow: MemoryUnitOfWork) -> None:
    small_book(uow)
    alpha = clients.show_client("Alpha", uow=uow)["id"]
    scoped = MemoryUnitOfWork(settings, uow.store, scope=Scope.of([alpha]))
    assert _prior(assess.assess_shipment("A-2", uow=scoped)) == "1 of 1 comparable shipments held"  # A-1 only
    with pytest.raises(NotFoundError, match="shipment 'B-1' not found"):
        assess.assess_shipment("B-1", uow=scoped)


def test_a_draft_reads_prior_holds_from_the_store_and_writes_nothing(uow: MemoryUnitOfWork) -> None:
    small_book(uow)
    line = LineItem(line_no=1, quantity=5, unit_value_usd=Decimal("200"), hts_code="8471.50.0150", origin="cn",
                    description="S21 miner")  # fmt: skip
    draft = assess.AssessmentDraft(reference="DRAFT-1", items=[line], port="detroit",
                                   storage_usd_per_unit_day=Decimal("1.00"))  # fmt: skip
    result = assess.assess_draft(draft, uow=uow)
    assert _prior(result) == "2 of 3 comparable shipments held"  # the port in any case
    # 60 x (5 x $1.00) + $5,000 + the $250 minimum bond
    assert (result["shipment"], result["units_not_yet_held"], result["cost_if_held_usd"]) == (
        "DRAFT-1", 5, Decimal("5550.00"))  # fmt: skip
    assert {r["reference"] for r in svc.list_shipments(uow=uow)} == {"A-1", "A-2", "B-1"}
    with pytest.raises(InputError, match=r"line_items\[0\].origin: expected an ISO 3166 two-letter code"):
        assess.assess_draft(assess.AssessmentDraft(reference="D-2", items=[LineItem(
            line_no=1, quantity=1, unit_value_usd=Decimal(1), hts_code="8471.50.0150", origin="XX",
            description="miner")]), uow=uow)  # fmt: skip


def test_an_unknown_shipment(uow: MemoryUnitOfWork) -> None:
    with pytest.raises(NotFoundError, match="shipment 'NOPE' not found"):
        assess.assess_shipment("NOPE", uow=uow)


def test_correcting_a_test_report_lab_changes_the_risk(uow: MemoryUnitOfWork) -> None:
    """Moved from tests/services/test_records_and_pallets.py (it ran on SQLite and PostgreSQL), on a shipment
    without parties (nothing to screen: a lab is judged from the withdrawn-labs list of the risk weights)."""
    shipment(uow, "SFO-1", None, 100, "340000", "2.00", held=None)
    doc = svc.add_document("SFO-1", "test_report", "alice", lab_name="Example EMC Lab (US)", uow=uow)
    assert "weak_test_report" not in {f["code"] for f in assess.assess_shipment("SFO-1", uow=uow)["factors"]}
    svc.update_document("SFO-1", int(doc["id"]), {"lab_name": "UL-CCIC (Suzhou) Co., Ltd."}, "alice", uow=uow)
    assert "weak_test_report" in {f["code"] for f in assess.assess_shipment("SFO-1", uow=uow)["factors"]}
    svc.remove_document("SFO-1", int(doc["id"]), "alice", uow=uow)
    assert svc.get_shipment("SFO-1", uow=uow)["documents"] == []
    actions = [a["action"] for a in svc.audit_trail("SFO-1", uow=uow)]
    assert actions[-3:] == ["add-document", "update-document", "remove-document"]
