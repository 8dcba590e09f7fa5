"""When a deadline reminder is due, what it is called, and what it says: pure rules (issue #29).

A recipient's rule names thresholds in days before a due date (default 7, 3 and 1), whether to remind on
the day itself and once when a clock is overdue, and whether to send a daily digest of what falls due in
the next 14 days. Each reminder has a key, (shipment, clock, due date, threshold, recipient), that the
outbox keeps unique and every message carries, so it is decided once and a receiver can drop a repeat.

Windows, not exact days: a clock 5 days away is in the 7-day window, so a run missed yesterday (a cron
outage) still sends the 7-day reminder today, and a clock first seen 2 days before its due date gets the
3-day reminder (the smallest threshold at or above the days left), never all three at once.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from rigport.errors import InputError

DEFAULT_BEFORE: tuple[int, ...] = (7, 3, 1)
DIGEST_DAYS = 14
DIGEST_MAX_ITEMS = 200  # a digest longer than this is not read: the rest is a count and a link
OVERDUE_WINDOW_DAYS = 30  # an overdue clock older than this is history, not news: no first reminder for it
MAX_BEFORE_DAYS = 365
ON_DAY = "on-day"
OVERDUE = "overdue"
DIGEST = "digest"
DIGEST_CLOCK = "*digest*"  # the key of a digest names no shipment or clock
CHANNELS = ("email", "webhook", "slack")


@dataclass(frozen=True)
class Rule:
    """What one recipient wants to hear about."""

    before: tuple[int, ...] = DEFAULT_BEFORE
    on_day: bool = True
    overdue: bool = True
    digest: bool = False


@dataclass(frozen=True)
class ClockFacts:
    """What the rules read of an open clock (the service builds it from `services.deadlines.OpenClock`)."""

    shipment: str
    port: str
    clock: str
    due: dt.date
    days_left: int
    may_not_apply: bool
    citation: str
    units: int
    value_at_stake_usd: Decimal
    url: str


@dataclass(frozen=True)
class Due:
    """A reminder that is due: its key's parts, without the recipient."""

    shipment: str
    clock: str
    due: dt.date
    threshold: str


