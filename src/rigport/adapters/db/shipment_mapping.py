"""Mapping between a shipment's rows and the domain, and the plain views of its rows.

The ORM side of the system of record: `to_domain` reads a `ShipmentRow` as a `customs.model.Shipment`,
`write_quantities` writes a shipment's units per state back, and the `*_view` functions give each child row
(line item, party, document, event) and the shipment's own fields as JSON-ready dicts. No business rule
lives here: clocks and costs are computed in `services.shipment_views`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import WithJsonSchema
from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db.tables import DocumentRow, EventRow, LineItemRow, PartyRow, QuantityRow, ShipmentRow
from rigport.domain.customs.accrual import Movement
from rigport.domain.customs.model import RECORD_FIELDS, Mode, Shipment, State

# An instant read back from a row: UTC. SQLite hands it back without its offset, so the JSON text may lack one
# ("2026-12-07T05:21:19.301875"); the API schema says a string, not a strict RFC 3339 date-time.
Instant = Annotated[dt.datetime, WithJsonSchema({"type": "string", "description": "ISO 8601 instant, UTC"})]


# --- the views' shapes: dicts at run time (every reader keeps `view["key"]`), typed for mypy and the API schema ---


class PartyView(TypedDict):
    id: int | None
    role: str
    name: str
    country: str
    address: str


class DocumentView(TypedDict):
    id: int | None
    kind: str
    date: dt.date | None
    reference: str
    lab_name: str
    notes: str


class LineItemView(TypedDict):
    line_no: int
    model_id: str | None
    description: str
    quantity: int
    unit_value_usd: Decimal
    hts_code: str
    origin: str
    chip_supplier: str
    serials: list[str]


class EventView(TypedDict):
    id: int
    event: str
    occurred_on: dt.date
    quantity: int
    from_state: str | None
    to_state: str | None
    actor: str
    recorded_at: Instant
    data: dict[str, Any]
    voided: bool
    voided_at: Instant | None
    voided_by: str | None
    void_reason: str | None


class ShipmentSummary(TypedDict):
    """A shipment's recorded fields (`RECORD_FIELDS`, money as text) with its state, units per state and version."""

    id: int
    reference: str
    mode: str
    port: str
    carrier: str
    transport_doc: str
    arrival_date: str
    entry_number: str
    importer_of_record: str
    total_units: int
    declared_value_usd: str
    other_agency_hold: bool
    storage_usd_per_unit_day: str
    storage_facility: str
    storage_pallets: int | None
    storage_usd_per_pallet_day: str | None
    client: str | None  # the client's name (issue #28); None only for a row not yet stored
    state: str
    quantities: dict[str, int]
    version: int



def to_domain(row: ShipmentRow) -> Shipment:
    """The stored shipment as the domain's `Shipment`: every recorded field (`RECORD_FIELDS`), its units per state."""
    recorded = {name: getattr(row, name) for name in RECORD_FIELDS}
    return Shipment(
        **{**recorded, "mode": Mode(row.mode)},
        quantities={State(q.state): q.quantity for q in row.quantities if q.quantity > 0},
        id=row.id,
        version=row.version,
    )


def new_row(shipment: Shipment) -> ShipmentRow:
    """A row for a shipment not stored yet: every recorded field, its units per state and its primary state."""
    recorded = {name: getattr(shipment, name) for name in RECORD_FIELDS}
    row = ShipmentRow(**{**recorded, "mode": shipment.mode.value}, primary_state=shipment.primary_state.value)
    write_quantities(row, shipment)
    return row


def write_quantities(row: ShipmentRow, shipment: Shipment) -> None:
    """Store the shipment's units per state (adding, updating and dropping quantity rows) and its primary state."""
    existing = {q.state: q for q in row.quantities}
    for state, quantity in shipment.quantities.items():
        if state.value in existing:
            existing.pop(state.value).quantity = quantity
        else:
            row.quantities.append(QuantityRow(state=state.value, quantity=quantity))
    for stale in existing.values():
        row.quantities.remove(stale)
    row.primary_state = shipment.primary_state.value


def summary(row: ShipmentRow) -> ShipmentSummary:
    """The fields an audit entry and a list row need."""
    return {
        "id": row.id,
        "reference": row.reference,
        "mode": row.mode,
        "port": row.port,
        "carrier": row.carrier,
        "transport_doc": row.transport_doc,
        "arrival_date": row.arrival_date.isoformat(),
        "entry_number": row.entry_number,
        "importer_of_record": row.importer_of_record,
        "total_units": row.total_units,
        "declared_value_usd": str(row.declared_value_usd),
        "other_agency_hold": row.other_agency_hold,
        "storage_usd_per_unit_day": str(row.storage_usd_per_unit_day),
        "storage_facility": row.storage_facility,
        "storage_pallets": row.storage_pallets,
        "storage_usd_per_pallet_day": None if row.storage_usd_per_pallet_day is None
        else str(row.storage_usd_per_pallet_day),
        "client": row.client.name if row.client is not None else None,
        "state": row.primary_state,
        "quantities": {q.state: q.quantity for q in row.quantities if q.quantity > 0},
        "version": row.version,
    }



def movements(row: ShipmentRow) -> list[Movement]:
    """The recorded events that moved units, as the accrual math reads them (voided events left out).

    A shipment stored without its arrival event (older imports) is given one from its arrival date.
    """
    moved = [
        Movement(e.occurred_on, e.quantity, State(e.from_state) if e.from_state else None, State(e.to_state))
        for e in row.events
        if e.to_state is not None and e.from_state != e.to_state and not is_voided(e)
    ]
    if not any(m.from_state is None for m in moved):
        moved.insert(0, Movement(row.arrival_date, row.total_units, None, State.ARRIVED))
    return moved


def is_voided(event: EventRow) -> bool:
    return event.voided_at is not None


def line_item_view(li: LineItemRow) -> LineItemView:
    return {
        "line_no": li.line_no, "model_id": li.model_id, "description": li.description, "quantity": li.quantity,
        "unit_value_usd": li.unit_value_usd, "hts_code": li.hts_code, "origin": li.origin,
        "chip_supplier": li.chip_supplier, "serials": [s for s in li.serials.split("\n") if s],
    }  # fmt: skip


def document_view(d: DocumentRow) -> DocumentView:
    return {"id": d.id, "kind": d.kind, "date": d.date, "reference": d.reference, "lab_name": d.lab_name,
            "notes": d.notes}  # fmt: skip


def event_view(e: EventRow) -> EventView:
    return {
        "id": e.id, "event": e.event, "occurred_on": e.occurred_on, "quantity": e.quantity,
        "from_state": e.from_state, "to_state": e.to_state, "actor": e.actor, "recorded_at": e.recorded_at,
        "data": e.data, "voided": e.voided_at is not None, "voided_at": e.voided_at, "voided_by": e.voided_by,
        "void_reason": e.void_reason,
    }  # fmt: skip



def party_view(party: PartyRow) -> PartyView:
    return {"id": party.id, "role": party.role, "name": party.name, "country": party.country,
            "address": party.address}  # fmt: skip

