"""RFC 5545 calendars (iCalendar) with the maintained `icalendar` library: folding, CRLF and escaping are its job.

Domain-free on purpose: it knows all-day entries with alarms, not customs clocks, so the calendar file
export and the subscribable feed (issue #29) render the same entries the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from icalendar import Alarm, Calendar, Event

PRODID = "-//rigport//customs deadlines//EN"


@dataclass(frozen=True)
class CalendarEntry:
    """One all-day event: `day` is the date it falls on; `uid` must stay the same across exports so calendar
    apps update the event instead of adding a copy; `alarm_days_before` become VALARMs."""

    uid: str
    day: dt.date
    summary: str
    description: str
    url: str | None = None
    categories: tuple[str, ...] = ()
    alarm_days_before: Sequence[int] = (7, 2)
    cancelled: bool = False
    tentative: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def render_calendar(entries: Iterable[CalendarEntry], *, name: str, stamp: dt.datetime) -> bytes:
    """The calendar as bytes, ready to write or serve as text/calendar (UTF-8, CRLF line ends)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        calendar.add_component(_event(entry, stamp))
    return bytes(calendar.to_ical())


def _event(entry: CalendarEntry, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.day)  # a date, not a datetime: DTSTART;VALUE=DATE, an all-day event
    event.add("dtend", entry.day + dt.timedelta(days=1))
    event.add("summary", entry.summary)
    event.add("description", entry.description)
    event.add("transp", "TRANSPARENT")
    if entry.url:
        event.add("url", entry.url)
    if entry.categories:
        event.add("categories", list(entry.categories))
    if entry.cancelled:
        event.add("status", "CANCELLED")
    elif entry.tentative:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    for key, value in entry.extra.items():
        event.add(key, value)
    for days in entry.alarm_days_before:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{entry.summary} (in {days} days)")
        alarm.add("trigger", dt.timedelta(days=-days))
        event.add_component(alarm)
    return event
