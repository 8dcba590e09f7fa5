"""Working days: Monday-Friday except US federal holidays (observed dates), per the `holidays` package."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> dict[dt.date, str]:
    """One year's observed federal holidays, built once: the package rebuilds its calendar on every call."""
    return {day: str(name) for day, name in holidays.country_holidays("US", years=year, observed=True).items()}


def is_federal_holiday(day: dt.date) -> bool:
    return day in _federal_holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_federal_holiday(day)


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `start` (the start day itself never counts)."""
    day = start
    remaining = count
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def holiday_name(day: dt.date) -> str | None:
    return _federal_holidays(day.year).get(day)
