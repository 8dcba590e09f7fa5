"""A small book to test the whole-book services with: two clients, three shipments at Detroit, known money.

Arrived 2025-01-02 with no line items, so a unit's cost of a day is its storage rate alone (services.delay):
- A-1 (Alpha): 10 units, $34,000 ($3,400 a unit), storage $1.25 a unit-day; entry filed 01-03, presented for
  exam 01-06, 4 units detained 01-09;
- A-2 (Alpha): 5 units, $1,000, storage $0.40; arrived only;
- B-1 (Bravo): 20 units, $100,000 ($5,000 a unit), storage $0.35; the same walk, all 20 detained 01-09.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.services import clients, shipments

D = dt.date
TODAY = D(2025, 1, 12)  # ten days after arrival: 10 storage days a unit so far


def shipment(
    uow: AbstractUnitOfWork, reference: str, client: str | None, units: int, value: str, storage: str, held: int | None,
    *, port: str = "Detroit", importer: str = "",
) -> None:  # fmt: skip
    draft = shipments.ShipmentDraft(reference=reference, mode="air", port=port, arrival_date=D(2025, 1, 2),
                                    total_units=units, declared_value_usd=Decimal(value),
                                    storage_usd_per_unit_day=Decimal(storage), importer_of_record=importer)  # fmt: skip
    shipments.create_shipment(draft, "tester", client=client, uow=uow)
    if held is not None:
        for event, day, quantity in (("entry-filed", 3, None), ("exam-presented", 6, None), ("detention", 9, held)):
            shipments.record_event(reference, event, D(2025, 1, day), "tester", quantity=quantity, uow=uow)


def small_book(uow: AbstractUnitOfWork) -> None:
    for name in ("Alpha", "Bravo"):
        clients.create_client(name, "tester", uow=uow)
    shipment(uow, "A-1", "Alpha", 10, "34000", "1.25", held=4)
    shipment(uow, "A-2", "Alpha", 5, "1000", "0.40", held=None)
    shipment(uow, "B-1", "Bravo", 20, "100000", "0.35", held=20)
