"""Issue #30: finding shipments — every filter, the search, every sort key and paging, in the store, on SQLite
and PostgreSQL (the `settings` fixture of this folder runs each test on both)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rigport.adapters.db.tables import LineItemRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.domain.customs import clocks
from rigport.domain.customs.shipment_filter import SORT_KEYS, ShipmentFilter
from rigport.errors import InputError
from rigport.services import shipments as svc
from rigport.services.shipment_search import export_table, find_shipments, iter_shipments, refresh_next_deadlines
from rigport.settings import Settings

TODAY = dt.date(2026, 12, 7)
D = dt.date


def _draft(ref: str, mode: str, port: str, arrived: dt.date, units: int, value: str, **more: Any) -> svc.ShipmentDraft:
    return svc.ShipmentDraft(ref, mode, port, arrived, units, Decimal(value), **more)


def book(settings: Settings) -> None:
    """Four shipments. Entry is due 15 days after arrival (19 CFR 142.2) while units are ARRIVED, so on TODAY:
    A-1 is overdue by 2 days, C-3 due in 9, D-4 due in 14; B-2's entry was filed (no open clock)."""
    svc.create_shipment(_draft(
        "A-1", "vessel", "Los Angeles", D(2026, 11, 20), 10, "1000.00", carrier="Maersk",
        transport_doc="MAEU123456789", entry_number="ABC-1234567-8", importer_of_record="Acme Hashing LLC",
        parties=[{"role": "seller", "name": "Shenzhen Rigs Co", "country": "CN"}],
    ), "t", settings)  # fmt: skip
    svc.create_shipment(_draft(
        "B-2", "air", "Detroit", D(2026, 11, 1), 5, "50.00", carrier="Cathay Cargo", transport_doc="176-12345675",
        importer_of_record="Prairie Summit Hosting LLC",
    ), "t", settings)  # fmt: skip
    svc.record_event("B-2", "entry-filed", D(2026, 11, 2), "t", settings=settings)
    svc.create_shipment(_draft(
        "C-3", "vessel", "los angeles", D(2026, 12, 1), 20, "9999.00", importer_of_record="ACME HASHING LLC",
        transport_doc="OOLU5550001",
    ), "t", settings)  # fmt: skip
    svc.create_shipment(_draft("D-4", "vessel", "Seattle", D(2026, 12, 6), 7, "700.00", carrier="Zim"), "t", settings)
    with UnitOfWork(settings) as uow:
        ship = uow.shipments.get("A-1")
        assert ship is not None
        uow.session.add(LineItemRow(shipment_id=ship.id, line_no=1, model_id=None, description="S21", quantity=10,
                                    unit_value_usd=Decimal("100.00"), hts_code="8471.50.0150", origin="CN",
                                    serials="SN-AAA-001\nSN-AAA-002"))  # fmt: skip
        uow.commit()


def refs(flt: ShipmentFilter, settings: Settings, **page: int) -> list[str]:
    return [r["reference"] for r in find_shipments(flt, settings=settings, today=TODAY, **page)["rows"]]


def test_each_filter(settings: Settings) -> None:
    book(settings)
    assert refs(ShipmentFilter(), settings) == ["B-2", "A-1", "C-3", "D-4"]  # by arrival, as before
    assert refs(ShipmentFilter(port="LOS ANGELES"), settings) == ["A-1", "C-3"]  # whole value, any case
    assert refs(ShipmentFilter(port="Los"), settings) == []
    assert refs(ShipmentFilter(importer="acme hashing llc"), settings) == ["A-1", "C-3"]
    assert refs(ShipmentFilter(state="entered"), settings) == ["B-2"]
    assert refs(ShipmentFilter(state="ARRIVED"), settings) == ["A-1", "C-3", "D-4"]
    assert refs(ShipmentFilter(due_within=0), settings) == ["A-1"]  # overdue counts as due
    assert refs(ShipmentFilter(due_within=9), settings) == ["A-1", "C-3"]
    assert refs(ShipmentFilter(due_within=14), settings) == ["A-1", "C-3", "D-4"]
    assert refs(ShipmentFilter(port="los angeles", due_within=0), settings) == ["A-1"]  # all must hold


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("a-1", ["A-1"]),  # reference
        ("maeu1234", ["A-1"]),  # bill of lading
        ("176-1234", ["B-2"]),  # air waybill
        ("1234567-8", ["A-1"]),  # entry number
        ("shenzhen", ["A-1"]),  # a party
        ("sn-aaa-002", ["A-1"]),  # a serial number
        ("hashing", ["A-1", "C-3"]),  # the importer
        ("zim", ["D-4"]),  # the carrier
        ("%", []),  # wildcards are matched as typed
        ("_", []),
        ("nothing like it", []),
    ],
)
def test_search(settings: Settings, q: str, found: list[str]) -> None:
    book(settings)
    assert refs(ShipmentFilter(q=q), settings) == found


