"""Issue #28 target: the client scope costs little. A scoped list of 10,000 shipments over 100 clients is within
1.5x of the unscoped list, measured in the same run (SQLite).

The book: 100 clients with 100 shipments each, every shipment with its quantities and two events. Each row
compares the same read, returning the same rows, made by a unit of work scoped to clients (the filter of
adapters/db/scope.py added to every statement, children included) and by a broker-wide one (the baseline):

- a list page (1,000 shipments with their quantities and events, as the list views load them), scoped to all
  100 clients: the filter's whole cost, nothing filtered away;
- every shipment's clock data (10,000 shipments, quantities, events: what portfolio, calendar and reminders
  read), scoped to all 100 clients;
- one client's 100 shipments: scoped to that client, against the broker-wide list filtered by the same client.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from benchmarks.harness import Result, best_of
from rigport.adapters.db.engine import get_engine, upgrade
from rigport.adapters.db.scope import BROKER, Scope
from rigport.adapters.db.tables import ClientRow, EventRow, QuantityRow, ShipmentRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.services.deadlines import load_shipments
from rigport.settings import Settings

CLIENTS = 100
PER_CLIENT = 100
TARGET = 1.5


def _seed(settings: Settings, today: dt.date) -> list[int]:
    with UnitOfWork(settings) as uow:
        owners = [ClientRow(name=f"Client {c:03d}") for c in range(CLIENTS)]
        uow.session.add_all(owners)
        uow.flush()
        for i in range(CLIENTS * PER_CLIENT):
            arrived = today - dt.timedelta(days=i % 15)
            row = ShipmentRow(reference=f"C-{i:05d}", client_id=owners[i % CLIENTS].id, mode="vessel",
                              port="Los Angeles", arrival_date=arrived, total_units=100,
                              declared_value_usd=Decimal(300_000 + i), primary_state="ENTERED")  # fmt: skip
            row.quantities.append(QuantityRow(state="ENTERED", quantity=100))
            row.events.append(EventRow(event="arrival", occurred_on=arrived, quantity=100, to_state="ARRIVED",
                                       actor="bench", data={}))  # fmt: skip
            row.events.append(EventRow(event="entry-filed", occurred_on=arrived, quantity=100, from_state="ARRIVED",
                                       to_state="ENTERED", actor="bench", data={}))  # fmt: skip
            uow.session.add(row)
        uow.commit()
        return [c.id for c in owners]


def _read(settings: Settings, scope: Scope, read: Callable[[UnitOfWork], int], expected: int) -> Callable[[], None]:
    def run() -> None:
        with UnitOfWork(settings, scope=scope) as uow:
            got = read(uow)
        assert got == expected, f"read {got} rows, expected {expected}"

    return run


def run() -> list[Result]:
    today = dt.date.today()
    total = CLIENTS * PER_CLIENT
    with tempfile.TemporaryDirectory(prefix="rigport-bench-clients-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        upgrade(get_engine(settings))
        ids = _seed(settings, today)
        everyone, one = Scope(frozenset(ids)), Scope(frozenset(ids[:1]))
        cases = [
            ("list page: 1,000 of 10,000 shipments with quantities and events, scoped to all 100 clients",
             lambda uow: len(uow.shipments.list(limit=1000)), 1000, everyone, None),
            (f"clock data of every shipment ({total:,}, quantities and events), scoped to all 100 clients",
             lambda uow: len(load_shipments(uow)), total, everyone, None),
            (f"one client's {PER_CLIENT} shipments with quantities and events, scoped to that client",
             lambda uow: len(uow.shipments.list(limit=1000)), PER_CLIENT, one,
             lambda uow: len(uow.shipments.list(limit=1000, client_id=ids[0]))),
        ]  # fmt: skip
        timings = []
        for name, read, expected, scope, broker_read in cases:
            broker = _read(settings, BROKER, broker_read or read, expected)
            scoped = _read(settings, scope, read, expected)
            broker(), scoped()  # warm: statement caches, pages in memory
            t_broker, t_scoped = best_of(broker, 7), best_of(scoped, 7)
            timings.append((name, t_broker, t_scoped))
    results = []
    for name, t_broker, t_scoped in timings:
        ratio = t_scoped / t_broker
        baseline = f"broker-wide, same rows: {t_broker * 1000:.1f} ms"
        results.append(Result("clients", name, t_scoped * 1000, "ms", baseline, ratio, f"<= {TARGET:g}x",
                              ratio <= TARGET))  # fmt: skip
    return results


if __name__ == "__main__":
    for result in run():
        print(result)
