"""Use case: the whole book at a glance — units and value by state, money at risk, what is due next.

Everything is derived from the stored shipments and their events each time (never cached totals),
so the dashboard, `GET /api/v1/portfolio` and `rigport portfolio` always agree with the records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db import lookups
from rigport.adapters.db import scope as client_scope
from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.tables import ShipmentRow
from rigport.domain.customs.model import HELD_STATES, STATE_GROUPS, State, state_group
from rigport.errors import InputError
from rigport.services import clients
from rigport.services._unit import unit
from rigport.services.shipment_views import ClockView, CostOfDelay, cost_of_delay, open_clocks
from rigport.settings import Settings

CENT = Decimal("0.01")
DEFAULT_HORIZON_DAYS = 14


class GroupTotal(TypedDict):
    units: int
    value_usd: Decimal


class DeadlineRow(ClockView):
    """An open clock in the portfolio: which shipment and port, and whether it falls within the horizon."""

    shipment: str
    port: str
    within_horizon: bool


class ShipmentCost(CostOfDelay):
    reference: str
    client: str  # added with issue #28
    port: str
    state: str
    total_units: int
    declared_value_usd: Decimal


class UnitsOverTime(TypedDict):
    """Units per state group after each day something moved (a step series, plus today)."""

    dates: list[dt.date]
    series: dict[str, list[int]]


class ClientTotal(TypedDict):
    """One client's share of the book (issue #28): what is held, what it costs per day, its next deadline."""

    client: str
    shipments: int
    units_held: int
    value_held_usd: Decimal
    cost_per_day_usd: Decimal
    cost_to_date_usd: Decimal
    overdue: int
    next_deadline: DeadlineRow | None


class Portfolio(TypedDict):
    """Every shipment at once: units and value by state group, money at risk, deadlines, costs, history."""

    as_of: dt.date
    shipments: int
    units: int
    declared_value_usd: Decimal
    by_state: dict[str, GroupTotal]
    value_at_risk_usd: Decimal
    cost_per_day_usd: Decimal
    cost_to_date_usd: Decimal
    storage_accrued_usd: Decimal
    horizon_days: int
    deadlines: list[DeadlineRow]
    overdue: int
    open_deadlines: list[DeadlineRow]
    cost_by_shipment: list[ShipmentCost]
    units_over_time: UnitsOverTime
    warnings: list[str]
    by_client: list[ClientTotal]  # added with issue #28, largest value held first
    client: str | None  # the client the portfolio was asked for, None for the whole (visible) book


def _unit_value(row: ShipmentRow) -> Decimal:
    return row.declared_value_usd / row.total_units if row.total_units else Decimal(0)


def _by_group(rows: list[ShipmentRow]) -> dict[str, GroupTotal]:
    totals: dict[str, GroupTotal] = {g: {"units": 0, "value_usd": Decimal(0)} for g in STATE_GROUPS}
    for row in rows:
        for q in row.quantities:
            if q.quantity > 0:
                group = totals[state_group(State(q.state))]
                group["units"] += q.quantity
                group["value_usd"] += _unit_value(row) * q.quantity
    for group in totals.values():
        group["value_usd"] = group["value_usd"].quantize(CENT, ROUND_HALF_UP)
    return totals


def _value_at_risk(rows: list[ShipmentRow]) -> Decimal:
    held = {s.value for s in HELD_STATES}
    total = sum(
        (_unit_value(r) * q.quantity for r in rows for q in r.quantities if q.state in held and q.quantity > 0),
        Decimal(0),
    )
    return total.quantize(CENT, ROUND_HALF_UP)


def by_client(
    rows: list[ShipmentRow], costs: dict[str, CostOfDelay], deadlines: list[DeadlineRow]
) -> list[ClientTotal]:
    """The book client by client (clients without shipments are left out), largest value held first."""
    held = {s.value for s in HELD_STATES}
    owners = {r.reference: r.client.name for r in rows}
    totals: dict[str, ClientTotal] = {}
    for row in rows:
        name = owners[row.reference]
        total = totals.setdefault(name, {
            "client": name, "shipments": 0, "units_held": 0, "value_held_usd": Decimal(0),
            "cost_per_day_usd": Decimal(0), "cost_to_date_usd": Decimal(0), "overdue": 0, "next_deadline": None,
        })  # fmt: skip
        units = sum(q.quantity for q in row.quantities if q.state in held and q.quantity > 0)
        total["shipments"] += 1
        total["units_held"] += units
        total["value_held_usd"] += _unit_value(row) * units
        total["cost_per_day_usd"] += costs[row.reference]["cost_per_day_usd"]
        total["cost_to_date_usd"] += costs[row.reference]["cost_to_date_usd"]
    for deadline in deadlines:  # soonest first: the first seen is the client's next
        total = totals[owners[deadline["shipment"]]]
        total["overdue"] += 1 if deadline["overdue"] else 0
        total["next_deadline"] = total["next_deadline"] or deadline
    for total in totals.values():
        total["value_held_usd"] = total["value_held_usd"].quantize(CENT, ROUND_HALF_UP)
    return sorted(totals.values(), key=lambda t: (-t["value_held_usd"], t["client"]))


