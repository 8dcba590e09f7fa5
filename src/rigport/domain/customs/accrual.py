"""Cost already incurred, summed over a shipment's event history.

A unit held at the port costs money for every day it sat there, whatever happens to it later:
releasing 100 units today lowers what tomorrow costs, never what the last 71 days cost. So the
figures here are integrals of the event history, in unit-days, not "units held now x days":

- held unit-days: each unit counts from the day it entered a held state (detention, exclusion,
  seizure and what follows them) until the day it was released, re-exported or otherwise closed;
- storage unit-days: each unit counts from the shipment's arrival until the day it left the
  facility (released, re-exported, abandoned, destroyed or forfeited).

Days run from the event's date up to, not including, `today` (the day an event happens is the
first day of the new state, as in `customs.storage.accrue_storage`). Events dated after `today`
count nothing yet. Two ways of adding up the same history are given: by state over time
(`accrue`, what the services use) and by lot of units (`accrue_by_lot`, what a person reads as
"these 100 units sat 40 days"); they agree by construction and the property tests check it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from rigport.domain.customs.model import HELD_STATES, TERMINAL_STATES, State

CENT = Decimal("0.01")


def accrues_delay(state: State) -> bool:
    """Units in a held state earn nothing and count toward the cost of delay (CIT action included)."""
    return state in HELD_STATES


def accrues_storage(state: State) -> bool:
    """Units still in the facility: not released, re-exported or closed."""
    return state not in TERMINAL_STATES


@dataclass(frozen=True)
class Movement:
    """One recorded event that moved units: `from_state` None is the arrival of the shipment."""

    occurred_on: dt.date
    quantity: int
    from_state: State | None
    to_state: State


@dataclass(frozen=True)
class Accrual:
    """Unit-days accrued up to `as_of` (exclusive), and the units accruing on that day."""

    as_of: dt.date
    held_unit_days: int
    storage_unit_days: int
    held_units: int
    storage_units: int
    hold_started: dt.date | None
    hold_ended: dt.date | None  # the day the last held unit left, when none is held now


def _days(start: dt.date, end: dt.date) -> int:
    return max(0, (end - start).days)


def accrue(movements: Iterable[Movement], as_of: dt.date) -> Accrual:
    """Unit-days by state over time: every unit entering a state adds its days to `as_of`, leaving subtracts."""
    held_days = storage_days = held_units = storage_units = 0
    hold_started: dt.date | None = None
    last_left_hold: dt.date | None = None
    for m in sorted(movements, key=lambda m: m.occurred_on):
        days = _days(m.occurred_on, as_of)
        counted = m.occurred_on <= as_of
        for state, sign in ((m.from_state, -1), (m.to_state, +1)):
            if state is None:
                continue
            if accrues_delay(state):
                held_days += sign * m.quantity * days
                held_units += sign * m.quantity * counted
                if sign > 0 and counted and hold_started is None:
                    hold_started = m.occurred_on
                if sign < 0 and counted:
                    last_left_hold = m.occurred_on
            if accrues_storage(state):
                storage_days += sign * m.quantity * days
                storage_units += sign * m.quantity * counted
    return Accrual(as_of, held_days, storage_days, held_units, storage_units, hold_started,
                   last_left_hold if hold_started is not None and held_units == 0 else None)  # fmt: skip


@dataclass
class Lot:
    """Units that arrived together and have moved together since: their own days held and in storage."""

    units: int
    state: State
    arrived_on: dt.date
    held_days: int = 0
    storage_days: int = 0
    since: dt.date = field(default=dt.date.min)  # when the lot entered `state`
    held_from: dt.date | None = None
    left_on: dt.date | None = None  # released, re-exported or closed

    @property
    def held_unit_days(self) -> int:
        return self.units * self.held_days

    @property
    def storage_unit_days(self) -> int:
        return self.units * self.storage_days


def _close_interval(lot: Lot, until: dt.date) -> None:
    """Add the days the lot spent in its current state, up to `until`."""
    days = _days(lot.since, until)
    if accrues_delay(lot.state):
        lot.held_days += days
    if accrues_storage(lot.state):
        lot.storage_days += days


def accrue_by_lot(movements: Sequence[Movement], as_of: dt.date) -> list[Lot]:
    """Replay the history lot by lot, oldest lot first out of a state, splitting a lot when an event takes part of it.

    Events dated after `as_of` are not replayed. An event asking for more units than the lots in its source
    state hold (a history recorded out of order) moves what is there.
    """
    lots: list[Lot] = []
    for m in sorted((m for m in movements if m.occurred_on <= as_of), key=lambda m: m.occurred_on):
        if m.from_state is None:
            lots.append(Lot(m.quantity, m.to_state, m.occurred_on, since=m.occurred_on))
            continue
        wanted = m.quantity
        for lot in [lot for lot in lots if lot.state == m.from_state]:
            if wanted <= 0:
                break
            if lot.units > wanted:  # split: the rest stays, with the days it already has
                lots.insert(lots.index(lot) + 1, replace(lot, units=lot.units - wanted))
                lot.units = wanted
            wanted -= lot.units
            _close_interval(lot, m.occurred_on)
            lot.state, lot.since = m.to_state, m.occurred_on
            if accrues_delay(m.to_state) and lot.held_from is None:
                lot.held_from = m.occurred_on
            if not accrues_storage(m.to_state) and lot.left_on is None:
                lot.left_on = m.occurred_on
    for lot in lots:
        _close_interval(lot, as_of)
        lot.since = as_of
    return lots


def money(rate_per_unit_day: Decimal, unit_days: int) -> Decimal:
    """A per-unit-per-day rate over unit-days, rounded to cents once, at the end."""
    return (rate_per_unit_day * unit_days).quantize(CENT, ROUND_HALF_UP)
