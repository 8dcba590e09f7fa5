"""Which time zone a port of entry keeps, so "today" means the port's today.

An event dated after the port's today (plus one day's allowance, for a notice read late at night on
another coast) has not happened yet. Ports are free text in the record, so a port is matched by the
names and codes people write for it; an unknown port keeps Eastern time, the latest of the mainland
zones, so a real event is never refused for being "tomorrow" (the one-day allowance covers the rest).
Zones are IANA names (https://www.iana.org/time-zones, read 2026-12-07).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "America/New_York"
ALLOWANCE_DAYS = 1

_ZONES: dict[str, tuple[str, ...]] = {
    "America/Los_Angeles": ("los angeles", "long beach", "san francisco", "oakland", "seattle", "tacoma",
                            "portland", "san diego", "sacramento", "las vegas", "reno", "blaine", "lax", "sfo",
                            "sea", "oak", "san jose", "ontario", "la", "ca", "wa", "nv"),
    "America/Denver": ("denver", "salt lake", "el paso", "albuquerque", "boise", "den", "slc", "co", "ut", "nm"),
    "America/Phoenix": ("phoenix", "nogales", "tucson", "phx", "az"),
    "America/Chicago": ("chicago", "houston", "dallas", "fort worth", "new orleans", "memphis", "kansas city",
                        "minneapolis", "st. louis", "saint louis", "laredo", "san antonio", "austin", "ord", "dfw",
                        "iah", "msp", "il", "tx", "tn", "mn", "mo"),
    "America/Anchorage": ("anchorage", "fairbanks", "anc", "ak"),
    "Pacific/Honolulu": ("honolulu", "hnl", "hi"),
    "Pacific/Guam": ("guam", "gum"),
    "America/Puerto_Rico": ("san juan", "sju", "pr"),
    "America/New_York": ("new york", "newark", "savannah", "charleston", "norfolk", "baltimore", "miami", "atlanta",
                         "detroit", "boston", "philadelphia", "jacksonville", "port everglades", "wilmington",
                         "buffalo", "cincinnati", "louisville", "jfk", "ewr", "dtw", "mia", "atl", "cvg", "sdf",
                         "ny", "nj", "ga", "sc", "va", "md", "fl", "mi", "ma", "pa", "oh", "ky"),
}  # fmt: skip


def port_zone(port: str) -> str:
    """The IANA zone of a port written as people write it ("San Francisco", "SFO", "Detroit, MI").

    City names are found anywhere in the text first; then airport codes and state abbreviations as words.
    """
    text = port.lower()
    for zone, names in _ZONES.items():
        if any(n in text for n in names if len(n) > 3):
            return zone
    words = set(re.findall(r"[a-z]+", text))
    for zone, names in _ZONES.items():
        if any(n in words for n in names if len(n) <= 3):
            return zone
    return DEFAULT_ZONE


def latest_event_date(port: str, now: dt.datetime | None = None) -> dt.date:
    """The last date an event at this port may carry: the port's today plus the allowance."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(ZoneInfo(port_zone(port))).date() + dt.timedelta(days=ALLOWANCE_DAYS)
