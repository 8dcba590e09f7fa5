"""The book client by client (issue #28): value held, cost per day and next deadline per client; one client's book."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from rigport.adapters.db.scope import Scope, bound
from rigport.errors import NotFoundError
from rigport.services import clients, portfolio, shipments
from rigport.settings import Settings

TODAY = dt.date.today()


def _shipment(settings: Settings, reference: str, client: str, units: int, value: str, held: int | None) -> None:
    draft = shipments.ShipmentDraft(reference=reference, mode="air", port="Detroit",
                                    arrival_date=TODAY - dt.timedelta(days=10), total_units=units,
                                    declared_value_usd=Decimal(value))  # fmt: skip
    shipments.create_shipment(draft, "test", settings, client=client)
    if held is not None:  # entry filed, presented for exam, `held` units detained
        for event, quantity in (("entry-filed", None), ("exam-presented", None), ("detention", held)):
            shipments.record_event(reference, event, TODAY - dt.timedelta(days=9), "test", quantity=quantity,
                                   settings=settings)  # fmt: skip


def test_the_portfolio_by_client(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    for name in ("Alpha", "Bravo"):
        clients.create_client(name, "test", settings)
    _shipment(settings, "A-1", "Alpha", 10, "34000.00", held=4)  # 3,400 a unit: 13,600 held
    _shipment(settings, "A-2", "Alpha", 5, "1000.00", held=None)  # arrived, nothing held
    _shipment(settings, "B-1", "Bravo", 20, "100000.00", held=20)  # 5,000 a unit: all 100,000 held
    book = portfolio.portfolio(settings)
    rows = {c["client"]: c for c in book["by_client"]}
    assert [c["client"] for c in book["by_client"]] == ["Bravo", "Alpha"]  # largest value held first
    assert (rows["Alpha"]["shipments"], rows["Alpha"]["units_held"], rows["Alpha"]["value_held_usd"]) == (
        2, 4, Decimal("13600.00"))  # fmt: skip
    assert (rows["Bravo"]["shipments"], rows["Bravo"]["units_held"], rows["Bravo"]["value_held_usd"]) == (
        1, 20, Decimal("100000.00"))  # fmt: skip
    assert sum(c["cost_per_day_usd"] for c in book["by_client"]) == book["cost_per_day_usd"]
    assert rows["Bravo"]["next_deadline"] is not None and rows["Bravo"]["next_deadline"]["shipment"] == "B-1"
    assert {s["reference"]: s["client"] for s in book["cost_by_shipment"]} == {"A-1": "Alpha", "A-2": "Alpha",
                                                                             "B-1": "Bravo"}  # fmt: skip
    alpha = portfolio.portfolio(settings, client="alpha")
    assert alpha["shipments"] == 2 and alpha["value_at_risk_usd"] == Decimal("13600.00") and alpha["client"] == "alpha"
    alpha_id = clients.show_client("Alpha", settings)["id"]
    with bound(Scope(frozenset({alpha_id}))):  # a scoped identity's book is its clients' only
        scoped = portfolio.portfolio(settings)
        assert [c["client"] for c in scoped["by_client"]] == ["Alpha"] and scoped["shipments"] == 2
        with pytest.raises(NotFoundError):
            portfolio.portfolio(settings, client="Bravo")
