"""The lifecycle state machine: every transition, refusals naming both sides, and the quantity invariant."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from rigport.domain.customs.lifecycle import TRANSITIONS, allowed_events, apply_event
from rigport.domain.customs.model import Mode, Shipment, State
from rigport.errors import ConflictError, InputError

D = dt.date(2025, 1, 2)


def shipment(units: int = 10, state: State = State.ARRIVED) -> Shipment:
    return Shipment("T", Mode.VESSEL, "SFO", D, units, Decimal(1000), quantities={state: units})


@pytest.mark.parametrize(
    ("event", "source", "target"),
    [(event, source, target) for event, (sources, target) in TRANSITIONS.items() for source in sorted(sources)],
)
def test_every_allowed_transition(event: str, source: State, target: State | None) -> None:
    s = shipment(state=source)
    transition = apply_event(s, event, D, actor="t")
    assert transition.from_state == source and transition.quantity == 10
    assert s.quantities == {target or source: 10}


@pytest.mark.parametrize("event", list(TRANSITIONS))
def test_refused_events_name_event_and_state(event: str) -> None:
    sources, _ = TRANSITIONS[event]
    outside = next(s for s in State if s not in sources)
    s = shipment(state=outside)
    with pytest.raises(ConflictError) as caught:
        apply_event(s, event, D, actor="t")
    assert event in str(caught.value) and outside.value in str(caught.value)
    assert s.quantities == {outside: 10}


def test_partial_release_splits_quantities() -> None:
    s = shipment(100, State.DETAINED)
    apply_event(s, "release", D, actor="t", quantity=40)
    assert s.quantities == {State.DETAINED: 60, State.RELEASED: 40}
    assert s.primary_state == State.DETAINED and s.held_units == 60


def test_ambiguous_source_needs_from_state() -> None:
    s = Shipment("T", Mode.AIR, "DTW", D, 10, Decimal(1), quantities={State.ENTERED: 5, State.DETAINED: 5})
    with pytest.raises(InputError, match="from_state"):
        apply_event(s, "release", D, actor="t")
    apply_event(s, "release", D, actor="t", from_state=State.DETAINED)
    assert s.quantities == {State.ENTERED: 5, State.RELEASED: 5}


def test_event_before_arrival_is_refused() -> None:
    with pytest.raises(InputError, match="before the shipment's arrival"):
        apply_event(shipment(), "entry-filed", D - dt.timedelta(days=1), actor="t")


class RandomEvents(RuleBasedStateMachine):
    """Any sequence of events and quantities keeps every unit accounted for exactly once."""

    def __init__(self) -> None:
        super().__init__()
        self.shipment = shipment(50)

    @rule(event=st.sampled_from(list(TRANSITIONS)), quantity=st.one_of(st.none(), st.integers(-5, 60)),
          source=st.one_of(st.none(), st.sampled_from(list(State))))  # fmt: skip
    def apply(self, event: str, quantity: int | None, source: State | None) -> None:
        before = dict(self.shipment.quantities)
        try:
            apply_event(self.shipment, event, D, actor="h", quantity=quantity, from_state=source)
        except (ConflictError, InputError):
            assert self.shipment.quantities == before

    @invariant()
    def units_add_up(self) -> None:
        assert sum(self.shipment.quantities.values()) == 50
        assert all(n > 0 for n in self.shipment.quantities.values())

    @invariant()
    def allowed_events_are_applicable(self) -> None:
        present = {s for s, n in self.shipment.quantities.items() if n}
        for event in allowed_events(self.shipment):
            assert TRANSITIONS[event][0] & present


TestRandomEvents = RandomEvents.TestCase
TestRandomEvents.settings = hsettings(max_examples=150, stateful_step_count=30, deadline=None)
