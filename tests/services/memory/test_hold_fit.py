"""Hold length and probability fitted to the recorded holds (services.simulation.fit_holds) over the in-memory
unit of work. Moved from tests/simulate/test_fit_holds_and_png.py, which keeps the fallback on a seeded
database, the run with fitted holds and the CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.services import shipments
from rigport.services.simulation import fit_holds, resolve_hold

ARRIVED = dt.date(2025, 1, 6)
HOLD_LENGTHS = (10, 20, 30, 40, 50, 60)  # detention -> release, days: mean 35


def _shipment(uow: MemoryUnitOfWork, reference: str, events: list[tuple[str, int, int | None]]) -> None:
    draft = shipments.ShipmentDraft(reference=reference, mode="vessel", port="Detroit", arrival_date=ARRIVED,
                                    total_units=10, declared_value_usd=Decimal("34000"))  # fmt: skip
    shipments.create_shipment(draft, "test", uow=uow)
    for event, day, quantity in events:
        shipments.record_event(reference, event, ARRIVED + dt.timedelta(days=day), "test", quantity=quantity,
                               uow=uow)  # fmt: skip


def _record(uow: MemoryUnitOfWork) -> None:
    """Six completed holds, one still detained, two released without a hold, one not decided yet."""
    for n, length in enumerate(HOLD_LENGTHS):
        _shipment(uow, f"HELD-{n}", [("entry-filed", 1, None), ("exam-presented", 2, None),
                                     ("detention", 5, None), ("release", 5 + length - 4, 4),
                                     ("release", 5 + length, None)])  # fmt: skip
    _shipment(uow, "OPEN", [("entry-filed", 1, None), ("exam-presented", 2, None), ("detention", 5, None)])
    _shipment(uow, "CLEAN-1", [("entry-filed", 1, None), ("release", 3, None)])
    _shipment(uow, "CLEAN-2", [("entry-filed", 1, None), ("exam-presented", 2, None), ("release", 4, None)])
    _shipment(uow, "WAITING", [("entry-filed", 1, None)])


def test_fit_from_recorded_holds(uow: MemoryUnitOfWork) -> None:
    _record(uow)
    fit = fit_holds(uow=uow)
    assert fit["fitted"] is True and fit["completed_holds"] == 6 and fit["open_holds"] == 1
    assert fit["observed_hold_days_mean"] == 35.0  # last release - detention, averaged
    assert (fit["held_shipments"], fit["decided_shipments"]) == (7, 9)  # WAITING has no customs decision yet
    assert fit["observed_hold_probability"] == pytest.approx(7 / 9, abs=1e-4)
    hold = resolve_hold(None, None, True, uow=uow)
    assert hold["days_mean"] == 35.0 and hold["probability"] == pytest.approx(0.7778)
    assert hold["source"] == {"probability": "fitted", "days_mean": "fitted"}
    given = resolve_hold(0.1, None, True, uow=uow)  # a value given explicitly wins over the fit
    assert given["probability"] == 0.1 and given["days_mean"] == 35.0


def test_an_empty_record_falls_back(uow: MemoryUnitOfWork) -> None:
    fit = fit_holds(uow=uow, min_holds=1)
    assert (fit["fitted"], fit["completed_holds"], fit["decided_shipments"]) == (False, 0, 0)
    assert "only 0 completed holds recorded, 1 needed" in fit["note"]
