"""Legal clocks started by customs events, from the dated table rigport/data/clocks.csv.

A clock is derived, never stored: given the event, its date and (for bonds and the forfeiture
route) the value, the due dates follow from the regulation cited on each row.
Calendar-day deadlines are not moved off weekends or holidays here; such dates are flagged so a
person checks with the port (see docs/customs-clocks.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources

from rigport.domain.customs.calendar import add_working_days, holiday_name, is_working_day
from rigport.domain.customs.table_rows import Row, date_cell, read_rows, require_values, whole_number_cell
from rigport.errors import InputError

BOND_RATE = Decimal("0.10")
BOND_MIN = Decimal(250)
BOND_MAX = Decimal(5000)
BOND_CITATION = "19 USC 1608; 19 CFR 162.47(a)"
ADMIN_FORFEITURE_MAX = Decimal(500_000)
ADMIN_FORFEITURE_CITATION = "19 USC 1607(a)(1)"
OTHER_AGENCY_CITATION = "19 CFR 151.16(a)"
SECTION_151_16 = "19 CFR 151.16"
OTHER_AGENCY_NOTE = (
    "may not apply: CBP is holding the goods on behalf of another agency (e.g. the FCC), and 19 CFR 151.16(a) says "
    "the provisions of 151.16 'are not applicable to detentions effected by CBP on behalf of other agencies of the "
    "U.S. Government in whom the determination of admissibility is vested'; ask the port and that agency for the "
    "status in writing"
)


@dataclass(frozen=True)
class ClockRule:
    event: str
    clock: str
    amount: int
    unit: str
    start_offset_days: int
    citation: str
    note: str
    open_while: tuple[str, ...]
    source: str = ""
    verified_through: dt.date | None = None


@dataclass(frozen=True)
class Clock:
    """One deadline: when it falls, how it was counted, and the rule behind it.

    `days` is the rule's own count (5 working days, 30 calendar days ...); `due` is the date it gives.
    """

    clock: str
    due: dt.date
    days: int
    kind: str
    citation: str
    note: str | None
    starts_from: dt.date
    event: str
    may_not_apply: bool = False
    non_working_due_date: bool = False
    open_while: tuple[str, ...] = ()
    may_not_apply_reason: str | None = None


COLUMNS = ("event", "clock", "amount", "unit", "start_offset_days", "citation", "note", "open_while", "source",
           "verified_through")
UNITS = ("calendar", "working", "months")


def _rule(row: Row, where: str) -> ClockRule:
    require_values(row, where, ("event", "clock", "citation"))
    if row["unit"] not in UNITS:
        raise InputError(f"{where}, column unit: expected one of {', '.join(UNITS)}, got {row['unit']!r}")
    verified = date_cell(row, where, "verified_through")
    return ClockRule(
        event=row["event"], clock=row["clock"], amount=whole_number_cell(row, where, "amount", 1, 3650),
        unit=row["unit"], start_offset_days=whole_number_cell(row, where, "start_offset_days", 0, 3650),
        citation=row["citation"], note=row["note"], open_while=tuple(row["open_while"].split("|")),
        source=row["source"], verified_through=verified,
    )  # fmt: skip


def parse_rules(text: str, name: str = "clocks.csv") -> tuple[ClockRule, ...]:
    """Rules of a clock table in the bundled format; a bad row is an InputError naming its row and column."""
    return read_rows(text, name, COLUMNS, _rule)


@lru_cache(maxsize=1)
def bundled_rules() -> tuple[ClockRule, ...]:
    return parse_rules(resources.files("rigport.data").joinpath("clocks.csv").read_text(encoding="utf-8"))


_installed: tuple[ClockRule, ...] | None = None


def install_rules(table: tuple[ClockRule, ...] | None) -> None:
    """Put a user's clock table in force for this process (None: the bundled one). The service that read the
    user's file hands it over already parsed and checked (`check_user_rules`)."""
    global _installed
    _installed = table


def rules() -> tuple[ClockRule, ...]:
    """The clock table in force: the user's when one was installed, else the bundled one."""
    return _installed if _installed is not None else bundled_rules()


def check_user_rules(table: tuple[ClockRule, ...], name: str) -> None:
    """A user's table may change counts, citations and notes, not invent events the lifecycle never records."""
    for n, rule in enumerate(table, start=2):
        if rule.event not in EVENTS:
            raise InputError(f"{name}, row {n}, column event: expected one of {', '.join(EVENTS)}, got {rule.event!r}")