def open_deadlines(rows: list[ShipmentRow], today: dt.date, horizon_days: int) -> list[DeadlineRow]:
    """Every open clock of every shipment, soonest first (overdue ones first of all), each saying whether it
    falls within the horizon: a petition due in 21 days is as much in sight as one due tomorrow."""
    every: list[DeadlineRow] = [
        {"shipment": row.reference, "port": row.port, **clock, "within_horizon": clock["days_left"] <= horizon_days}
        for row in rows
        for clock in open_clocks(row, today)
    ]
    return sorted(every, key=lambda c: (c["due"], c["shipment"], c["clock"]))


def upcoming_deadlines(rows: list[ShipmentRow], today: dt.date, horizon_days: int) -> list[DeadlineRow]:
    """Open clocks due within the horizon, overdue ones included, most urgent first."""
    return [c for c in open_deadlines(rows, today, horizon_days) if c["within_horizon"]]


def units_by_state_over_time(rows: list[ShipmentRow], today: dt.date) -> UnitsOverTime:
    """Units per state group after each day on which something moved, replayed from the recorded events.

    A step series (one point per change, plus today) rather than one point per calendar day, so its
    size follows the number of events, not how long ago the oldest shipment arrived.
    """
    deltas: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for event in row.events:
            if event.to_state is None or event.from_state == event.to_state or event.voided_at is not None:
                continue
            if event.from_state is not None:
                deltas[event.occurred_on][state_group(State(event.from_state))] -= event.quantity
            deltas[event.occurred_on][state_group(State(event.to_state))] += event.quantity
    if not deltas:
        return {"dates": [], "series": {g: [] for g in STATE_GROUPS}}
    dates = sorted(set(deltas) | {today})
    series: dict[str, list[int]] = {g: [] for g in STATE_GROUPS}
    running = dict.fromkeys(STATE_GROUPS, 0)
    for day in dates:
        for group, change in deltas.get(day, {}).items():
            running[group] += change
        for group in STATE_GROUPS:
            series[group].append(running[group])
    return {"dates": dates, "series": series}


async def portfolio_key(settings: Settings, today: dt.date | None = None) -> tuple[Any, ...]:
    """What the portfolio is computed from: every shipment's version, the date, the catalog and network data.

    Async: the API awaits it on its event loop (`lookups.read_values_async`).
    """
    from rigport.services.delay import delay_inputs

    return (
        "portfolio",
        await lookups.shipments_fingerprint(settings),
        today or dt.date.today(),
        delay_inputs(settings),
        client_scope.current().label,  # a scoped caller's portfolio counts its clients only: another view
    )


def portfolio(
    settings: Settings | None = None, today: dt.date | None = None, horizon_days: int = DEFAULT_HORIZON_DAYS,
    client: str | None = None, *, uow: AbstractUnitOfWork | None = None,
) -> Portfolio:
    """The book the caller may see (a scoped identity: its clients'), or one client's with `client`."""
    today = today or dt.date.today()
    if not 0 <= horizon_days <= 3650:
        raise InputError(f"horizon_days: expected 0 to 3650, got {horizon_days}")
    with unit(settings, uow) as uow:
        settings = uow.settings
        client_id = clients.find(uow, client).id if client else None
        rows = [r for r in uow.shipments.all_with_details() if client_id is None or r.client_id == client_id]
        costs = {r.reference: cost_of_delay(r, uow.settings, today) for r in rows}
        every_deadline = open_deadlines(rows, today, horizon_days)
        deadlines = [c for c in every_deadline if c["within_horizon"]]
        history = units_by_state_over_time(rows, today)
        clients_total = by_client(rows, costs, every_deadline)
        groups = _by_group(rows)
        at_risk = _value_at_risk(rows)
        declared = sum((r.declared_value_usd for r in rows), Decimal(0))
        shipments: list[ShipmentCost] = [
            {"reference": r.reference, "client": r.client.name, "port": r.port, "state": r.primary_state,
             "total_units": r.total_units,
             "declared_value_usd": r.declared_value_usd, **costs[r.reference]}
            for r in rows
        ]  # fmt: skip
    return {
        "as_of": today,
        "shipments": len(rows),
        "units": sum(r["total_units"] for r in shipments),
        "declared_value_usd": declared,
        "by_state": groups,
        "value_at_risk_usd": at_risk,
        "cost_per_day_usd": sum((c["cost_per_day_usd"] for c in costs.values()), Decimal(0)),
        "cost_to_date_usd": sum((c["cost_to_date_usd"] for c in costs.values()), Decimal(0)),
        "storage_accrued_usd": sum((c["storage_accrued_usd"] for c in costs.values()), Decimal(0)),
        "horizon_days": horizon_days,
        "deadlines": deadlines,
        "overdue": sum(1 for d in deadlines if d["overdue"]),
        # added with issue #25: every open clock, soonest first, each with `within_horizon`
        "open_deadlines": every_deadline,
        "cost_by_shipment": shipments,
        "units_over_time": history,
        "warnings": _warnings(settings, today) if rows else [],
        "by_client": clients_total,
        "client": client,
    }


def _warnings(settings: Settings | None, today: dt.date) -> list[str]:
    """Every cost per day is priced from the network snapshot: say when it is past its horizon."""
    from rigport.services.horizons import snapshot_warnings
    from rigport.services.network import current_snapshot

    return snapshot_warnings(current_snapshot(settings), today)
