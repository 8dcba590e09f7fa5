"""Shipments to test with: one created the way a person would, and walked to detention."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.tables import LineItemRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.services import shipments as svc
from rigport.settings import Settings

D = dt.date


def make(
    settings: Settings, ref: str = "SFO-1", units: int = 100, other_agency: bool = False, *,
    uow: AbstractUnitOfWork | None = None,
) -> dict[str, object]:  # fmt: skip
    """`uow`: an in-memory unit of work (tests/services/memory/), else the database of `settings`."""
    draft = svc.ShipmentDraft(
        ref,
        "vessel",
        "San Francisco",
        D(2025, 1, 2),
        units,
        Decimal("340000"),
        other_agency_hold=other_agency,
        storage_usd_per_unit_day=Decimal("2.00"),
        parties=[{"role": "manufacturer", "name": "Bitmain Technologies Ltd.", "country": "CN"}],
    )
    return svc.create_shipment(draft, "tester", settings, uow=uow)


def walk_to_detained(settings: Settings, ref: str = "SFO-1", *, uow: AbstractUnitOfWork | None = None) -> None:
    for event, day in (("entry-filed", 3), ("exam-presented", 6), ("detention", 9)):
        svc.record_event(ref, event, D(2025, 1, day), "tester", settings=settings, uow=uow)


# What the bundled lists answer for the seller `screened_shipment` names
LISTED_SELLER = "Huawei Technologies Co., Ltd."
HUAWEI = "Huawei Technologies Co., Ltd. (Huawei)"
EL = "Entity List (EL) - Bureau of Industry and Security"
# the three rows of the bundled CSL (2022-04-21) that print this name on the Entity List, one per address
HUAWEI_EL_IDS = frozenset({
    "1a3ccc08ecbb40155a4cce8d9c9ace917f54cc74",
    "6bcb81e3dedb7bb330d74e8784035bc96d9c9ab3",
    "d05d55fa214aff19c1eb3270d54905e4e362d445",
})  # fmt: skip


def screened_shipment(settings: Settings, reference: str = "SCR-1", *, uow: AbstractUnitOfWork | None = None) -> None:
    """A shipment whose parties and chip supplier the bundled lists flag: what the screening tests screen.

    `uow`: an in-memory unit of work (tests/services/memory/), else the database of `settings`."""
    draft = svc.ShipmentDraft(
        reference=reference, mode="air", port="Detroit", arrival_date=dt.date(2025, 2, 1), total_units=10,
        declared_value_usd=Decimal("34000.00"), importer_of_record="Prairie Summit Hosting LLC",
        parties=[{"role": "manufacturer", "name": "Bitmain Technologies Ltd.", "country": "CN"},
                 {"role": "seller", "name": "Huawei Technologies Co., Ltd.", "country": "CN"}],
    )  # fmt: skip
    svc.create_shipment(draft, "test", settings, uow=uow)
    line = LineItemRow(line_no=1, model_id=None, description="S21", quantity=10, unit_value_usd=Decimal("3400.00"),
                       hts_code="8471.50.0150", origin="CN", chip_supplier="SOPHGO TECHNOLOGIES LTD.", serials="")
    if uow is not None:
        with uow:
            ship = uow.shipments.get(reference)
            assert ship is not None
            ship.line_items.append(line)
            uow.commit()
        return
    with UnitOfWork(settings) as db:
        ship = db.shipments.get(reference)
        assert ship is not None
        line.shipment_id = ship.id
        db.session.add(line)
        db.commit()
