"""Use case: the open legal clocks as an RFC 5545 calendar (`rigport calendar`, the per-user feed).

One all-day event per open clock, its UID made of the shipment and the clock only, so when a later event
restarts a clock the calendar app moves the same entry instead of adding another; a clock that closed is
simply not in the next export, and apps that subscribed to the feed drop it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.render.calendar import CalendarEntry, render_calendar
from rigport.errors import InputError
from rigport.services.deadlines import OpenClock, open_clocks_now, shipment_url
from rigport.settings import Settings, get_settings

ALARM_DAYS = (7, 2)
MAY_NOT_APPLY = "[may not apply] "


class CalendarExported(TypedDict):
    """`rigport calendar --json`: the .ics file written and what is in it."""

    output: str
    as_of: dt.date
    days: int | None  # the window asked for (None: every open clock)
    events: int
    overdue: int
    may_not_apply: int
    bytes: int


def clock_uid(shipment: str, clock: str) -> str:
    """Stable across exports and hosts: the same shipment and clock always give the same UID."""
    digest = hashlib.sha256(f"{shipment}\x1f{clock}".encode()).hexdigest()[:24]
    return f"{digest}@clocks.rigport"


def entry_for(clock: OpenClock, public_url: str) -> CalendarEntry:
    """The calendar entry of one open clock: what is due, for which shipment, what is at stake, the rule."""
    mark = MAY_NOT_APPLY if clock.may_not_apply else ""
    url = shipment_url(public_url, clock.shipment)
    lines = [
        f"Shipment {clock.shipment} ({clock.port}): {clock.words} due {clock.due.isoformat()}.",
        f"Units: {clock.units:,}",
        f"Value at stake: ${clock.value_at_stake_usd:,.2f}",
        f"Citation: {clock.citation}",
        f"Started by: {clock.event} on {clock.starts_from.isoformat()}",
    ]
    if clock.note:
        lines.append(f"Note: {clock.note}")
    if clock.may_not_apply and clock.may_not_apply_reason:
        lines.append(f"May not apply: {clock.may_not_apply_reason}")
    lines.append(f"Shipment page: {url}")
    return CalendarEntry(
        uid=clock_uid(clock.shipment, clock.clock),
        day=clock.due,
        summary=f"{mark}{clock.shipment} ({clock.port}): {clock.words}",
        description="\n".join(lines),
        url=url,
        categories=("rigport", "customs deadline") + (("may not apply",) if clock.may_not_apply else ()),
        alarm_days_before=ALARM_DAYS,
        tentative=clock.may_not_apply,
    )


def calendar_bytes(clocks: Sequence[OpenClock], public_url: str, stamp: dt.datetime | None = None) -> bytes:
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    entries = [entry_for(c, public_url) for c in clocks]
    return render_calendar(entries, name="rigport customs deadlines", stamp=stamp)


def export_calendar(
    output: Path, *, days: int | None = None, settings: Settings | None = None, today: dt.date | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> CalendarExported:
    """Write the calendar of open clocks (due within `days`, overdue ones included) to `output`, atomically."""
    if days is not None and not 0 <= days <= 3650:
        raise InputError(f"expected 0 to 3650, got {days}", field="days")
    settings = settings or get_settings()
    today = today or dt.date.today()
    clocks = open_clocks_now(settings, today, days, uow=uow)
    data = calendar_bytes(clocks, settings.public_url)
    if output.is_dir():
        raise InputError(f"{output} is a directory; expected a file name such as deadlines.ics", field="output")
    if not output.parent.exists():
        raise InputError(f"directory {output.parent} does not exist", field="output")
    partial = output.with_name(output.name + ".partial")
    try:
        partial.write_bytes(data)
        partial.replace(output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InputError(f"cannot write {output}: {exc.strerror}", field="output") from None
    return {
        "output": str(output),
        "as_of": today,
        "days": days,
        "events": len(clocks),
        "overdue": sum(1 for c in clocks if c.overdue),
        "may_not_apply": sum(1 for c in clocks if c.may_not_apply),
        "bytes": len(data),
    }