def parse_before(text: str) -> tuple[int, ...]:
    """'7,3,1' -> (7, 3, 1); each a whole number of days from 1 to 365, no repeats."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    days: list[int] = []
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= MAX_BEFORE_DAYS:
            raise InputError(f"before: expected whole days from 1 to {MAX_BEFORE_DAYS} separated by commas, "
                             f"got {part!r}")  # fmt: skip
        if int(part) in days:
            raise InputError(f"before: {part} given twice")
        days.append(int(part))
    return tuple(sorted(days, reverse=True))


def threshold(days_left: int, rule: Rule, *, may_not_apply: bool = False) -> str | None:
    """The reminder a clock `days_left` from its due date is in the window of, or None.

    A clock that may not apply (another agency's hold) is never called overdue, as on the dashboard.
    """
    if days_left < 0:
        if rule.overdue and not may_not_apply and -days_left <= OVERDUE_WINDOW_DAYS:
            return OVERDUE
        return None
    if days_left == 0:
        return ON_DAY if rule.on_day else None
    if not rule.before or days_left > max(rule.before):
        return None  # most clocks, most days: out of every window
    return f"before-{min(n for n in rule.before if n >= days_left)}"


def due_reminders(clocks: Sequence[ClockFacts], rule: Rule, today: dt.date) -> list[Due]:
    """Every reminder one recipient is due today: one per clock in a window, plus the digest when asked."""
    found = []
    for c in clocks:
        name = threshold(c.days_left, rule, may_not_apply=c.may_not_apply)
        if name is not None:
            found.append(Due(c.shipment, c.clock, c.due, name))
    if rule.digest and digest_items(clocks):
        found.append(Due("", DIGEST_CLOCK, today, DIGEST))
    return found


def digest_items(clocks: Sequence[ClockFacts]) -> list[ClockFacts]:
    """What the daily digest lists: every open clock due within 14 days, overdue ones first."""
    return sorted((c for c in clocks if c.days_left <= DIGEST_DAYS), key=lambda c: (c.due, c.shipment, c.clock))


def reminder_key(shipment: str, clock: str, due: dt.date, threshold_name: str, recipient_id: int) -> str:
    """The key every message carries (webhook `id`, e-mail Message-ID): unique per reminder."""
    return f"{shipment or '-'}.{clock}.{due.isoformat()}.{threshold_name}.r{recipient_id}"


@dataclass(frozen=True)
class Message:
    """A reminder rendered once, when it is decided, and stored in the outbox as it will be sent."""

    subject: str
    text: str
    html: str
    data: dict[str, object]


def _when(threshold_name: str, days_left: int) -> str:
    if threshold_name == OVERDUE:
        return f"OVERDUE by {-days_left} day{'s' if days_left != -1 else ''}"
    if threshold_name == ON_DAY:
        return "due TODAY"
    return f"due in {days_left} day{'s' if days_left != 1 else ''}"


def _status(days_left: int) -> str:
    return _when(OVERDUE if days_left < 0 else ON_DAY if days_left == 0 else "before", days_left)


def _words(clock: str) -> str:
    """The clock in words, before "due ...", "OVERDUE ..." or "due TODAY": `entry_due` is "entry", not "entry due
    due in 3 days"."""
    return clock.removesuffix("_due").replace("_", " ")


def _line(c: ClockFacts) -> str:
    mark = " [may not apply]" if c.may_not_apply else ""
    return (f"{c.shipment} ({c.port}): {_words(c.clock)} due {c.due.isoformat()}{mark}; "
            f"{c.units:,} units, ${c.value_at_stake_usd:,.2f} at stake; {c.citation}; {c.url}")  # fmt: skip


def clock_subject(c: ClockFacts, threshold_name: str) -> str:
    subject = f"[rigport] {c.shipment}: {_words(c.clock)} {_when(threshold_name, c.days_left)} " \
              f"({c.due.isoformat()})"  # fmt: skip
    return subject + " [may not apply]" if c.may_not_apply else subject


def digest_subject(clocks: Sequence[ClockFacts], today: dt.date) -> str:
    count = len(digest_items(clocks))
    return f"[rigport] {count} deadline{'s' if count != 1 else ''} in the next {DIGEST_DAYS} days ({today.isoformat()})"


def clock_message(c: ClockFacts, threshold_name: str, key: str) -> Message:
    """The reminder of one clock: plain text, HTML and the JSON fields a webhook receives."""
    when = _when(threshold_name, c.days_left)
    words = _words(c.clock)
    subject = clock_subject(c, threshold_name)
    text = f"{subject}\n\n{_line(c)}\n\nReminder key: {key}\n"
    body = (
        f"<p><strong>{html.escape(c.shipment)}</strong> ({html.escape(c.port)}): {html.escape(words)} "
        f"<strong>{html.escape(when)}</strong> ({c.due.isoformat()}){' [may not apply]' if c.may_not_apply else ''}"
        f"</p><ul><li>Units: {c.units:,}</li><li>Value at stake: ${c.value_at_stake_usd:,.2f}</li>"
        f"<li>Citation: {html.escape(c.citation)}</li></ul>"
        f'<p><a href="{html.escape(c.url)}">Open the shipment</a></p><p><small>Reminder key: {html.escape(key)}'
        f"</small></p>"
    )
    data: dict[str, object] = {
        "id": key, "kind": "clock", "threshold": threshold_name, "shipment": c.shipment, "port": c.port,
        "clock": c.clock, "due": c.due.isoformat(), "days_left": c.days_left, "may_not_apply": c.may_not_apply,
        "units": c.units, "value_at_stake_usd": str(c.value_at_stake_usd), "citation": c.citation, "url": c.url,
        "text": subject,
    }  # fmt: skip
    return Message(subject, text, f"<html><body>{body}</body></html>", data)


def digest_message(clocks: Sequence[ClockFacts], today: dt.date, key: str) -> Message:
    """The daily digest: everything due within 14 days, in one message."""
    every = digest_items(clocks)
    items = every[:DIGEST_MAX_ITEMS]
    subject = digest_subject(clocks, today)
    lines = [f"- {_status(c.days_left)}: {_line(c)}" for c in items]
    if len(every) > len(items):
        lines.append(f"- and {len(every) - len(items):,} more: see the dashboard")
    text = f"{subject}\n\n" + "\n".join(lines) + f"\n\nReminder key: {key}\n"
    rows = "".join(f"<li>{html.escape(line[2:])}</li>" for line in lines)
    data: dict[str, object] = {
        "id": key, "kind": "digest", "threshold": DIGEST, "date": today.isoformat(), "text": subject,
        "total": len(every),
        "items": [{"shipment": c.shipment, "clock": c.clock, "due": c.due.isoformat(), "days_left": c.days_left,
                   "may_not_apply": c.may_not_apply, "units": c.units,
                   "value_at_stake_usd": str(c.value_at_stake_usd), "citation": c.citation, "url": c.url}
                  for c in items],
    }  # fmt: skip
    return Message(subject, text, f"<html><body><p>{html.escape(subject)}</p><ul>{rows}</ul></body></html>", data)


def backoff_seconds(attempts: int, base: float = 30.0, cap: float = 3600.0) -> float:
    """Wait before the next try after `attempts` failures: 30 s, 60 s, 2 min ... at most an hour."""
    return float(min(cap, base * 2 ** max(0, attempts - 1)))
