"""Read views of a shipment: its open customs clocks, its cost of delay, its detail and list rows.

Derived from the rows (`adapters.db.shipment_mapping`) with the domain's clock and accrual rules and the
catalog and network snapshot in force (`services.delay`); the commands in `services.shipments` return them.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db.shipment_mapping import (
    DocumentView,
    EventView,
    LineItemView,
    PartyView,
    ShipmentSummary,
    document_view,
    event_view,
    is_voided,
    line_item_view,
    movements,
    summary,
    to_domain,
)
from rigport.adapters.db.tables import ShipmentRow
from rigport.domain.customs.accrual import accrue
from rigport.domain.customs.accrual import money as accrued_money
from rigport.domain.customs.clocks import Clock, clocks_for_event, horizon_warnings
from rigport.domain.customs.lifecycle import CLOCK_EVENT, allowed_events
from rigport.domain.customs.model import HELD_STATES, TERMINAL_STATES, State
from rigport.domain.customs.storage import ALERT_SHARE as STORAGE_ALERT_SHARE
from rigport.services.delay import delay_cost_per_unit_day, storage_rate_per_unit_day
from rigport.services.horizons import snapshot_warnings
from rigport.services.network import current_snapshot
from rigport.settings import Settings

__all__ = [
    "ClockView", "CostOfDelay", "DocumentView", "EventView", "LineItemView", "PartyView", "ShipmentDetail",
    "ShipmentListRow", "ShipmentSummary", "cost_of_delay", "detail", "detail_warnings", "list_view", "open_clocks",
]  # fmt: skip

CENT = Decimal("0.01")



class ClockView(TypedDict):
    """An open customs clock as a shipment's views show it (dates as ISO text)."""

    clock: str
    due: str
    days: int
    kind: str
    citation: str
    note: str | None
    event: str
    starts_from: str
    days_left: int
    overdue: bool
    may_not_apply: bool
    may_not_apply_reason: str | None


class CostOfDelay(TypedDict):
    held_units: int
    cost_per_unit_day_usd: Decimal
    cost_per_day_usd: Decimal
    days_held: int
    cost_to_date_usd: Decimal
    storage_accrued_usd: Decimal
    storage_alert: bool
    storage_share_of_value: Decimal | None
    storage_units: int
    held_unit_days: int
    storage_unit_days: int
    forgone_per_unit_day_usd: Decimal
    forgone_to_date_usd: Decimal
    storage_per_day_usd: Decimal
    hold_started_on: dt.date | None
    hold_ended_on: dt.date | None


class ShipmentDetail(ShipmentSummary):
    """Everything known about one shipment: what `shipments show`, the API and the dashboard's page read."""

    allowed_events: list[str]
    held_units: int
    line_items: list[LineItemView]
    parties: list[PartyView]
    documents: list[DocumentView]
    events: list[EventView]
    clocks: list[ClockView]
    cost_of_delay: CostOfDelay
    warnings: list[str]


class ShipmentListRow(ShipmentSummary):
    """A shipment in a list: its summary and the next deadline (None when no clock is open)."""

    next_deadline: ClockView | None



def open_clocks(row: ShipmentRow, today: dt.date | None = None) -> list[ClockView]:
    """Clocks started by the shipment's events that still matter: units remain in a state they govern."""
    today = today or dt.date.today()
    present = {q.state for q in row.quantities if q.quantity > 0}
    value = row.declared_value_usd
    started: list[Clock] = []
    if State.ARRIVED.value in present or State.GO_WAREHOUSE.value in present:
        started += clocks_for_event("arrival", row.arrival_date, value_usd=value)
    for event in row.events:
        if is_voided(event):
            continue
        clock_event = CLOCK_EVENT.get(event.event)
        if clock_event:
            started += clocks_for_event(
                clock_event, event.occurred_on, value_usd=value, other_agency_hold=row.other_agency_hold
            )
    latest: dict[str, Clock] = {}
    for clock in started:
        if set(clock.open_while) & present:
            latest[clock.clock] = clock  # a later event restarts the same clock
    return sorted(
        (
            {
                "clock": c.clock,
                "due": c.due.isoformat(),
                "days": c.days,
                "kind": c.kind,
                "citation": c.citation,
                "note": c.note,
                "event": c.event,
                "starts_from": c.starts_from.isoformat(),
                "days_left": (c.due - today).days,
                # a clock that may not apply (another agency's hold, 19 CFR 151.16(a)) is never flagged overdue
                "overdue": c.due < today and not c.may_not_apply,
                "may_not_apply": c.may_not_apply,
                "may_not_apply_reason": c.may_not_apply_reason,
            }
            for c in latest.values()
        ),
        key=lambda c: str(c["due"]),
    )



