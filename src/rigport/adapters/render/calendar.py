"""RFC 5545 calendars (iCalendar): all-day entries with alarms, as the calendar export and the feed serve them.

Domain-free on purpose: it knows all-day entries with alarms, not customs clocks, so the calendar file
export and the subscribable feed (issue #29) render the same entries the same way.

Two renderers, one output. `render_with_icalendar` builds the calendar with the `icalendar` library's
components; it is the reference. `render_calendar`, used by rigport, writes the same content lines itself
because icalendar's `to_ical` costs ~3 ms an event on the reference machine (30 s for 10,000 open clocks,
against the 2 s target; docs/benchmarks.md): property values escaped as RFC 5545 3.3.11 says (backslash,
semicolon, comma, newline), lines folded at 75 octets without splitting a UTF-8 character (3.1), CRLF line
ends. Tests parse its output back with icalendar and compare it, event by event, with the reference.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from icalendar import Alarm, Calendar, Event

PRODID = "-//rigport//customs deadlines//EN"
CRLF = b"\r\n"
FOLD_OCTETS = 75
_SPECIAL = re.compile(r"[\\;,\r\n]")


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

    @property
    def status(self) -> str:
        return "CANCELLED" if self.cancelled else "TENTATIVE" if self.tentative else "CONFIRMED"


def alarm_text(days: int) -> str:
    return f"rigport: customs deadline in {days} days"


# the fast renderer


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as \\n."""
    if not _SPECIAL.search(value):
        return value
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))  # fmt: skip


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded so no physical line exceeds 75 octets (RFC 5545 3.1).

    A continuation starts with one space, which counts toward its 75; a cut never falls inside a
    multi-byte character (a byte 0b10xxxxxx continues the character before it).
    """
    raw = line.encode("utf-8")
    if len(raw) <= FOLD_OCTETS:
        return raw + CRLF
    parts, start, width = [], 0, FOLD_OCTETS
    while len(raw) - start > width:
        cut = start + width
        while raw[cut] & 0xC0 == 0x80:
            cut -= 1
        parts.append(raw[start:cut])
        start, width = cut, FOLD_OCTETS - 1
    parts.append(raw[start:])
    return b"\r\n ".join(parts) + CRLF


def _alarm(days: int) -> bytes:
    return b"".join(fold(line) for line in ("BEGIN:VALARM", "ACTION:DISPLAY",
                                            f"DESCRIPTION:{escape_text(alarm_text(days))}",
                                            f"TRIGGER:-P{days}D", "END:VALARM"))  # fmt: skip


def _event_bytes(entry: CalendarEntry, stamp: bytes, alarms: dict[int, bytes]) -> bytes:
    lines = [
        b"BEGIN:VEVENT\r\n",
        fold(f"UID:{escape_text(entry.uid)}"),
        stamp,
        fold(f"DTSTART;VALUE=DATE:{entry.day:%Y%m%d}"),
        fold(f"DTEND;VALUE=DATE:{entry.day + dt.timedelta(days=1):%Y%m%d}"),
        fold(f"SUMMARY:{escape_text(entry.summary)}"),
        fold(f"DESCRIPTION:{escape_text(entry.description)}"),
        b"TRANSP:TRANSPARENT\r\n",
        fold(f"STATUS:{entry.status}"),
    ]
    if entry.url:
        lines.append(fold(f"URL:{entry.url}"))  # a URI value: not TEXT, so not escaped
    if entry.categories:
        lines.append(fold("CATEGORIES:" + ",".join(escape_text(c) for c in entry.categories)))
    for days in entry.alarm_days_before:
        if days not in alarms:
            alarms[days] = _alarm(days)
        lines.append(alarms[days])
    lines.append(b"END:VEVENT\r\n")
    return b"".join(lines)


def render_calendar(entries: Iterable[CalendarEntry], *, name: str, stamp: dt.datetime) -> bytes:
    """The calendar as bytes, ready to write or serve as text/calendar (UTF-8, CRLF line ends)."""
    stamp_line = fold(f"DTSTAMP:{stamp.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}")
    alarms: dict[int, bytes] = {}
    head = b"".join(fold(line) for line in ("BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{escape_text(PRODID)}",
                                            "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                                            f"X-WR-CALNAME:{escape_text(name)}"))  # fmt: skip
    body = b"".join(_event_bytes(entry, stamp_line, alarms) for entry in entries)
    return head + body + b"END:VCALENDAR\r\n"


# the reference renderer


def render_with_icalendar(entries: Iterable[CalendarEntry], *, name: str, stamp: dt.datetime) -> bytes:
    """The same calendar built with icalendar's components: slow, and the reference the tests compare with."""
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        event.add("dtstart", entry.day)
        event.add("dtend", entry.day + dt.timedelta(days=1))
        event.add("summary", entry.summary)
        event.add("description", entry.description)
        event.add("transp", "TRANSPARENT")
        event.add("status", entry.status)
        if entry.url:
            event.add("url", entry.url)
        if entry.categories:
            event.add("categories", list(entry.categories))
        for days in entry.alarm_days_before:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", alarm_text(days))
            alarm.add("trigger", dt.timedelta(days=-days))
            event.add_component(alarm)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
