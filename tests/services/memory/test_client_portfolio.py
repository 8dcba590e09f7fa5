"""The portfolio of a small book over the in-memory unit of work (tests/services/memory/books.py): money to
the cent, the book client by client, deadlines soonest first, one client's book and a scoped identity's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.adapters.db.scope import Scope
from rigport.errors import InputError, NotFoundError
from rigport.services import clients, portfolio
from rigport.settings import Settings
from tests.services.memory.books import TODAY, small_book


def test_the_book_in_money(uow: MemoryUnitOfWork) -> None:
    small_book(uow)
    book = portfolio.portfolio(today=TODAY, uow=uow)
    assert (book["shipments"], book["units"], book["declared_value_usd"]) == (3, 35, Decimal("135000.00"))
    # held: A-1's 4 units at $3,400 and B-1's 20 at $5,000
    assert book["value_at_risk_usd"] == Decimal("113600.00")
    assert book["by_state"]["detained"] == {"units": 24, "value_usd": Decimal("113600.00")}
    assert book["by_state"]["at_port"] == {"units": 11, "value_usd": Decimal("21400.00")}  # 6 x 3,400 + 1,000
    # storage only (no line items): 10 x 1.25 + 5 x 0.40 + 20 x 0.35 a day, for the 10 days since arrival
    assert book["cost_per_day_usd"] == Decimal("21.50")
    assert book["cost_to_date_usd"] == book["storage_accrued_usd"] == Decimal("215.00")
    costs = {c["reference"]: (c["client"], c["cost_per_day_usd"], c["cost_to_date_usd"], c["held_units"])
             for c in book["cost_by_shipment"]}  # fmt: skip
    assert costs == {"A-1": ("Alpha", Decimal("12.50"), Decimal("125.00"), 4),
                     "A-2": ("Alpha", Decimal("2.00"), Decimal("20.00"), 0),
                     "B-1": ("Bravo", Decimal("7.00"), Decimal("70.00"), 20)}  # fmt: skip
    assert book["warnings"] == [] and book["client"] is None
    history = book["units_over_time"]  # arrivals 01-02, entries 01-03 and exams 01-06 (at the port still),
    assert [d.day for d in history["dates"]] == [2, 3, 6, 9, 12]  # detentions 01-09, today
    assert history["series"]["at_port"] == [35, 35, 35, 11, 11]
    assert history["series"]["detained"] == [0, 0, 0, 24, 24]


def test_the_book_by_client_with_its_next_deadline(uow: MemoryUnitOfWork) -> None:
    small_book(uow)
    book = portfolio.portfolio(today=TODAY, uow=uow)
    totals = [(c["client"], c["shipments"], c["units_held"], c["value_held_usd"], c["cost_per_day_usd"],
               c["cost_to_date_usd"], c["overdue"]) for c in book["by_client"]]  # fmt: skip
    assert totals == [("Bravo", 1, 20, Decimal("100000.00"), Decimal("7.00"), Decimal("70.00"), 0),
                      ("Alpha", 2, 4, Decimal("13600.00"), Decimal("14.50"), Decimal("145.00"), 0)]  # fmt: skip
    nexts = {c["client"]: c["next_deadline"] for c in book["by_client"]}
    # 19 CFR 151.16(b): 5 working days after presentation (Mon 01-06) -> Mon 01-13; (c): notice 5 working days
    # after the detention of Thu 01-09 -> Thu 01-16
    assert nexts["Alpha"] is not None and nexts["Bravo"] is not None
    assert (nexts["Alpha"]["shipment"], nexts["Alpha"]["clock"], nexts["Alpha"]["due"]) == (
        "A-1", "release_or_detain_decision", "2025-01-13")  # fmt: skip
    assert (nexts["Bravo"]["shipment"], nexts["Bravo"]["clock"], nexts["Bravo"]["due"]) == (
        "B-1", "detention_notice", "2025-01-16")  # fmt: skip
    soon = [(d["shipment"], d["clock"], d["days_left"]) for d in book["deadlines"]]
    assert soon == [("A-1", "release_or_detain_decision", 1), ("A-1", "detention_notice", 4),
                    ("B-1", "detention_notice", 4), ("A-2", "entry_due", 5),
                    ("A-2", "general_order_warehouse", 6)]  # fmt: skip
    assert [(d["shipment"], d["clock"], d["within_horizon"]) for d in book["open_deadlines"][5:]] == [
        ("A-1", "deemed_exclusion", False), ("B-1", "deemed_exclusion", False)]  # 30 days: beyond 14
    assert book["overdue"] == 0
    later = portfolio.portfolio(today=TODAY.replace(day=20), uow=uow)  # every short clock has passed
    assert {c["client"]: c["overdue"] for c in later["by_client"]} == {"Alpha": 4, "Bravo": 1}


def test_one_clients_book_follows_a_rename(uow: MemoryUnitOfWork) -> None:
    small_book(uow)
    clients.rename_client("Alpha", "Alpha Hosting", "tester", uow=uow)
    alpha = portfolio.portfolio(today=TODAY, client="alpha hosting", uow=uow)
    assert (alpha["shipments"], alpha["value_at_risk_usd"], alpha["cost_per_day_usd"]) == (
        2, Decimal("13600.00"), Decimal("14.50"))  # fmt: skip
    assert [c["client"] for c in alpha["by_client"]] == ["Alpha Hosting"] and alpha["client"] == "alpha hosting"
    with pytest.raises(NotFoundError, match="no client 'Alpha'"):
        portfolio.portfolio(today=TODAY, client="Alpha", uow=uow)
    with pytest.raises(InputError, match="horizon_days: expected 0 to 3650"):
        portfolio.portfolio(today=TODAY, horizon_days=-1, uow=uow)


def test_a_scoped_identity_sees_its_clients_book(settings: Settings, uow: MemoryUnitOfWork) -> None:
    small_book(uow)
    bravo = clients.show_client("Bravo", uow=uow)["id"]
    scoped = MemoryUnitOfWork(settings, uow.store, scope=Scope.of([bravo]))
    book = portfolio.portfolio(today=TODAY, uow=scoped)
    assert (book["shipments"], book["cost_per_day_usd"], [c["client"] for c in book["by_client"]]) == (
        1, Decimal("7.00"), ["Bravo"])  # fmt: skip
    with pytest.raises(NotFoundError):
        portfolio.portfolio(today=TODAY, client="Alpha", uow=scoped)


def test_an_empty_book(uow: MemoryUnitOfWork) -> None:
    book = portfolio.portfolio(today=TODAY, uow=uow)
    assert (book["shipments"], book["cost_per_day_usd"], book["by_client"], book["deadlines"]) == (
        0, Decimal(0), [], [])  # fmt: skip
    assert book["units_over_time"] == {"dates": [], "series": {g: [] for g in book["by_state"]}}
