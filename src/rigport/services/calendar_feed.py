"""Use case: one subscribable calendar URL per user (`GET /calendar/{secret}.ics`), rotatable and revocable.

The secret in the URL is the only credential, and it opens nothing but this read-only feed: it is not a
token or a session, and the API and dashboard never accept it. Only its SHA-256 is stored, so the URL is
shown once, when made or rotated; a lost URL is replaced with `--rotate`, which ends the old one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.reminder_tables import CalendarFeedRow
from rigport.adapters.db.scope import Scope
from rigport.errors import InputError, NotFoundError
from rigport.services._unit import unit
from rigport.services.auth import USERNAME
from rigport.services.calendar import calendar_bytes
from rigport.services.deadlines import open_clocks_now
from rigport.settings import Settings, get_settings

SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


class CalendarUrl(TypedDict):
    """`rigport users calendar-url --json`: a user's feed, its URL only when a new secret was just made."""

    username: str
    url: str | None  # shown once, when made or rotated
    active: bool
    created_at: dt.datetime | None
    note: str | None  # why there is no URL although the feed is active


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_url(public_url: str, secret: str) -> str:
    return f"{public_url.rstrip('/')}/calendar/{secret}.ics"


def calendar_url(
    username: str, *, rotate: bool = False, revoke: bool = False, actor: str = "cli", settings: Settings | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> CalendarUrl:
    """Make the user's feed URL (first time, after a revoke, or with `rotate`), or revoke it.

    `url` is given only when a new secret was made; otherwise the feed's state is reported.
    """
    if rotate and revoke:
        raise InputError("give one or the other, not both", field="rotate_and_revoke")
    settings = settings or get_settings()
    with unit(settings, uow) as uow:
        user = uow.users.by_name(username) if USERNAME.match(username) else None
        if user is None:
            raise NotFoundError(f"user {username!r} not found")
        repo = uow.reminders
        feed = repo.feed_for_user(user.id)
        now = dt.datetime.now(dt.UTC)
        secret = None
        if revoke:
            if feed is not None and feed.revoked_at is None:
                feed.revoked_at = now
                uow.audit.record(actor, "revoke-calendar-url", "user", username, None, {"revoked": True})
        elif feed is None or feed.revoked_at is not None or rotate:
            secret = secrets.token_urlsafe(32)
            if feed is None:
                feed = CalendarFeedRow(user_id=user.id, secret_hash=_hash(secret), created_at=now)
                repo.add_feed(feed)
            else:
                feed.secret_hash, feed.created_at, feed.revoked_at = _hash(secret), now, None
            uow.audit.record(actor, "calendar-url", "user", username, None, {"rotated": rotate})
        uow.commit()
        active = feed is not None and feed.revoked_at is None
        created = feed.created_at if feed is not None else None
    return {
        "username": username,
        "url": feed_url(settings.public_url, secret) if secret else None,
        "active": active,
        "created_at": created,
        "note": None if secret or not active else "the URL was shown when it was made; --rotate makes a new one "
        "and ends the old",
    }


def feed_for(
    secret: str, settings: Settings | None = None, today: dt.date | None = None, *,
    uow: AbstractUnitOfWork | None = None,
) -> bytes:
    """The calendar behind a feed secret; NotFoundError for an unknown, revoked or disabled user's secret."""
    settings = settings or get_settings()
    if not SECRET_SHAPE.match(secret):
        raise NotFoundError("no such calendar")
    with unit(settings, uow) as uow:
        feed = uow.reminders.feed_by_hash(_hash(secret))
        user = uow.users.get(feed.user_id) if feed is not None else None
        if feed is None or feed.revoked_at is not None or user is None or user.disabled_at is not None:
            raise NotFoundError("no such calendar")
        user_scope = Scope.parse(user.client_ids)
    clocks = open_clocks_now(settings, today, uow=uow.rescoped(user_scope))  # what its user may see (issue #28)
    return calendar_bytes(clocks, settings.public_url)