def horizon() -> dt.date:
    """The last date the clock table's sources were read; an event after it gets a warning."""
    return max(r.verified_through for r in rules() if r.verified_through is not None)


def horizon_warnings(event: str, on: dt.date) -> list[str]:
    """Why the clocks of an event on `on` may be out of date: the rules were last checked before that day."""
    checked = [r.verified_through for r in rules() if r.event == event and r.verified_through is not None]
    if checked and on > min(checked):
        return [
            f"clocks: the rules for {event} were last checked against the regulations on {min(checked)}, "
            f"the event is on {on}; check the eCFR for later amendments"
        ]
    return []


EVENTS: tuple[str, ...] = tuple(dict.fromkeys(rule.event for rule in bundled_rules()))


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def rests_on_151_16(rule: ClockRule) -> bool:
    """A clock whose authority is 19 CFR 151.16: the part that 151.16(a) switches off for other agencies' holds.

    Read from the citation so that a user's own clock table (same columns) gets the same treatment.
    """
    return SECTION_151_16 in rule.citation


def _due(rule: ClockRule, on: dt.date) -> dt.date:
    start = on + dt.timedelta(days=rule.start_offset_days)
    if rule.unit == "working":
        return add_working_days(start, rule.amount)
    if rule.unit == "months":
        return _add_months(start, rule.amount)
    return start + dt.timedelta(days=rule.amount)


def bond_amount(value_usd: Decimal) -> Decimal:
    """Claim and cost bond: 10% of the value, at least $250, at most $5,000."""
    return min(BOND_MAX, max(BOND_MIN, (value_usd * BOND_RATE).quantize(Decimal("0.01"), ROUND_HALF_UP)))


def forfeiture_route(value_usd: Decimal) -> str:
    """Administrative forfeiture is open to CBP up to $500,000; above that it must go to court."""
    return "administrative" if value_usd <= ADMIN_FORFEITURE_MAX else "judicial"


def _note(rule: ClockRule, value_usd: Decimal | None, due: dt.date) -> str:
    parts = [rule.note]
    if rule.clock == "claim_and_cost_bond" and value_usd is not None:
        parts.append(f"bond amount ${bond_amount(value_usd):,.2f} ({BOND_CITATION})")
    if rule.event == "seizure-notice-mailed" and value_usd is not None:
        route = forfeiture_route(value_usd)
        parts.append(f"{route} forfeiture route for a value of ${value_usd:,.2f} ({ADMIN_FORFEITURE_CITATION})")
    if not is_working_day(due):
        why = holiday_name(due) or due.strftime("%A")
        parts.append(f"due date falls on a non-working day ({why}): confirm with the port")
    return "; ".join(parts)


def clocks_for_event(
    event: str, on: dt.date, *, value_usd: Decimal | None = None, other_agency_hold: bool = False
) -> list[Clock]:
    """Every clock the event starts, sorted by due date.

    With `other_agency_hold` (CBP holding for e.g. the FCC) every clock resting on 19 CFR 151.16 is marked
    `may_not_apply`, with the reason; seizure, petition, forfeiture and protest clocks are unchanged.
    """
    if event not in EVENTS:
        raise InputError(f"event: expected one of {', '.join(EVENTS)}, got {event!r}")
    if value_usd is not None and value_usd < 0:
        raise InputError(f"value: expected a USD amount of 0 or more, got {value_usd}")
    result = []
    for rule in rules():
        if rule.event != event:
            continue
        due = _due(rule, on)
        may_not_apply = other_agency_hold and rests_on_151_16(rule)
        note = _note(rule, value_usd, due)
        if may_not_apply:
            note = f"{OTHER_AGENCY_NOTE}; {note}"
        result.append(
            Clock(
                clock=rule.clock,
                due=due,
                days=rule.amount if rule.unit in ("calendar", "working") else (due - on).days,
                kind="working" if rule.unit == "working" else "calendar",
                citation=rule.citation,
                note=note,
                starts_from=on,
                event=event,
                may_not_apply=may_not_apply,
                non_working_due_date=not is_working_day(due),
                open_while=rule.open_while,
                may_not_apply_reason=OTHER_AGENCY_NOTE if may_not_apply else None,
            )
        )
    return sorted(result, key=lambda c: c.due)
