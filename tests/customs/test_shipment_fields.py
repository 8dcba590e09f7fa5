"""A shipment's recorded fields are defined once, by the domain's `Shipment`; every copy is checked against it.

The fields used to be written out by hand in eight places and had drifted: the pallet fields were missing from
the domain model (issue #27). The row mapping and creation derive from `RECORD_FIELDS`; the copies that cannot
(the draft, the summary view, the table, the API schemas) are compared with it here, without a database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from rigport.adapters.db.shipment_mapping import new_row, summary, to_domain
from rigport.adapters.db.tables import ShipmentRow
from rigport.domain.customs.model import (
    EDITABLE_FIELDS,
    FIXED_FIELDS,
    MONEY_FIELDS,
    OPTIONAL_FIELDS,
    RECORD_FIELDS,
    Mode,
    Shipment,
    State,
)
from rigport.entrypoints.api.schemas import AssessIn, ShipmentIn, ShipmentPatch
from rigport.services.shipments import ShipmentDraft

PALLETS = ("storage_pallets", "storage_usd_per_pallet_day")


def _full_shipment() -> Shipment:
    """A shipment with every recorded field set to a value other than its default."""
    return Shipment(
        reference="F-1", mode=Mode.AIR, port="LAX", arrival_date=dt.date(2026, 3, 2), total_units=40,
        declared_value_usd=Decimal("12345.67"), carrier="Cargo Air", transport_doc="AWB 1", entry_number="E-9",
        importer_of_record="Hash Co", other_agency_hold=True, storage_usd_per_unit_day=Decimal("1.25"),
        storage_facility="CFS 4", storage_pallets=3, storage_usd_per_pallet_day=Decimal("18.50"),
    )  # fmt: skip


def test_the_domain_shipment_carries_the_pallet_fields() -> None:
    assert set(PALLETS) <= set(RECORD_FIELDS)
    assert set(PALLETS) == set(OPTIONAL_FIELDS)
    assert set(MONEY_FIELDS) == {"declared_value_usd", "storage_usd_per_unit_day", "storage_usd_per_pallet_day"}
    assert tuple(f for f in RECORD_FIELDS if f not in FIXED_FIELDS) == EDITABLE_FIELDS
    assert "port" in EDITABLE_FIELDS and "reference" not in EDITABLE_FIELDS


def test_every_recorded_field_goes_to_the_row_and_comes_back() -> None:
    shipment = _full_shipment()
    defaults = Shipment(reference="D", mode=Mode.VESSEL, port="X", arrival_date=dt.date(2025, 1, 1), total_units=1,
                        declared_value_usd=Decimal(0))  # fmt: skip
    assert all(getattr(shipment, f) != getattr(defaults, f) for f in RECORD_FIELDS)  # the round trip can fail
    row = new_row(shipment)
    back = to_domain(row)
    assert {f: getattr(back, f) for f in RECORD_FIELDS} == {f: getattr(shipment, f) for f in RECORD_FIELDS}
    assert back.quantities == {State.ARRIVED: 40} and row.primary_state == "ARRIVED"


def test_the_table_has_a_column_for_each_recorded_field_and_no_other() -> None:
    columns = set(ShipmentRow.__table__.columns.keys())
    bookkeeping = {"id", "client_id", "primary_state", "created_at", "updated_at", "version"}
    assert columns - bookkeeping == set(RECORD_FIELDS)
    nullable = {c.name for c in ShipmentRow.__table__.columns if c.nullable and c.name not in bookkeeping}
    assert nullable == set(OPTIONAL_FIELDS)


def test_the_summary_view_shows_every_recorded_field() -> None:
    view = summary(new_row(_full_shipment()))
    assert set(view) - {"id", "client", "state", "quantities", "version"} == set(RECORD_FIELDS)
    assert view["storage_pallets"] == 3 and view["storage_usd_per_pallet_day"] == "18.50"
    assert view["arrival_date"] == "2026-03-02" and view["declared_value_usd"] == "12345.67"


def test_the_draft_has_the_recorded_fields_with_the_same_defaults() -> None:
    draft = {f.name: f for f in dataclasses.fields(ShipmentDraft)}
    assert set(draft) - {"parties"} == set(RECORD_FIELDS)
    domain = {f.name: f for f in dataclasses.fields(Shipment)}
    for name in RECORD_FIELDS:
        assert draft[name].default == domain[name].default, name


def test_the_api_schemas_match_the_recorded_and_editable_fields() -> None:
    created = ShipmentIn.model_fields
    assert set(created) - {"parties", "client"} == set(RECORD_FIELDS)
    domain = {f.name: f for f in dataclasses.fields(Shipment)}
    for name in RECORD_FIELDS:
        required = domain[name].default is dataclasses.MISSING
        assert created[name].is_required() == required, name
        assert (type(None) in getattr(created[name].annotation, "__args__", ())) == (name in OPTIONAL_FIELDS), name
    # a draft to assess: the same body (but its client), plus lines and evidence
    assert set(created) - {"client"} <= set(AssessIn.model_fields)
    assert set(ShipmentPatch.model_fields) - {"version", "client"} == set(EDITABLE_FIELDS)
