"""The system of record's use cases over the in-memory unit of work: lifecycle, invariants, audit, versions.

Moved from tests/services/ (they ran on SQLite and PostgreSQL); the repositories' agreement is
tests/adapters/db/test_repository_contract.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.errors import ConflictError, InputError, NotFoundError
from rigport.services import shipments as svc
from rigport.settings import Settings
from tests.helpers.records import make, walk_to_detained

D = dt.date


def test_create_starts_arrival_clocks(settings: Settings, uow: MemoryUnitOfWork) -> None:
    view = make(settings, uow=uow)
    assert view["state"] == "ARRIVED" and view["quantities"] == {"ARRIVED": 100}
    clocks = {c["clock"]: c for c in view["clocks"]}  # type: ignore[attr-defined]
    assert clocks["entry_due"]["due"] == "2025-01-17"


def test_partial_release_then_seizure_keeps_quantities(settings: Settings, uow: MemoryUnitOfWork) -> None:
    make(settings, uow=uow)
    walk_to_detained(settings, uow=uow)
    view = svc.record_event("SFO-1", "release", D(2025, 2, 10), "tester", quantity=30, uow=uow)
    assert view["quantities"] == {"DETAINED": 70, "RELEASED": 30}
    view = svc.record_event("SFO-1", "seizure-notice-mailed", D(2025, 2, 20), "tester", uow=uow)
    assert view["quantities"] == {"RELEASED": 30, "SEIZED": 70}
    assert sum(view["quantities"].values()) == 100
    clocks = {c["clock"]: c for c in view["clocks"]}
    assert clocks["petition_for_relief"]["due"] == "2025-03-22"
    assert "detention_notice" not in clocks  # no units are detained any more
    assert view["cost_of_delay"]["held_units"] == 70
    assert view["cost_of_delay"]["cost_per_day_usd"] > 0


def test_refused_event_changes_nothing(settings: Settings, uow: MemoryUnitOfWork) -> None:
    make(settings, uow=uow)
    before = svc.get_shipment("SFO-1", uow=uow)
    with pytest.raises(ConflictError, match="not allowed from the current state.*ARRIVED"):
        svc.record_event("SFO-1", "release", D(2025, 1, 5), "tester", uow=uow)
    with pytest.raises(InputError, match="quantity"):
        svc.record_event("SFO-1", "entry-filed", D(2025, 1, 5), "tester", quantity=101, uow=uow)
    after = svc.get_shipment("SFO-1", uow=uow)
    assert after["version"] == before["version"]
    assert after["events"] == before["events"] and after["quantities"] == before["quantities"]
    assert len(svc.audit_trail("SFO-1", uow=uow)) == 1


def test_every_change_is_audited_with_before_and_after(settings: Settings, uow: MemoryUnitOfWork) -> None:
    make(settings, uow=uow)
    walk_to_detained(settings, uow=uow)
    trail = svc.audit_trail("SFO-1", uow=uow)
    assert [a["action"] for a in trail] == ["create", "event:entry-filed", "event:exam-presented", "event:detention"]
    assert trail[-1]["before"]["quantities"] == {"EXAM_PRESENTED": 100}
    assert trail[-1]["after"]["quantities"] == {"DETAINED": 100}
    assert all(a["actor"] == "tester" for a in trail)


def test_stale_version_is_a_conflict(settings: Settings, uow: MemoryUnitOfWork) -> None:
    view = make(settings, uow=uow)
    svc.update_shipment("SFO-1", {"entry_number": "ABC-123"}, "a", expected_version=view["version"],
                        uow=uow)  # fmt: skip
    with pytest.raises(ConflictError, match="version"):
        svc.update_shipment("SFO-1", {"entry_number": "XYZ"}, "b", expected_version=view["version"], uow=uow)
    assert svc.get_shipment("SFO-1", uow=uow)["entry_number"] == "ABC-123"


def test_duplicate_reference_and_unknown_shipment(settings: Settings, uow: MemoryUnitOfWork) -> None:
    make(settings, uow=uow)
    with pytest.raises(ConflictError, match="already exists"):
        make(settings, uow=uow)
    with pytest.raises(NotFoundError):
        svc.get_shipment("NOPE", uow=uow)


def test_list_filters(settings: Settings, uow: MemoryUnitOfWork) -> None:
    make(settings, "A", uow=uow)
    make(settings, "B", uow=uow)
    walk_to_detained(settings, "B", uow=uow)
    assert [r["reference"] for r in svc.list_shipments(state="DETAINED", uow=uow)] == ["B"]
    assert len(svc.list_shipments(port="san francisco", uow=uow)) == 2
    soon = svc.list_shipments(due_within_days=7, uow=uow, today=D(2025, 1, 10))
    assert {r["reference"] for r in soon} == {"A", "B"}
    assert [r["reference"] for r in svc.list_shipments(due_within_days=6, uow=uow, today=D(2025, 1, 10))] == [
        "B"
    ]
    with pytest.raises(InputError, match="state"):
        svc.list_shipments(state="LOST", uow=uow)


def test_fcc_hold_flags_every_151_16_clock_and_raises_no_overdue(settings: Settings, uow: MemoryUnitOfWork) -> None:
    """19 CFR 151.16(a) (other agencies' detentions): the decision, notice and deemed-exclusion clocks of a
    shipment held for the FCC may not apply, so none is reported overdue even when its date has passed."""
    make(settings, other_agency=True, uow=uow)
    walk_to_detained(settings, uow=uow)
    clocks = {c["clock"]: c for c in svc.get_shipment("SFO-1", uow=uow, today=D(2025, 6, 1))["clocks"]}
    assert clocks["deemed_exclusion"]["may_not_apply"] is True
    assert clocks["detention_notice"]["may_not_apply"] is True
    assert clocks["detention_notice"]["days_left"] < 0 and clocks["detention_notice"]["overdue"] is False
    assert "151.16(a)" in clocks["detention_notice"]["may_not_apply_reason"]
    svc.update_shipment("SFO-1", {"other_agency_hold": False}, "tester", uow=uow)
    plain = {c["clock"]: c for c in svc.get_shipment("SFO-1", uow=uow, today=D(2025, 6, 1))["clocks"]}
    assert plain["detention_notice"]["overdue"] is True and plain["detention_notice"]["may_not_apply_reason"] is None
