"""Event dates: not after the port's today (plus a day), not before the event they follow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rigport.domain.customs.lifecycle import apply_event, check_date, states_since
from rigport.domain.customs.model import Mode, Shipment, State
from rigport.domain.customs.ports import DEFAULT_ZONE, latest_event_date, port_zone
from rigport.errors import InputError

D = dt.date


@pytest.mark.parametrize(
    ("port", "zone"),
    [("San Francisco", "America/Los_Angeles"), ("SFO", "America/Los_Angeles"), ("Detroit", "America/New_York"),
     ("DTW", "America/New_York"), ("Houston, TX", "America/Chicago"), ("Honolulu", "Pacific/Honolulu"),
     ("Port of LA", "America/Los_Angeles"), ("Nowhere Harbour", DEFAULT_ZONE)],
)  # fmt: skip
def test_port_zone(port: str, zone: str) -> None:
    assert port_zone(port) == zone


def test_latest_date_is_the_ports_today_plus_one() -> None:
    now = dt.datetime(2025, 3, 1, 6, 0, tzinfo=dt.UTC)  # 01:00 in Detroit, 22:00 the day before in San Francisco
    assert latest_event_date("Detroit", now) == D(2025, 3, 2)
    assert latest_event_date("San Francisco", now) == D(2025, 3, 1)


def test_future_and_out_of_order_dates_name_the_field() -> None:
    since = states_since(D(2025, 1, 2), [(D(2025, 1, 3), "entry-filed", State.ENTERED),
                                         (D(2025, 1, 9), "detention", State.DETAINED)])  # fmt: skip
    check_date(D(2025, 1, 9), arrival=D(2025, 1, 2), source=State.DETAINED, since=since, latest=D(2025, 1, 10))
    with pytest.raises(InputError, match=r"^date: 2031-01-01 is in the future.*2025-01-10"):
        check_date(D(2031, 1, 1), arrival=D(2025, 1, 2), source=State.DETAINED, since=since, latest=D(2025, 1, 10))
    with pytest.raises(InputError, match=r"^date: 2025-01-08 is before 2025-01-09.*DETAINED got there \(detention\)"):
        check_date(D(2025, 1, 8), arrival=D(2025, 1, 2), source=State.DETAINED, since=since, latest=D(2025, 1, 10))
    with pytest.raises(InputError, match=r"^date: 2025-01-01 is before the shipment's arrival"):
        check_date(D(2025, 1, 1), arrival=D(2025, 1, 2), source=State.ARRIVED, since=since)


def test_refused_date_moves_no_units() -> None:
    s = Shipment("T", Mode.AIR, "DTW", D(2025, 1, 2), 10, Decimal(1), quantities={State.DETAINED: 10})
    since = {State.DETAINED: (D(2025, 1, 9), "detention")}
    with pytest.raises(InputError, match="date"):
        apply_event(s, "release", D(2025, 1, 5), actor="t", since=since)
    with pytest.raises(InputError, match="date"):
        apply_event(s, "release", D(2025, 2, 5), actor="t", since=since, latest=D(2025, 2, 1))
    assert s.quantities == {State.DETAINED: 10}
