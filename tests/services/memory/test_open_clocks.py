"""Every open clock of the book over the in-memory unit of work (services.deadlines): what reminders and
calendars say, with the units each clock governs and the value they carry, from the store's clock data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.services import deadlines
from rigport.services import shipments as svc
from tests.services.memory.books import TODAY, D, small_book


def _clocks(
    uow: MemoryUnitOfWork, today: dt.date, within_days: int | None = None
) -> list[tuple[str, str, str, int, Decimal, bool]]:
    return [(c.shipment, c.clock, c.due.isoformat(), c.units, c.value_at_stake_usd, c.overdue)
            for c in deadlines.open_clocks_now(today=today, within_days=within_days, uow=uow)]  # fmt: skip


def test_open_clocks_with_the_units_and_value_they_govern(uow: MemoryUnitOfWork) -> None:
    small_book(uow)
    assert _clocks(uow, TODAY) == [
        ("A-1", "release_or_detain_decision", "2025-01-13", 6, Decimal("20400.00"), False),  # 6 still at exam
        ("A-1", "detention_notice", "2025-01-16", 4, Decimal("13600.00"), False),
        ("B-1", "detention_notice", "2025-01-16", 20, Decimal("100000.00"), False),
        ("A-2", "entry_due", "2025-01-17", 5, Decimal("1000.00"), False),
        ("A-2", "general_order_warehouse", "2025-01-18", 5, Decimal("1000.00"), False),
        ("A-1", "deemed_exclusion", "2025-02-05", 10, Decimal("34000.00"), False),  # 30 days after presentation
        ("B-1", "deemed_exclusion", "2025-02-05", 20, Decimal("100000.00"), False),
    ]
    assert [c[:2] for c in _clocks(uow, TODAY, within_days=4)] == [
        ("A-1", "release_or_detain_decision"), ("A-1", "detention_notice"), ("B-1", "detention_notice")]
    assert [(c[0], c[1]) for c in _clocks(uow, D(2025, 1, 17)) if c[5]] == [
        ("A-1", "release_or_detain_decision"), ("A-1", "detention_notice"), ("B-1", "detention_notice")]


def test_a_release_closes_its_clocks_and_a_voided_event_counts_for_nothing(uow: MemoryUnitOfWork) -> None:
    small_book(uow)
    svc.record_event("B-1", "release", D(2025, 1, 11), "tester", uow=uow)
    svc.record_event("A-2", "entry-filed", D(2025, 1, 10), "tester", uow=uow)
    assert {c[0] for c in _clocks(uow, TODAY)} == {"A-1"}  # B-1 released, A-2's entry filed
    entry = next(e for e in svc.get_shipment("A-2", uow=uow)["events"] if e["event"] == "entry-filed")
    svc.void_event("A-2", entry["id"], "filed on the wrong shipment", "tester", uow=uow)
    assert [c[1] for c in _clocks(uow, TODAY) if c[0] == "A-2"] == ["entry_due", "general_order_warehouse"]


def test_an_empty_book_has_no_clocks(uow: MemoryUnitOfWork) -> None:
    assert deadlines.open_clocks_now(today=TODAY, uow=uow) == []