def _storage_money(row: ShipmentRow, unit_days: int) -> Decimal:
    """Storage over unit-days; a per-pallet rate is spread over the units exactly, rounded once."""
    if row.storage_pallets is not None and row.storage_usd_per_pallet_day is not None and row.total_units:
        exact = row.storage_usd_per_pallet_day * row.storage_pallets * unit_days / row.total_units
        return exact.quantize(CENT, ROUND_HALF_UP)
    return accrued_money(row.storage_usd_per_unit_day, unit_days)


def cost_of_delay(row: ShipmentRow, settings: Settings, today: dt.date) -> CostOfDelay:
    """What the shipment has cost so far and costs per further day, summed over its event history.

    Each unit adds margin and capital forgone for every day it was held (from the day it became held to the
    day it was released, re-exported or closed) and storage for every day it sat in the facility (from
    arrival to the day it left). Releasing units lowers `cost_per_day_usd`, never `cost_to_date_usd` or
    `storage_accrued_usd` (customs.accrual).
    """
    accrual = accrue(movements(row), today)
    held_units = sum(q.quantity for q in row.quantities if State(q.state) in HELD_STATES)
    storage_units = sum(q.quantity for q in row.quantities if State(q.state) not in TERMINAL_STATES)
    per_unit = delay_cost_per_unit_day(row, settings)
    storage_rate = storage_rate_per_unit_day(row)
    forgone_rate = max(Decimal(0), per_unit - storage_rate)  # margin and capital; storage is counted apart
    storage_accrued = _storage_money(row, accrual.storage_unit_days)
    storage_per_day = _storage_money(row, storage_units)
    forgone_per_day = accrued_money(forgone_rate, held_units)
    forgone_to_date = accrued_money(forgone_rate, accrual.held_unit_days)
    start, end = accrual.hold_started, accrual.hold_ended or today
    share = (storage_accrued / row.declared_value_usd).quantize(Decimal("0.0001")) if row.declared_value_usd > 0 \
        else None
    return {
        "held_units": held_units,
        "cost_per_unit_day_usd": per_unit,
        "cost_per_day_usd": forgone_per_day + storage_per_day,
        "days_held": max(0, (end - start).days) if start else 0,
        "cost_to_date_usd": forgone_to_date + storage_accrued,
        "storage_accrued_usd": storage_accrued,
        "storage_alert": share is not None and share >= STORAGE_ALERT_SHARE,
        "storage_share_of_value": share,
        # added with issue #25: the unit-days the money is computed from, and its parts
        "storage_units": storage_units,
        "held_unit_days": accrual.held_unit_days,
        "storage_unit_days": accrual.storage_unit_days,
        "forgone_per_unit_day_usd": forgone_rate,
        "forgone_to_date_usd": forgone_to_date,
        "storage_per_day_usd": storage_per_day,
        "hold_started_on": start,
        "hold_ended_on": accrual.hold_ended,
    }


# --- views -------------------------------------------------------------------------------------


def detail(row: ShipmentRow, settings: Settings, today: dt.date | None = None) -> ShipmentDetail:
    today = today or dt.date.today()
    shipment = to_domain(row)
    return {
        **summary(row),
        "allowed_events": allowed_events(shipment),
        "held_units": shipment.held_units,
        "line_items": [line_item_view(li) for li in row.line_items],
        "parties": [
            {"id": p.id, "role": p.role, "name": p.name, "country": p.country, "address": p.address}
            for p in row.parties
        ],
        "documents": [document_view(d) for d in row.documents],
        "events": [event_view(e) for e in row.events],
        "clocks": open_clocks(row, today),
        "cost_of_delay": cost_of_delay(row, settings, today),
        "warnings": detail_warnings(row, settings, today),
    }


def detail_warnings(row: ShipmentRow, settings: Settings, today: dt.date) -> list[str]:
    """Bundled facts a shipment's figures lean on past their horizon: the network snapshot behind the cost of
    delay, and the clock rules for events after the day they were last checked."""
    warnings = snapshot_warnings(current_snapshot(settings), today) if row.quantities else []
    for event in row.events:
        clock_event = CLOCK_EVENT.get(event.event)
        if clock_event:
            warnings += horizon_warnings(clock_event, event.occurred_on)
    return list(dict.fromkeys(warnings))



def list_view(row: ShipmentRow, today: dt.date) -> ShipmentListRow:
    clocks = open_clocks(row, today)
    return {**summary(row), "next_deadline": clocks[0] if clocks else None}

