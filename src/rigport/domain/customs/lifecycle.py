"""The customs lifecycle as a state machine over quantities of units.

Events move some or all units from one state to another (partial releases were the 2025
reality). Transitions follow 19 CFR parts 141-174 (entry, detention 151.16, seizure 162, petitions
171, protests 174); an event that is not allowed from the current state is refused with a message
naming both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rigport.domain.customs.model import Shipment, State
from rigport.errors import ConflictError, InputError

S = State

# event -> (allowed source states, target state or None when the event starts clocks only)
TRANSITIONS: dict[str, tuple[frozenset[State], State | None]] = {
    "entry-filed": (frozenset({S.ARRIVED, S.GO_WAREHOUSE}), S.ENTERED),
    "go-warehouse": (frozenset({S.ARRIVED}), S.GO_WAREHOUSE),
    "exam-presented": (frozenset({S.ENTERED}), S.EXAM_PRESENTED),
    "release": (frozenset({S.ENTERED, S.EXAM_PRESENTED, S.DETAINED, S.PROTESTED, S.REMITTED}), S.RELEASED),
    "detention": (frozenset({S.EXAM_PRESENTED}), S.DETAINED),
    "exclusion": (frozenset({S.DETAINED}), S.EXCLUDED),
    "deemed-exclusion": (frozenset({S.DETAINED}), S.DEEMED_EXCLUDED),
    "seizure-notice-mailed": (frozenset({S.DETAINED}), S.SEIZED),
    "forfeiture-notice-published": (frozenset({S.SEIZED, S.PETITION_DENIED}), None),
    "protest-filed": (frozenset({S.EXCLUDED, S.DEEMED_EXCLUDED}), S.PROTESTED),
    "protest-denied": (frozenset({S.PROTESTED}), S.PROTEST_DENIED),
    "cit-action": (frozenset({S.PROTEST_DENIED}), S.CIT_ACTION),
    "petition-filed": (frozenset({S.SEIZED}), S.PETITIONED),
    "judicial-referral": (frozenset({S.SEIZED}), S.JUDICIAL_REFERRAL),
    "petition-granted": (frozenset({S.PETITIONED, S.SUPPLEMENTAL_PETITION}), S.REMITTED),
    "petition-denied": (frozenset({S.PETITIONED}), S.PETITION_DENIED),
    "supplemental-petition": (frozenset({S.PETITION_DENIED}), S.SUPPLEMENTAL_PETITION),
    "forfeiture": (frozenset({S.SEIZED, S.PETITION_DENIED, S.SUPPLEMENTAL_PETITION}), S.FORFEITED),
    "re-export": (frozenset({S.EXCLUDED, S.DEEMED_EXCLUDED, S.PROTEST_DENIED, S.REMITTED}), S.RE_EXPORTED),
    "abandon": (frozenset({S.GO_WAREHOUSE, S.EXCLUDED, S.DEEMED_EXCLUDED, S.PROTEST_DENIED, S.SEIZED}), S.ABANDONED),
    "destroy": (frozenset({S.EXCLUDED, S.DEEMED_EXCLUDED}), S.DESTROYED),
}
EVENTS = tuple(TRANSITIONS)

# Lifecycle events that start legal clocks (rigport.domain.customs.clocks event names).
CLOCK_EVENT = {
    "exam-presented": "exam-presented",
    "detention": "detention",
    "exclusion": "exclusion",
    "deemed-exclusion": "exclusion",
    "seizure-notice-mailed": "seizure-notice-mailed",
    "forfeiture-notice-published": "forfeiture-notice-published",
    "protest-filed": "protest-filed",
    "petition-granted": "petition-decision",
    "petition-denied": "petition-decision",
}


@dataclass(frozen=True)
class Transition:
    """What an event did: recorded with time, actor and the event's data."""

    event: str
    occurred_on: dt.date
    quantity: int
    from_state: State
    to_state: State | None
    actor: str
    data: dict[str, Any] = field(default_factory=dict)


def allowed_events(shipment: Shipment) -> list[str]:
    """Events that some units of the shipment could take now."""
    present = {s for s, n in shipment.quantities.items() if n > 0}
    return [event for event, (sources, _) in TRANSITIONS.items() if sources & present]


