"""Cost already incurred, from the event history: known vectors, and properties over any allowed history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from rigport.domain.customs.accrual import Movement, accrue, accrue_by_lot, money
from rigport.domain.customs.lifecycle import TRANSITIONS, apply_event
from rigport.domain.customs.model import HELD_STATES, Mode, Shipment, State

S = State
ARRIVAL = dt.date(2025, 1, 1)


def day(n: int) -> dt.date:
    return ARRIVAL + dt.timedelta(days=n)


def test_issue_25_release_keeps_what_the_released_units_cost() -> None:
    """1,000 units detained on day 10; 100 released on day 81: their 71 days held stay counted."""
    history = [Movement(ARRIVAL, 1000, None, S.ARRIVED), Movement(day(2), 1000, S.ARRIVED, S.ENTERED),
               Movement(day(5), 1000, S.ENTERED, S.EXAM_PRESENTED),
               Movement(day(10), 1000, S.EXAM_PRESENTED, S.DETAINED)]  # fmt: skip
    before = accrue(history, day(81))
    after = accrue([*history, Movement(day(81), 100, S.DETAINED, S.RELEASED)], day(81))
    assert before.held_unit_days == after.held_unit_days == 71_000
    assert before.storage_unit_days == after.storage_unit_days == 81_000
    assert (before.held_units, after.held_units) == (1000, 900)
    # ten days later the released 100 have stopped accruing, the 900 have not
    later = accrue([*history, Movement(day(81), 100, S.DETAINED, S.RELEASED)], day(91))
    assert later.held_unit_days == 71_000 + 900 * 10
    assert later.storage_unit_days == 81_000 + 900 * 10
    assert money(Decimal("2.00"), later.storage_unit_days) == Decimal("180000.00")


def test_units_released_before_others_were_held_count_only_their_days_at_port() -> None:
    """The demo's SFO shape: 1,500 released at entry, 500 detained later; the released never accrue delay."""
    history = [Movement(ARRIVAL, 2000, None, S.ARRIVED), Movement(day(1), 2000, S.ARRIVED, S.ENTERED),
               Movement(day(3), 1500, S.ENTERED, S.RELEASED), Movement(day(3), 500, S.ENTERED, S.EXAM_PRESENTED),
               Movement(day(6), 500, S.EXAM_PRESENTED, S.DETAINED)]  # fmt: skip
    a = accrue(history, day(20))
    assert a.held_unit_days == 500 * 14
    assert a.storage_unit_days == 1500 * 3 + 500 * 20
    assert a.hold_started == day(6) and a.hold_ended is None
    lots = accrue_by_lot(history, day(20))
    assert sorted((lot.units, lot.held_days, lot.storage_days) for lot in lots) == [(500, 14, 20), (1500, 0, 3)]


def test_events_after_the_day_asked_count_nothing_yet() -> None:
    history = [Movement(ARRIVAL, 10, None, S.ARRIVED), Movement(day(30), 10, S.ARRIVED, S.GO_WAREHOUSE)]
    assert accrue(history, day(10)).storage_unit_days == 100
    assert accrue(history, ARRIVAL).storage_unit_days == 0


def test_hold_end_is_the_day_the_last_held_unit_left() -> None:
    history = [Movement(ARRIVAL, 10, None, S.ARRIVED), Movement(day(1), 10, S.ARRIVED, S.ENTERED),
               Movement(day(1), 10, S.ENTERED, S.EXAM_PRESENTED), Movement(day(2), 10, S.EXAM_PRESENTED, S.DETAINED),
               Movement(day(9), 4, S.DETAINED, S.RELEASED), Movement(day(12), 6, S.DETAINED, S.RELEASED)]  # fmt: skip
    a = accrue(history, day(40))
    assert (a.hold_started, a.hold_ended, a.held_units) == (day(2), day(12), 0)
    assert a.held_unit_days == 4 * 7 + 6 * 10


# --- properties over any allowed history -------------------------------------------------------


@st.composite
def histories(draw: st.DrawFn) -> list[Movement]:
    """A random history the state machine allows: events in date order, partial quantities, any branch."""
    units = draw(st.integers(1, 50))
    shipment = Shipment("P", Mode.VESSEL, "SFO", ARRIVAL, units, Decimal(1000))
    moves = [Movement(ARRIVAL, units, None, S.ARRIVED)]
    on = ARRIVAL
    for _ in range(draw(st.integers(0, 14))):
        present = sorted(s for s, n in shipment.quantities.items() if n > 0)
        options = [(e, s) for e, (sources, target) in TRANSITIONS.items() if target for s in present if s in sources]
        if not options:
            break
        event, source = draw(st.sampled_from(options))
        quantity = draw(st.integers(1, shipment.quantities[source]))
        on += dt.timedelta(days=draw(st.integers(0, 40)))
        t = apply_event(shipment, event, on, actor="p", quantity=quantity, from_state=source)
        assert t.to_state is not None
        moves.append(Movement(on, quantity, t.from_state, t.to_state))
    return moves


def _totals(moves: list[Movement], on: dt.date) -> tuple[int, int]:
    a = accrue(moves, on)
    return a.held_unit_days, a.storage_unit_days


@hsettings(max_examples=300, deadline=None)
@given(histories(), st.lists(st.integers(0, 400), min_size=2, max_size=6))
def test_accrued_totals_never_decrease_as_time_passes(moves: list[Movement], offsets: list[int]) -> None:
    days = [day(n) for n in sorted(offsets)]
    totals = [_totals(moves, d) for d in days]
    for earlier, later in zip(totals, totals[1:], strict=False):
        assert later[0] >= earlier[0] and later[1] >= earlier[1]


@hsettings(max_examples=300, deadline=None)
@given(histories(), st.integers(0, 60))
def test_accrued_totals_never_decrease_as_events_are_added(moves: list[Movement], lag: int) -> None:
    """Recording an event never changes what was incurred up to its date; recorded as it happens, totals only grow."""
    shown = (0, 0)
    for k in range(1, len(moves) + 1):
        prefix, event = moves[:k], moves[k - 1]
        assert _totals(prefix, event.occurred_on) == _totals(moves[: k - 1], event.occurred_on)
        now = _totals(prefix, event.occurred_on)
        assert now[0] >= shown[0] and now[1] >= shown[1]
        shown = now
        # recorded `lag` days late: still at least what had accrued on the event's date
        late = _totals(prefix, event.occurred_on + dt.timedelta(days=lag))
        assert late[0] >= now[0] and late[1] >= now[1]


@hsettings(max_examples=300, deadline=None)
@given(histories(), st.integers(0, 400))
def test_the_sum_over_units_equals_the_shipment_figure(moves: list[Movement], offset: int) -> None:
    on = day(offset)
    lots = accrue_by_lot(moves, on)
    a = accrue(moves, on)
    assert sum(lot.units for lot in lots) == moves[0].quantity
    assert sum(lot.held_unit_days for lot in lots) == a.held_unit_days
    assert sum(lot.storage_unit_days for lot in lots) == a.storage_unit_days
    assert sum(lot.units for lot in lots if lot.state in HELD_STATES) == a.held_units
