"""Issue #25: voiding an event recomputes the shipment from the remaining events and refuses a void a later
event depends on (in memory; costs against the portfolio, the CLI and the API stay in tests/services/)."""

from __future__ import annotations

import datetime as dt

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.errors import ConflictError, InputError, NotFoundError
from rigport.services import shipments as svc
from rigport.settings import Settings
from tests.helpers.records import make, walk_to_detained

D = dt.date


def event_id(view: dict[str, object], name: str) -> int:
    return next(int(e["id"]) for e in view["events"] if e["event"] == name and not e["voided"])  # type: ignore[attr-defined,index]


def snapshot(uow: MemoryUnitOfWork, ref: str = "SFO-1") -> tuple[object, ...]:
    view = svc.get_shipment(ref, uow=uow)
    return view["version"], view["quantities"], view["events"], len(svc.audit_trail(ref, uow=uow))


def test_void_a_later_event_depends_on_is_refused_and_nothing_changes(
    settings: Settings, uow: MemoryUnitOfWork
) -> None:
    make(settings, uow=uow)
    walk_to_detained(settings, uow=uow)
    view = svc.record_event("SFO-1", "seizure-notice-mailed", D(2025, 1, 20), "t", uow=uow)
    before = snapshot(uow)
    with pytest.raises(ConflictError, match=r"cannot be voided: event \d+ \(seizure-notice-mailed on 2025-01-20"):
        svc.void_event("SFO-1", event_id(view, "detention"), "wrong date", "t", uow=uow)
    assert snapshot(uow) == before
    with pytest.raises(InputError, match="^reason"):
        svc.void_event("SFO-1", event_id(view, "seizure-notice-mailed"), "  ", "t", uow=uow)
    with pytest.raises(NotFoundError, match="event 999999"):
        svc.void_event("SFO-1", 999_999, "x", "t", uow=uow)
    arrival = next(int(e["id"]) for e in view["events"] if e["event"] == "arrival")
    with pytest.raises(ConflictError, match="arrival"):
        svc.void_event("SFO-1", arrival, "x", "t", uow=uow)
    assert snapshot(uow) == before
    # the last event first, then the one before it: each void is allowed in turn
    assert "petition_for_relief" in {c["clock"] for c in view["clocks"]}
    unseized = svc.void_event("SFO-1", event_id(view, "seizure-notice-mailed"), "not mailed yet", "t",
                              uow=uow)  # fmt: skip
    clocks = {c["clock"] for c in unseized["clocks"]}
    assert "petition_for_relief" not in clocks and "detention_notice" in clocks  # clocks recomputed
    with pytest.raises(ConflictError, match="already voided"):
        svc.void_event("SFO-1", event_id(view, "seizure-notice-mailed"), "again", "t", uow=uow)
    after = svc.void_event("SFO-1", event_id(view, "detention"), "never detained", "t", uow=uow)
    assert after["quantities"] == {"EXAM_PRESENTED": 100}
    assert after["cost_of_delay"]["held_unit_days"] == 0 and after["cost_of_delay"]["cost_to_date_usd"] == (
        after["cost_of_delay"]["storage_accrued_usd"])


def test_a_new_event_follows_the_remaining_history(settings: Settings, uow: MemoryUnitOfWork) -> None:
    """After a void, the dates are checked against what is left: a re-dated detention is accepted."""
    make(settings, uow=uow)
    walk_to_detained(settings, uow=uow)
    view = svc.get_shipment("SFO-1", uow=uow)
    svc.void_event("SFO-1", event_id(view, "detention"), "detained on the 12th, not the 9th", "t", uow=uow)
    view = svc.record_event("SFO-1", "detention", D(2025, 1, 12), "t", uow=uow)
    assert view["cost_of_delay"]["hold_started_on"] == D(2025, 1, 12)