def _source_state(shipment: Shipment, event: str, from_state: State | None) -> State:
    sources, _ = TRANSITIONS[event]
    present = {s for s, n in shipment.quantities.items() if n > 0}
    if from_state is not None:
        if from_state not in sources:
            raise ConflictError(
                f"event {event!r} is not allowed from state {from_state.value}; allowed from "
                f"{', '.join(sorted(s.value for s in sources))}"
            )
        if from_state not in present:
            raise ConflictError(f"shipment {shipment.reference} has no units in state {from_state.value}")
        return from_state
    candidates = sources & present
    if not candidates:
        current = ", ".join(f"{s.value} ({n})" for s, n in shipment.quantities.items() if n > 0)
        raise ConflictError(
            f"event {event!r} is not allowed from the current state of shipment {shipment.reference}: {current}; "
            f"it needs units in {', '.join(sorted(s.value for s in sources))}"
        )
    if len(candidates) > 1:
        raise InputError(
            f"from_state: event {event!r} could apply to units in {', '.join(sorted(s.value for s in candidates))}; "
            "say which"
        )
    return next(iter(candidates))


def check_date(
    occurred_on: dt.date,
    *,
    arrival: dt.date,
    source: State,
    since: Mapping[State, tuple[dt.date, str]] | None = None,
    latest: dt.date | None = None,
) -> None:
    """An event cannot be dated before the arrival, before the event that brought its units to `source`, or
    after `latest` (the port's today plus a day's allowance): such a date is a typing slip, not a fact."""
    if occurred_on < arrival:
        raise InputError(f"date: {occurred_on} is before the shipment's arrival on {arrival}")
    if latest is not None and occurred_on > latest:
        raise InputError(
            f"date: {occurred_on} is in the future; the latest date an event can carry at this port today is "
            f"{latest} (today there, plus one day)"
        )
    entered = (since or {}).get(source)
    if entered is not None and occurred_on < entered[0]:
        raise InputError(
            f"date: {occurred_on} is before {entered[0]}, when the units in {source.value} got there "
            f"({entered[1]}); an event cannot come before the event it follows"
        )


def apply_event(
    shipment: Shipment,
    event: str,
    occurred_on: dt.date,
    *,
    actor: str,
    quantity: int | None = None,
    from_state: State | None = None,
    data: dict[str, Any] | None = None,
    since: Mapping[State, tuple[dt.date, str]] | None = None,
    latest: dt.date | None = None,
) -> Transition:
    """Move `quantity` units (default: all in the source state) and return the transition.

    `since` gives, for each state, the date and name of the latest event that moved units into it, and
    `latest` the last date allowed (see `check_date`); without them only the arrival date is checked.
    """
    if event not in TRANSITIONS:
        raise InputError(f"event: expected one of {', '.join(EVENTS)}, got {event!r}")
    if occurred_on < shipment.arrival_date:
        raise InputError(f"date: {occurred_on} is before the shipment's arrival on {shipment.arrival_date}")
    source = _source_state(shipment, event, from_state)
    check_date(occurred_on, arrival=shipment.arrival_date, source=source, since=since, latest=latest)
    available = shipment.quantities.get(source, 0)
    moved = available if quantity is None else quantity
    if moved <= 0:
        raise InputError(f"quantity: expected a whole number of units of at least 1, got {quantity}")
    if moved > available:
        raise InputError(f"quantity: {moved} units requested but only {available} are in state {source.value}")
    _, target = TRANSITIONS[event]
    if target is not None:
        shipment.quantities[source] = available - moved
        shipment.quantities[target] = shipment.quantities.get(target, 0) + moved
        shipment.quantities = {s: n for s, n in shipment.quantities.items() if n > 0}
    shipment.check_invariant()
    return Transition(event, occurred_on, moved, source, target, actor, dict(data or {}))


def states_since(
    arrival: dt.date, moves: Iterable[tuple[dt.date, str, State | None]]
) -> dict[State, tuple[dt.date, str]]:
    """For each state, the latest (date, event) that moved units into it: what a new event from it follows."""
    since: dict[State, tuple[dt.date, str]] = {State.ARRIVED: (arrival, "arrival")}
    for on, event, target in moves:
        if target is not None and (target not in since or on >= since[target][0]):
            since[target] = (on, event)
    return since
