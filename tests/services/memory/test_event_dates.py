"""Issue #25: a future or out-of-order event date is refused by the service and nothing is written (in memory;
the CLI and API answers stay in tests/services/test_event_dates.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.errors import InputError
from rigport.services import shipments as svc
from rigport.settings import Settings
from tests.helpers.records import make, walk_to_detained

D = dt.date


NOW = dt.datetime(2025, 3, 1, 6, 0, tzinfo=dt.UTC)  # 22:00 on 2025-02-28 in San Francisco


def state(uow: MemoryUnitOfWork, ref: str = "SFO-1") -> tuple[object, ...]:
    view = svc.get_shipment(ref, uow=uow)
    return view["version"], view["quantities"], view["events"], len(svc.audit_trail(ref, uow=uow))


def test_future_date_refused_and_nothing_written(settings: Settings, uow: MemoryUnitOfWork) -> None:
    make(settings, uow=uow)
    walk_to_detained(settings, uow=uow)
    before = state(uow)
    with pytest.raises(InputError, match=r"^date: 2025-03-02 is in the future.*2025-03-01"):
        svc.record_event("SFO-1", "release", D(2025, 3, 2), "t", quantity=10, uow=uow, now=NOW)
    with pytest.raises(InputError, match=r"^date: 2031-01-01 is in the future"):
        svc.record_event("SFO-1", "release", D(2031, 1, 1), "t", uow=uow)
    assert state(uow) == before
    # the port's today plus one day is allowed
    view = svc.record_event("SFO-1", "release", D(2025, 3, 1), "t", quantity=10, uow=uow, now=NOW)
    assert view["quantities"] == {"DETAINED": 90, "RELEASED": 10}


def test_date_before_the_event_it_follows_refused(settings: Settings, uow: MemoryUnitOfWork) -> None:
    make(settings, uow=uow)
    walk_to_detained(settings, uow=uow)  # detention on 2025-01-09
    before = state(uow)
    with pytest.raises(InputError, match=r"^date: 2025-01-07 is before 2025-01-09, when the units in DETAINED"):
        svc.record_event("SFO-1", "seizure-notice-mailed", D(2025, 1, 7), "t", uow=uow)
    assert state(uow) == before
    # a clock-only event is followed too: the forfeiture comes after its notice
    svc.record_event("SFO-1", "seizure-notice-mailed", D(2025, 1, 20), "t", uow=uow)
    svc.record_event("SFO-1", "forfeiture-notice-published", D(2025, 2, 10), "t", uow=uow)
    with pytest.raises(InputError, match="forfeiture-notice-published"):
        svc.record_event("SFO-1", "forfeiture", D(2025, 2, 1), "t", uow=uow)
