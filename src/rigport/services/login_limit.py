"""The dashboard sign-in limit: at most N attempts a minute per account and per client address.

Counted in the database (`adapters/db/login_attempts.py`), so every server worker and process shares one
count, and decided before the password is checked: 40 wrong passwords sent at once to any number of
workers get N checks, the rest 429 (issue #26). Each key counts on its own, so one address guessing at
many accounts and many addresses guessing at one account are both held to N. A refused attempt counts
for nothing; a good sign-in gives its own place back and leaves every other attempt's count alone.
"""

from __future__ import annotations

import hashlib

from rigport.adapters.db import login_attempts
from rigport.adapters.db.login_attempts import Reservation
from rigport.settings import Settings

WINDOW_S = 60.0


def address_key(address: str) -> str:
    return f"address:{address[:64]}"


def account_key(username: str) -> str:
    """Hashed: a password typed into the username field is not stored; case-folded, as names are compared."""
    return "account:" + hashlib.sha256(username.casefold().encode("utf-8")).hexdigest()


def keys_for(address: str, username: str | None) -> list[str]:
    """The keys an attempt counts against: its address, and the account when it names one (not a token)."""
    return [address_key(address)] + ([account_key(username)] if username else [])


def begin_attempt(address: str, username: str | None, settings: Settings) -> Reservation:
    """Take a place for one sign-in attempt before its password or token is checked, or learn how long to wait."""
    return login_attempts.reserve(settings, keys_for(address, username), settings.login_attempts_per_minute,
                                  WINDOW_S)  # fmt: skip


def succeeded(reservation: Reservation, settings: Settings) -> None:
    """A good sign-in does not count: its own places are given back."""
    login_attempts.give_back(settings, reservation.ids)
