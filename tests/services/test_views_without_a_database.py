"""The read views of a shipment (clocks, cost of delay, list row) computed from rows held in memory: no database.

`adapters.db.shipment_mapping.new_row` builds the row a shipment would be stored as; the views read only its
fields, quantities and events, so the rules behind every list and page are checked here in milliseconds. The
database round trip is tests/services/test_shipment_lifecycle.py's (on SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from rigport.adapters.db.shipment_mapping import new_row
from rigport.adapters.db.tables import EventRow, ShipmentRow
from rigport.domain.customs.model import Mode, Shipment
from rigport.services.portfolio import open_deadlines
from rigport.services.shipment_views import cost_of_delay, list_view, open_clocks
from rigport.settings import Settings

ARRIVAL = dt.date(2025, 1, 2)
TODAY = dt.date(2025, 1, 12)


def _row(**fields: object) -> ShipmentRow:
    values: dict[str, object] = {"reference": "F-1", "mode": Mode.VESSEL, "port": "San Francisco",
                                 "arrival_date": ARRIVAL, "total_units": 100, "declared_value_usd": Decimal("340000")}
    shipment = Shipment(**{**values, **fields})  # type: ignore[arg-type]
    row = new_row(shipment)
    row.events.append(EventRow(event="arrival", occurred_on=ARRIVAL, quantity=shipment.total_units, from_state=None,
                               to_state="ARRIVED", actor="t", data={}))  # fmt: skip
    return row


def test_arrival_starts_the_entry_and_general_order_clocks() -> None:
    clocks = {c["clock"]: c for c in open_clocks(_row(), TODAY)}
    assert clocks["entry_due"]["due"] == "2025-01-17" and clocks["entry_due"]["days_left"] == 5
    assert clocks["general_order_warehouse"]["due"] == "2025-01-18"
    assert not any(c["overdue"] for c in clocks.values())
    row = list_view(_row(), TODAY)
    assert row["next_deadline"] is not None and row["next_deadline"]["clock"] == "entry_due"
    assert row["state"] == "ARRIVED" and row["quantities"] == {"ARRIVED": 100}


def test_storage_accrues_per_unit_day_from_arrival(tmp_path: Path) -> None:
    cost = cost_of_delay(_row(storage_usd_per_unit_day=Decimal("2.00")), Settings(data_dir=tmp_path), TODAY)
    assert cost["storage_unit_days"] == 100 * 10
    assert cost["storage_accrued_usd"] == Decimal("2000.00")  # 100 units x 10 days x $2.00
    assert cost["storage_per_day_usd"] == cost["cost_per_day_usd"] == Decimal("200.00")  # no line items: storage only
    assert cost["held_units"] == 0 and cost["days_held"] == 0


def test_a_pallet_rate_wins_over_the_unit_rate_and_raises_the_alert(tmp_path: Path) -> None:
    row = _row(total_units=40, declared_value_usd=Decimal("1000"), storage_usd_per_unit_day=Decimal("9.99"),
               storage_pallets=3, storage_usd_per_pallet_day=Decimal("18.50"))  # fmt: skip
    cost = cost_of_delay(row, Settings(data_dir=tmp_path), TODAY)
    assert cost["storage_per_day_usd"] == Decimal("55.50")  # 3 pallets x $18.50, not 40 units x $9.99
    assert cost["storage_accrued_usd"] == Decimal("555.00")  # over 10 days
    assert cost["storage_share_of_value"] == Decimal("0.5550") and cost["storage_alert"]  # half the value or more


def test_the_portfolio_lists_every_open_clock_soonest_first() -> None:
    rows = [_row(reference="B-2"), _row(reference="A-1")]
    deadlines = open_deadlines(rows, TODAY, horizon_days=5)
    assert [(d["shipment"], d["clock"]) for d in deadlines] == [
        ("A-1", "entry_due"), ("B-2", "entry_due"), ("A-1", "general_order_warehouse"),
        ("B-2", "general_order_warehouse"),
    ]  # fmt: skip
    assert [d["within_horizon"] for d in deadlines] == [True, True, False, False]  # 5 and 6 days left
