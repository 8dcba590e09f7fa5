"""The system of record on SQLite and PostgreSQL: lifecycle, invariants, audit, optimistic locking."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from rigport.adapters.db.uow import UnitOfWork
from rigport.errors import ConflictError, InputError, NotFoundError
from rigport.services import shipments as svc
from rigport.settings import Settings
from tests.helpers.records import make, walk_to_detained

D = dt.date


def test_create_starts_arrival_clocks(settings: Settings) -> None:
    view = make(settings)
    assert view["state"] == "ARRIVED" and view["quantities"] == {"ARRIVED": 100}
    clocks = {c["clock"]: c for c in view["clocks"]}  # type: ignore[attr-defined]
    assert clocks["entry_due"]["due"] == "2025-01-17"


def test_partial_release_then_seizure_keeps_quantities(settings: Settings) -> None:
    make(settings)
    walk_to_detained(settings)
    view = svc.record_event("SFO-1", "release", D(2025, 2, 10), "tester", quantity=30, settings=settings)
    assert view["quantities"] == {"DETAINED": 70, "RELEASED": 30}
    view = svc.record_event("SFO-1", "seizure-notice-mailed", D(2025, 2, 20), "tester", settings=settings)
    assert view["quantities"] == {"RELEASED": 30, "SEIZED": 70}
    assert sum(view["quantities"].values()) == 100
    clocks = {c["clock"]: c for c in view["clocks"]}
    assert clocks["petition_for_relief"]["due"] == "2025-03-22"
    assert "detention_notice" not in clocks  # no units are detained any more
    assert view["cost_of_delay"]["held_units"] == 70
    assert view["cost_of_delay"]["cost_per_day_usd"] > 0


def test_refused_event_changes_nothing(settings: Settings) -> None:
    make(settings)
    before = svc.get_shipment("SFO-1", settings)
    with pytest.raises(ConflictError, match="not allowed from the current state.*ARRIVED"):
        svc.record_event("SFO-1", "release", D(2025, 1, 5), "tester", settings=settings)
    with pytest.raises(InputError, match="quantity"):
        svc.record_event("SFO-1", "entry-filed", D(2025, 1, 5), "tester", quantity=101, settings=settings)
    after = svc.get_shipment("SFO-1", settings)
    assert after["version"] == before["version"]
    assert after["events"] == before["events"] and after["quantities"] == before["quantities"]
    assert len(svc.audit_trail("SFO-1", settings)) == 1


def test_every_change_is_audited_with_before_and_after(settings: Settings) -> None:
    make(settings)
    walk_to_detained(settings)
    trail = svc.audit_trail("SFO-1", settings)
    assert [a["action"] for a in trail] == ["create", "event:entry-filed", "event:exam-presented", "event:detention"]
    assert trail[-1]["before"]["quantities"] == {"EXAM_PRESENTED": 100}
    assert trail[-1]["after"]["quantities"] == {"DETAINED": 100}
    assert all(a["actor"] == "tester" for a in trail)


def test_stale_version_is_a_conflict(settings: Settings) -> None:
    view = make(settings)
    svc.update_shipment("SFO-1", {"entry_number": "ABC-123"}, "a", expected_version=view["version"],
                        settings=settings)  # fmt: skip
    with pytest.raises(ConflictError, match="version"):
        svc.update_shipment("SFO-1", {"entry_number": "XYZ"}, "b", expected_version=view["version"], settings=settings)
    assert svc.get_shipment("SFO-1", settings)["entry_number"] == "ABC-123"


def test_duplicate_reference_and_unknown_shipment(settings: Settings) -> None:
    make(settings)
    with pytest.raises(ConflictError, match="already exists"):
        make(settings)
    with pytest.raises(NotFoundError):
        svc.get_shipment("NOPE", settings)


def test_list_filters(settings: Settings) -> None:
    make(settings, "A")
    make(settings, "B")
    walk_to_detained(settings, "B")
    assert [r["reference"] for r in svc.list_shipments(state="DETAINED", settings=settings)] == ["B"]
    assert len(svc.list_shipments(port="san francisco", settings=settings)) == 2
    soon = svc.list_shipments(due_within_days=7, settings=settings, today=D(2025, 1, 10))
    assert {r["reference"] for r in soon} == {"A", "B"}
    assert [r["reference"] for r in svc.list_shipments(due_within_days=6, settings=settings, today=D(2025, 1, 10))] == [
        "B"
    ]
    with pytest.raises(InputError, match="state"):
        svc.list_shipments(state="LOST", settings=settings)


def test_fcc_hold_flags_every_151_16_clock_and_raises_no_overdue(settings: Settings) -> None:
    """19 CFR 151.16(a) (other agencies' detentions): the decision, notice and deemed-exclusion clocks of a
    shipment held for the FCC may not apply, so none is reported overdue even when its date has passed."""
    make(settings, other_agency=True)
    walk_to_detained(settings)
    clocks = {c["clock"]: c for c in svc.get_shipment("SFO-1", settings, today=D(2025, 6, 1))["clocks"]}
    assert clocks["deemed_exclusion"]["may_not_apply"] is True
    assert clocks["detention_notice"]["may_not_apply"] is True
    assert clocks["detention_notice"]["days_left"] < 0 and clocks["detention_notice"]["overdue"] is False
    assert "151.16(a)" in clocks["detention_notice"]["may_not_apply_reason"]
    svc.update_shipment("SFO-1", {"other_agency_hold": False}, "tester", settings=settings)
    plain = {c["clock"]: c for c in svc.get_shipment("SFO-1", settings, today=D(2025, 6, 1))["clocks"]}
    assert plain["detention_notice"]["overdue"] is True and plain["detention_notice"]["may_not_apply_reason"] is None


def test_unit_of_work_rolls_back_without_commit(settings: Settings) -> None:
    make(settings)
    with UnitOfWork(settings) as uow:
        row = uow.shipments.get("SFO-1")
        assert row is not None
        row.entry_number = "NOT-SAVED"
    assert svc.get_shipment("SFO-1", settings)["entry_number"] == ""


def test_cli_update_sets_other_agency_hold(settings: Settings) -> None:
    """`rigport shipments update REF --other-agency-hold`: the flag is stored and the 19 CFR 151.16 clocks change."""
    from tests.helpers import run_cli

    make(settings)
    env = {"RIGPORT_DATA_DIR": str(settings.data_dir), "RIGPORT_DATABASE_URL": settings.database_url or ""}
    done = run_cli("shipments", "update", "SFO-1", "--other-agency-hold", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["other_agency_hold"] is True
    assert svc.get_shipment("SFO-1", settings)["other_agency_hold"] is True
    nothing = run_cli("shipments", "update", "SFO-1", env=env)
    assert nothing.returncode == 2 and "nothing to change" in nothing.stderr