def _key(row: dict[str, Any], sort: str) -> Any:
    if sort == "next_deadline":
        return row["next_deadline"]["due"] if row["next_deadline"] else None
    if sort == "declared_value_usd":
        return Decimal(row[sort])
    value = row[sort]
    return value.lower() if sort in ("port", "importer_of_record", "carrier") else value


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_every_sort_key_both_ways(settings: Settings, sort: str) -> None:
    book(settings)
    for order in ("asc", "desc"):
        rows = find_shipments(ShipmentFilter(sort=sort, order=order), settings=settings, today=TODAY)["rows"]
        keyed = [(_key(r, sort), r["reference"]) for r in rows]
        present = [k for k in keyed if k[0] is not None]
        assert present == sorted(present, reverse=order == "desc"), (sort, order, keyed)
        assert keyed[len(present):] == [k for k in keyed if k[0] is None]  # no open clock: last either way
    if sort == "next_deadline":
        assert refs(ShipmentFilter(sort=sort), settings) == ["A-1", "C-3", "D-4", "B-2"]
        assert refs(ShipmentFilter(sort=sort, order="desc"), settings) == ["D-4", "C-3", "A-1", "B-2"]


def test_pages_cover_the_list_once(settings: Settings) -> None:
    book(settings)
    flt = ShipmentFilter(sort="port", order="desc")
    whole = refs(flt, settings)
    pages = [find_shipments(flt, limit=3, offset=o, settings=settings, today=TODAY) for o in (0, 3, 6)]
    assert [p["total"] for p in pages] == [4, 4, 4]
    assert [r["reference"] for p in pages for r in p["rows"]] == whole
    assert [len(p["rows"]) for p in pages] == [3, 1, 0]
    assert find_shipments(ShipmentFilter(port="seattle"), settings=settings, today=TODAY)["total"] == 1


def test_next_deadline_follows_events_and_rules(settings: Settings) -> None:
    book(settings)
    assert refs(ShipmentFilter(due_within=9), settings) == ["A-1", "C-3"]
    svc.record_event("C-3", "entry-filed", D(2026, 12, 1), "t", settings=settings)  # stops its entry clock
    assert refs(ShipmentFilter(due_within=9), settings) == ["A-1"]
    assert refresh_next_deadlines(settings) == 0  # nothing stale left
    longer = tuple(
        dataclasses.replace(rule, amount=rule.amount + 30) if rule.event == "arrival" else rule
        for rule in clocks.rules()
    )
    clocks.install_rules(longer)  # a user's clock table in force: every stored deadline is redone
    try:
        assert refs(ShipmentFilter(due_within=9), settings) == []
        assert refs(ShipmentFilter(due_within=28), settings) == ["A-1"]
    finally:
        clocks.install_rules(None)
    assert refs(ShipmentFilter(due_within=9), settings) == ["A-1"]


@pytest.mark.parametrize(
    ("flt", "field"),
    [
        (ShipmentFilter(sort="reference; DROP TABLE shipments"), "sort"),
        (ShipmentFilter(sort="id"), "sort"),
        (ShipmentFilter(order="sideways"), "order"),
        (ShipmentFilter(due_within=-1), "due_within"),
        (ShipmentFilter(due_within=10**12), "due_within"),
        (ShipmentFilter(state="LOST"), "state"),
        (ShipmentFilter(q="x" * 201), "q"),
    ],
)
def test_bad_filters_name_the_field(settings: Settings, flt: ShipmentFilter, field: str) -> None:
    book(settings)
    with pytest.raises(InputError, match=rf"^{field}: expected"):
        find_shipments(flt, settings=settings, today=TODAY)
    with pytest.raises(InputError, match=rf"^{field}: expected"):
        export_table("shipments", flt, settings, TODAY)


def test_bad_pages(settings: Settings) -> None:
    for page, field in (({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"offset": -1}, "offset"),
                        ({"offset": 2**63}, "offset")):  # fmt: skip
        with pytest.raises(InputError, match=rf"^{field}: expected"):
            find_shipments(ShipmentFilter(), settings=settings, **page)


