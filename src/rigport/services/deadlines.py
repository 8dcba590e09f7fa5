"""Use case: every open legal clock of every shipment, with what a reminder or calendar entry must say.

One computation: the portfolio's `open_deadlines` (itself `shipments.open_clocks` per shipment) decides
which clocks are open and when they fall due; this module only adds the units the clock governs and the
value they carry, so the dashboard, the calendar export, the feed and the reminders never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import cast
from urllib.parse import quote

from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.tables import ShipmentRow
from rigport.domain.customs.clocks import ClockRule, rules
from rigport.services._unit import unit
from rigport.services.portfolio import open_deadlines
from rigport.settings import Settings

CENT = Decimal("0.01")
EVERYTHING = 10**6  # a horizon no clock reaches: `open_deadlines` then marks every clock within it


@dataclass(slots=True)
class OpenClock:
    """An open clock of one shipment, as reminders and calendars show it."""

    shipment: str
    port: str
    clock: str
    due: dt.date
    days_left: int
    overdue: bool
    may_not_apply: bool
    may_not_apply_reason: str | None
    citation: str
    note: str | None
    event: str
    starts_from: dt.date
    units: int
    value_at_stake_usd: Decimal

    @property
    def words(self) -> str:
        """The clock's name in words: petition_for_relief -> petition for relief."""
        return self.clock.replace("_", " ")


def shipment_url(public_url: str, reference: str) -> str:
    """The dashboard page of a shipment, for links in calendar entries and reminders."""
    return f"{public_url.rstrip('/')}/shipments/{quote(reference, safe='')}"


@lru_cache(maxsize=4)
def _governed_states(table: tuple[ClockRule, ...]) -> dict[tuple[str, str], tuple[str, ...]]:
    """(clock event, clock) -> the states whose units the clock governs, from the clock table in force."""
    return {(r.event, r.clock): r.open_while for r in table}


def _held(row: ShipmentRow, states: tuple[str, ...]) -> int:
    wanted = set(states)
    return sum(q.quantity for q in row.quantities if q.state in wanted and q.quantity > 0)


def clocks_of(rows: Sequence[ShipmentRow], today: dt.date) -> list[OpenClock]:
    """The open clocks of these shipments, soonest first, each with its units and value at stake."""
    governed = _governed_states(rules())
    by_reference = {row.reference: row for row in rows}
    per_unit = {row.reference: row.declared_value_usd / row.total_units if row.total_units else Decimal(0)
                for row in rows}  # fmt: skip
    result = []
    for c in open_deadlines(list(rows), today, EVERYTHING):
        row = by_reference[c["shipment"]]
        units = _held(row, governed.get((c["event"], c["clock"]), ()))
        result.append(
            OpenClock(
                shipment=c["shipment"], port=c["port"], clock=c["clock"], due=dt.date.fromisoformat(c["due"]),
                days_left=c["days_left"], overdue=c["overdue"], may_not_apply=c["may_not_apply"],
                may_not_apply_reason=c["may_not_apply_reason"], citation=c["citation"], note=c["note"],
                event=c["event"], starts_from=dt.date.fromisoformat(c["starts_from"]), units=units,
                value_at_stake_usd=(per_unit[row.reference] * units).quantize(CENT, ROUND_HALF_UP),
            )
        )  # fmt: skip
    return result


def load_shipments(uow: AbstractUnitOfWork) -> list[ShipmentRow]:
    """Every shipment with its quantities and events (what clocks are computed from), in three queries.

    Plain records with a ShipmentRow's attributes (`reminder_repository.clock_data`), so `open_clocks` reads
    them unchanged: one computation of the clocks, without building ORM rows.
    """
    return cast(list[ShipmentRow], list(uow.shipments.clock_data()))


def open_clocks_now(
    settings: Settings | None = None, today: dt.date | None = None, within_days: int | None = None, *,
    uow: AbstractUnitOfWork | None = None,
) -> list[OpenClock]:
    """Every open clock today (overdue ones included); with `within_days`, only those due by then."""
    today = today or dt.date.today()
    with unit(settings, uow) as uow:
        clocks = clocks_of(load_shipments(uow), today)
    if within_days is not None:
        clocks = [c for c in clocks if c.days_left <= within_days]
    return clocks
