"""Issue #29 in the fast layer: the calendar of open clocks, and a user's feed behind a secret that can be rotated
and revoked and shows what its user may see (in memory; the ICS format and the HTTP feed are tested over the
databases in tests/reminders/)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from icalendar import Calendar

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.adapters.db.tables import UserRow
from rigport.errors import InputError, NotFoundError
from rigport.services import clients, shipments
from rigport.services.calendar import export_calendar
from rigport.services.calendar_feed import calendar_url, feed_for

TODAY = dt.date(2026, 3, 2)


def _shipment(uow: MemoryUnitOfWork, reference: str, arrival: dt.date, client: str | None = None) -> None:
    draft = shipments.ShipmentDraft(reference, "vessel", "Los Angeles", arrival, 100, Decimal(340000))
    shipments.create_shipment(draft, "tester", uow.settings, client=client, uow=uow)


def _summaries(ics: bytes) -> dict[str, dt.date]:
    return {str(e["SUMMARY"]): e.decoded("DTSTART") for e in Calendar.from_ical(ics).walk("VEVENT")}


def test_the_calendar_has_one_event_per_open_clock_until_it_closes(uow: MemoryUnitOfWork, tmp_path: Path) -> None:
    _shipment(uow, "SEA-1", TODAY - dt.timedelta(days=3))
    _shipment(uow, "SEA-2", TODAY - dt.timedelta(days=100))  # its arrival clocks are long overdue
    out = tmp_path / "deadlines.ics"
    summary = export_calendar(out, settings=uow.settings, today=TODAY, days=30, uow=uow)
    assert _summaries(out.read_bytes()) == {
        "SEA-1 (Los Angeles): entry due": TODAY + dt.timedelta(days=12),  # 15 days after arrival
        "SEA-1 (Los Angeles): general order warehouse": TODAY + dt.timedelta(days=13),
        "SEA-2 (Los Angeles): entry due": TODAY - dt.timedelta(days=85),
        "SEA-2 (Los Angeles): general order warehouse": TODAY - dt.timedelta(days=84),
    }
    assert (summary["events"], summary["overdue"], summary["bytes"]) == (4, 2, len(out.read_bytes()))
    assert export_calendar(out, settings=uow.settings, today=TODAY, days=0, uow=uow)["events"] == 2  # overdue only
    shipments.record_event("SEA-1", "entry-filed", TODAY - dt.timedelta(days=1), "tester", uow=uow)
    export_calendar(out, settings=uow.settings, today=TODAY, uow=uow)
    assert {s.split(":")[0] for s in _summaries(out.read_bytes())} == {"SEA-2 (Los Angeles)"}  # SEA-1 closed
    with pytest.raises(InputError, match="directory") as refused:
        export_calendar(tmp_path, settings=uow.settings, uow=uow)
    assert refused.value.field == "output"


def _user(uow: MemoryUnitOfWork, username: str, client_ids: str | None = None) -> None:
    with uow:
        uow.users.add(UserRow(username=username, password_hash="-", role="viewer", client_ids=client_ids))
        uow.commit()


def _secret(url: str | None) -> str:
    assert url is not None
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def test_a_feed_is_made_rotated_and_revoked_and_only_its_hash_is_kept(uow: MemoryUnitOfWork) -> None:
    _shipment(uow, "LAX-1", TODAY - dt.timedelta(days=10))
    _user(uow, "ann")
    made = calendar_url("ann", settings=uow.settings, uow=uow)
    assert made["active"] and made["url"] is not None and made["url"].startswith("http://127.0.0.1:8000/calendar/")
    secret = _secret(made["url"])
    assert set(_summaries(feed_for(secret, uow.settings, TODAY, uow=uow))) == {
        "LAX-1 (Los Angeles): entry due", "LAX-1 (Los Angeles): general order warehouse"}  # fmt: skip
    with uow:
        stored = [f.secret_hash for f in uow.store.side_tables.feeds]
    assert len(stored) == 1 and secret not in stored[0] and len(stored[0]) == 64
    again = calendar_url("ann", settings=uow.settings, uow=uow)
    assert again["url"] is None and again["active"] and again["note"] is not None  # not shown twice
    rotated = _secret(calendar_url("ann", rotate=True, settings=uow.settings, uow=uow)["url"])
    with pytest.raises(NotFoundError, match="no such calendar"):
        feed_for(secret, uow.settings, TODAY, uow=uow)  # the old secret ends with the rotation
    assert feed_for(rotated, uow.settings, TODAY, uow=uow)
    assert calendar_url("ann", revoke=True, settings=uow.settings, uow=uow)["active"] is False
    with pytest.raises(NotFoundError, match="no such calendar"):
        feed_for(rotated, uow.settings, TODAY, uow=uow)
    with uow:
        actions = [a.action for a in uow.audit.for_entity("user", "ann")]
    assert actions == ["calendar-url", "calendar-url", "revoke-calendar-url"]
    with pytest.raises(InputError) as both:
        calendar_url("ann", rotate=True, revoke=True, settings=uow.settings, uow=uow)
    assert both.value.field == "rotate_and_revoke"
    with pytest.raises(NotFoundError, match="user 'bob' not found"):
        calendar_url("bob", settings=uow.settings, uow=uow)


def test_a_feed_shows_only_the_clients_its_user_may_see(uow: MemoryUnitOfWork) -> None:
    alpha = clients.create_client("Alpha", "test", uow.settings, uow=uow)["id"]
    clients.create_client("Bravo", "test", uow.settings, uow=uow)
    _shipment(uow, "ALPHA-1", TODAY - dt.timedelta(days=10), client="Alpha")
    _shipment(uow, "BRAVO-1", TODAY - dt.timedelta(days=10), client="Bravo")
    _user(uow, "alpha-viewer", str(alpha))
    _user(uow, "broker")
    seen = {}
    for user in ("alpha-viewer", "broker"):
        secret = _secret(calendar_url(user, settings=uow.settings, uow=uow)["url"])
        seen[user] = {s.split(" ")[0] for s in _summaries(feed_for(secret, uow.settings, TODAY, uow=uow))}
    assert seen == {"alpha-viewer": {"ALPHA-1"}, "broker": {"ALPHA-1", "BRAVO-1"}}