def test_list_shipments_keeps_its_old_parameters(settings: Settings) -> None:
    book(settings)
    rows = svc.list_shipments(port="los angeles", due_within_days=0, settings=settings, today=TODAY)
    assert [r["reference"] for r in rows] == ["A-1"]
    rows = svc.list_shipments(flt=ShipmentFilter(q="acme", sort="reference", order="desc"), settings=settings,
                              today=TODAY)  # fmt: skip
    assert [r["reference"] for r in rows] == ["C-3", "A-1"]


def test_export_tables_follow_the_view(settings: Settings) -> None:
    book(settings)
    flt = ShipmentFilter(port="los angeles", sort="reference", order="desc")
    shipments = export_table("shipments", flt, settings, TODAY)
    rows = list(shipments["rows"])
    assert [r[0] for r in rows] == ["C-3", "A-1"]
    a1 = dict(zip(shipments["columns"], rows[1], strict=True))
    assert a1["transport_doc"] == "MAEU123456789" and a1["next_deadline_due"] == "2026-12-05"
    assert a1["next_deadline_days_left"] == -2 and a1["next_deadline_overdue"] is True
    deadlines = export_table("deadlines", flt, settings, TODAY)
    clocks_due = [(r[0], r[2], r[3]) for r in deadlines["rows"]]  # every open clock, shipment by shipment
    assert clocks_due == [
        ("C-3", "entry_due", "2026-12-16"), ("C-3", "general_order_warehouse", "2026-12-17"),
        ("A-1", "entry_due", "2026-12-05"), ("A-1", "general_order_warehouse", "2026-12-06"),
    ]  # fmt: skip
    costs = export_table("costs", ShipmentFilter(q="b-2"), settings, TODAY)
    (b2,) = list(costs["rows"])
    assert dict(zip(costs["columns"], b2, strict=True))["declared_value_usd"] == Decimal("50.00")
    assert list(export_table("screening", flt, settings, TODAY)["rows"]) == []  # never screened: no rows
    with pytest.raises(InputError, match="^table: expected"):
        export_table("passwords", flt, settings, TODAY)


def test_iter_shipments_reads_in_batches(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from rigport.services import shipment_search

    book(settings)
    monkeypatch.setattr(shipment_search, "EXPORT_BATCH", 3)
    assert [r["reference"] for r in iter_shipments(ShipmentFilter(), settings, TODAY)] == ["B-2", "A-1", "C-3", "D-4"]


def test_screening_export_rows(request: pytest.FixtureRequest, isolated_data_dir: Any) -> None:
    """The latest stored screening, a row per listed party matched and per clear subject (SQLite: the screening
    itself is the same on both databases and is slow to build)."""
    from rigport.services.screening import screen_shipment
    from tests.helpers import fresh_database
    from tests.helpers.records import screened_shipment

    settings = fresh_database(request, "sqlite", isolated_data_dir)
    screened_shipment(settings)
    screen_shipment("SCR-1", actor="alice", settings=settings)
    table = export_table("screening", ShipmentFilter(q="scr-1"), settings, TODAY)
    rows = [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]
    assert {r["shipment"] for r in rows} == {"SCR-1"}
    assert {(r["subject"], r["status"]) for r in rows if r["list"] is None} == {
        ("Bitmain Technologies Ltd.", "clear"), ("Prairie Summit Hosting LLC", "clear")}  # fmt: skip
    sophgo = [r for r in rows if r["subject"] == "SOPHGO TECHNOLOGIES LTD."]
    assert sophgo and {r["list"] for r in sophgo} >= {"restricted-components"} and sophgo[0]["status"] == "hit"


def test_client_filter(settings: Settings) -> None:
    """Issue #28's client is one more filter: by id or name, any case; an unknown client is named, not empty."""
    from rigport.errors import NotFoundError
    from rigport.services import clients

    book(settings)  # the four shipments went to the Default client
    acme = clients.create_client("Acme Hosting", "t", settings)
    svc.create_shipment(_draft("E-5", "air", "Detroit", D(2026, 12, 2), 3, "30.00"), "t", settings,
                        client="acme hosting")  # fmt: skip
    assert refs(ShipmentFilter(client="ACME HOSTING"), settings) == ["E-5"]
    assert refs(ShipmentFilter(client=str(acme["id"]), port="detroit"), settings) == ["E-5"]
    assert refs(ShipmentFilter(client="Default", port="detroit"), settings) == ["B-2"]
    assert [r["reference"] for r in svc.list_shipments(client="acme hosting", settings=settings)] == ["E-5"]
    with pytest.raises(NotFoundError, match="^client: no client"):
        find_shipments(ShipmentFilter(client="Nobody Inc"), settings=settings, today=TODAY)
