"""Use cases of deadline reminders (issue #29): recipients and rules, deciding what is due, sending, status.

Deciding and recording are one transaction: the reminders due today are inserted into the outbox (a key
already there is ignored) and committed together, so a reminder is either decided and stored or neither.
Sending is separate: one sender at a time (adapters/db/leases.py) takes pending rows, hands each to its
channel, and records the attempt, marking the row sent only after the channel accepted it. A crash before
that record leaves the row pending: it is sent again (a repeat the key lets the receiver drop), never lost.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, cast

import httpx
from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db import scope as client_scope
from rigport.adapters.db.engine import get_engine
from rigport.adapters.db.leases import sender_lock
from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.reminder_repository import OutboxCounts
from rigport.adapters.db.reminder_tables import AttemptRow, OutboxRow, RecipientRow
from rigport.adapters.db.tables import ClientRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.adapters.notify import DeliveryError
from rigport.adapters.notify.smtp import SmtpConfig, send_email
from rigport.adapters.notify.webhook import post_webhook
from rigport.domain import reminders as rules
from rigport.domain.reminders import ClockFacts, Rule
from rigport.errors import ConflictError, InputError, NotFoundError
from rigport.services import clients
from rigport.services._unit import unit
from rigport.services.auth import USERNAME
from rigport.services.deadlines import OpenClock, clocks_of, load_shipments, shipment_url
from rigport.settings import Settings, get_settings

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.@+-]{0,119}$")
EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$|^[^@\s<>,;]+@localhost$")
SEND_BATCH = 1000


class RecipientView(TypedDict):
    """A recipient as people see it (`notify recipients list --json`, the /reminders page): never its secret."""

    name: str
    client: str | None  # None: broker-wide, it hears about every client's shipments
    channel: str  # email | webhook | slack
    address: str
    username: str | None  # the dashboard user it belongs to, if any
    before: list[int]  # days before a due date
    on_day: bool
    overdue: bool
    digest: bool
    signed: bool  # a webhook with a signing secret
    created_at: dt.datetime
    disabled_at: dt.datetime | None


class RecipientAdded(RecipientView):
    secret: NotRequired[str]  # a webhook's generated signing secret, given this once and never again


class RecipientRemoved(RecipientView):
    cancelled: int  # its pending reminders, cancelled


class OutboxValues(TypedDict):
    """The columns of one new outbox row, as decided (what `ReminderRepository.queue` inserts)."""

    key: str
    shipment: str
    clock: str
    due: dt.date
    threshold: str
    recipient_id: int
    client_id: int | None
    status: str
    subject: str
    message: dict[str, Any]  # text, html and data, rendered as they will be sent
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    attempts: int


class QueuedReminder(TypedDict):
    key: str
    recipient: str
    subject: str


class Decided(TypedDict):
    """What a deciding pass found due today and how many of those were new to the outbox."""

    decided: int
    queued: int
    recipients: int
    new: list[QueuedReminder]


class Sending(TypedDict):
    """What a sending pass did: `sender` is ran, busy (another sender holds the lock) or dry-run."""

    sender: str
    sent: int
    failed: int
    deferred: int  # left for the next pass: their channel was down
    errors: list[str]
    config_error: bool


class ReminderPass(Decided, Sending):
    """One background pass inside `rigport serve`: decided, then sent."""


class NotifyRun(Decided, Sending):
    """`rigport notify run --json`."""

    as_of: dt.date
    dry_run: bool
    outbox: OutboxCounts


class OutboxEntry(TypedDict):
    key: str
    recipient: str
    shipment: str | None  # None for a digest
    clock: str
    due: dt.date
    threshold: str
    subject: str
    status: str  # pending | sent | cancelled
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None  # while pending
    sent_at: dt.datetime | None


class ReminderStatus(TypedDict):
    """`rigport notify status --json` and the /reminders page."""

    outbox: OutboxCounts
    failing: list[OutboxEntry]  # pending after at least one failed attempt
    recent: list[OutboxEntry]
    recipients: list[RecipientView]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def smtp_config(settings: Settings) -> SmtpConfig:
    return SmtpConfig(settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password,
                      settings.smtp_from, settings.smtp_starttls, settings.smtp_timeout_s)  # fmt: skip


# recipients and rules


def recipient_view(row: RecipientRow, client: str | None = None) -> RecipientView:
    """A recipient as shown to people: never its webhook secret. `client` None: broker-wide (every client)."""
    return {
        "name": row.name, "client": client, "channel": row.channel, "address": row.address, "username": row.username,
        "before": [int(d) for d in row.before_days.split(",") if d], "on_day": row.on_day,
        "overdue": row.overdue, "digest": row.digest, "signed": bool(row.secret),
        "created_at": row.created_at, "disabled_at": row.disabled_at,
    }  # fmt: skip


def _check_address(channel: str, address: str) -> str:
    address = address.strip()
    if channel == "email":
        if not EMAIL.match(address) or len(address) > 254:
            raise InputError(f"address: expected an e-mail address such as ops@example.com, got {address!r}")
        return address
    try:
        url = httpx.URL(address)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host or len(address) > 2000:
        raise InputError(f"address: expected an http:// or https:// webhook URL, got {address!r}")
    return address


def _check_fields(name: str, channel: str) -> None:
    if not NAME.match(name):
        raise InputError(f"name: expected 1 to 120 letters, digits, spaces or _.@+- (starting with a letter or "
                         f"digit), got {name!r}")  # fmt: skip
    if channel not in rules.CHANNELS:
        raise InputError(f"channel: expected one of {', '.join(rules.CHANNELS)}, got {channel!r}")


def add_recipient(
    name: str,
    channel: str,
    address: str,
    *,
    secret: str | None = None,
    before: str = "7,3,1",
    on_day: bool = True,
    overdue: bool = True,
    digest: bool = False,
    username: str | None = None,
    client: str | None = None,
    actor: str = "cli",
    settings: Settings | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> RecipientAdded:
    """Add a person or team address. A webhook without a secret gets a new one, returned once in `secret`.

    With `client`, it hears only about that client's shipments; without, a broker-wide caller's recipient hears
    about every client's, and a caller scoped to one client adds one of that client (scoped to several, it must
    name the client).
    """
    _check_fields(name, channel)
    address = _check_address(channel, address)
    days = rules.parse_before(before)
    if secret is not None and not 16 <= len(secret) <= 200:
        raise InputError("secret: expected 16 to 200 characters")
    generated = channel != "email" and secret is None
    if generated:
        secret = secrets.token_urlsafe(32)
    with unit(settings, uow) as uow:
        repo = uow.reminders
        owner = _owning_client(uow, client)
        if username is not None:
            _check_user(uow, username, owner)
        existing = repo.recipient(name)
        if existing is not None and existing.disabled_at is None:
            raise ConflictError(f"recipient {name!r} already exists; remove it first or pick another name")
        if existing is not None:  # a removed recipient's name is reused: its history stays with it
            existing.name = f"{name[:90]} (removed {existing.id})"  # within the column's 120 characters
            uow.flush()
        elif repo.name_taken(name):  # another client's, or the broker's: say no more than that it is taken
            raise ConflictError(f"recipient name {name!r} is taken; pick another name")
        row = repo.add_recipient(RecipientRow(
            name=name, channel=channel, address=address, secret=secret if channel != "email" else None,
            username=username, before_days=",".join(map(str, days)), on_day=on_day, overdue=overdue, digest=digest,
            client_id=owner.id if owner is not None else None,
        ))  # fmt: skip
        uow.flush()
        view = recipient_view(row, owner.name if owner is not None else None)
        uow.audit.record(actor, "add-recipient", "reminder_recipient", name, None, view)
        uow.commit()
    if generated and secret is not None:
        return {**view, "secret": secret}
    return cast(RecipientAdded, view)  # every required key is there; `secret` is absent, as it should be


def _owning_client(uow: AbstractUnitOfWork, client: str | None) -> ClientRow | None:
    """The client a new recipient belongs to: the one named (as the caller's scope sees it), else none for a
    broker-wide caller, else the scoped caller's only client."""
    if client is not None and client.strip():
        return clients.find(uow, client)
    scope = uow.scope
    if scope.client_ids is None:
        return None
    if len(scope.client_ids) == 1:
        return clients.find(uow, str(next(iter(scope.client_ids))))
    raise InputError("client: your identity works for several clients; name the one this recipient belongs to")


def _check_user(uow: AbstractUnitOfWork, username: str, owner: ClientRow | None) -> None:
    """A recipient tied to a dashboard user: the user exists and may see the recipient's client (a user of
    another client must not receive this client's deadlines)."""
    user = uow.users.by_name(username) if USERNAME.match(username) else None
    if user is None:
        raise NotFoundError(f"username: no dashboard user {username!r}")
    sees = client_scope.Scope.parse(user.client_ids)
    if owner is None and not sees.broker_wide:
        raise InputError(f"username: {username!r} works for some clients only; a broker-wide recipient would send "
                         "them every client's deadlines: name the recipient's client")  # fmt: skip
    if owner is not None and not sees.allows(owner.id):
        raise NotFoundError(f"username: no dashboard user {username!r}")


def _views(uow: AbstractUnitOfWork, rows: Sequence[RecipientRow]) -> list[RecipientView]:
    """The recipients as shown, each with its client's name (one look-up of the clients they name)."""
    names = uow.clients.names([r.client_id for r in rows if r.client_id is not None])
    return [recipient_view(r, names.get(r.client_id) if r.client_id is not None else None) for r in rows]


def update_recipient(
    name: str, *, actor: str = "cli", settings: Settings | None = None, uow: AbstractUnitOfWork | None = None,
    **changes: Any,
) -> RecipientView:
    """Change a recipient's address or rule (the dashboard's admin edit); only the fields given change."""
    with unit(settings, uow) as uow:
        row = uow.reminders.recipient(name)
        if row is None or row.disabled_at is not None:
            raise NotFoundError(f"recipient {name!r} not found")
        before = _views(uow, [row])[0]
        if changes.get("address") is not None:
            row.address = _check_address(row.channel, str(changes["address"]))
        if changes.get("before") is not None:
            row.before_days = ",".join(map(str, rules.parse_before(str(changes["before"]))))
        for flag in ("on_day", "overdue", "digest"):
            if changes.get(flag) is not None:
                setattr(row, flag, bool(changes[flag]))
        after = recipient_view(row, before["client"])
        uow.audit.record(actor, "update-recipient", "reminder_recipient", name, before, after)
        uow.commit()
    return after


def list_recipients(settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None) -> list[RecipientView]:
    """The recipients the caller may see: a scoped identity sees its clients' ones only."""
    with unit(settings, uow) as uow:
        return _views(uow, uow.reminders.recipients())


def remove_recipient(
    name: str, *, actor: str = "cli", settings: Settings | None = None, uow: AbstractUnitOfWork | None = None
) -> RecipientRemoved:
    """Stop reminding a recipient: it is disabled (its history stays) and its pending reminders cancelled."""
    with unit(settings, uow) as uow:
        repo = uow.reminders
        row = repo.recipient(name)
        if row is None or row.disabled_at is not None:
            raise NotFoundError(f"recipient {name!r} not found")
        row.disabled_at = _now()
        cancelled = repo.cancel_pending(row.id)
        view = _views(uow, [row])[0]
        uow.audit.record(actor, "remove-recipient", "reminder_recipient", name, None, {"cancelled": cancelled})
        uow.commit()
    return {**view, "cancelled": cancelled}


# deciding


def facts(clocks: Sequence[OpenClock], public_url: str) -> list[ClockFacts]:
    urls = {c.shipment: shipment_url(public_url, c.shipment) for c in clocks}  # one per shipment, not per clock
    return [ClockFacts(c.shipment, c.port, c.clock, c.due, c.days_left, c.may_not_apply, c.citation, c.units,
                       c.value_at_stake_usd, urls[c.shipment]) for c in clocks]  # fmt: skip


def _rule(row: RecipientRow) -> Rule:
    days = tuple(int(d) for d in row.before_days.split(",") if d)
    return Rule(before=days, on_day=row.on_day, overdue=row.overdue, digest=row.digest)


class ClocksByClient:
    """The open clocks every recipient may hear about: all of them for a broker-wide recipient, its client's
    shipments' for a client's recipient."""

    def __init__(self, clocks: Sequence[ClockFacts], client_of: dict[str, int]) -> None:
        self.all = list(clocks)
        self._by_client: dict[int, list[ClockFacts]] = {}
        for c in self.all:
            self._by_client.setdefault(client_of[c.shipment], []).append(c)

    def of(self, recipient: RecipientRow) -> list[ClockFacts]:
        return self.all if recipient.client_id is None else self._by_client.get(recipient.client_id, [])


def due_now(
    clocks: ClocksByClient, recipients: Sequence[RecipientRow], today: dt.date
) -> list[tuple[RecipientRow, rules.Due]]:
    """Every (recipient, reminder) due today under each recipient's rule, over the clocks it may hear about:
    the decision, before any rendering."""
    return [(r, due) for r in recipients for due in rules.due_reminders(clocks.of(r), _rule(r), today)]


def outbox_row(
    recipient: RecipientRow,
    due: rules.Due,
    clocks: Sequence[ClockFacts],
    by_clock: dict[tuple[str, str], ClockFacts],
    today: dt.date,
    now: dt.datetime,
) -> OutboxValues:
    """The outbox row of one reminder, its message rendered as it will be sent."""
    key = rules.reminder_key(due.shipment, due.clock, due.due, due.threshold, recipient.id)
    if due.threshold == rules.DIGEST:
        message = rules.digest_message(clocks, today, key)
    else:
        message = rules.clock_message(by_clock[(due.shipment, due.clock)], due.threshold, key)
    return {
        "key": key, "shipment": due.shipment, "clock": due.clock, "due": due.due, "threshold": due.threshold,
        "recipient_id": recipient.id, "client_id": recipient.client_id, "status": "pending",
        "subject": message.subject[:500],
        "message": {"text": message.text, "html": message.html, "data": message.data},
        "created_at": now, "next_attempt_at": now, "attempts": 0,
    }  # fmt: skip


def decide(
    settings: Settings | None = None, today: dt.date | None = None, *, dry_run: bool = False,
    uow: AbstractUnitOfWork | None = None,
) -> Decided:
    """Write every reminder due today to the outbox (insert-or-ignore), in one transaction.

    Reminders already in the outbox are skipped before their messages are rendered (a pass every minute
    inside `rigport serve` renders only what is new); the insert still ignores a key a concurrent pass
    wrote first.
    """
    settings = settings or get_settings()
    today = today or dt.date.today()
    now = _now()
    with unit(settings, uow) as uow:
        repo = uow.reminders
        recipients = list(repo.recipients())
        if not recipients:
            return {"decided": 0, "queued": 0, "recipients": 0, "new": []}
        shipments = load_shipments(uow)
        clocks = facts(clocks_of(shipments, today), settings.public_url)
        by_client = ClocksByClient(clocks, {row.reference: row.client_id for row in shipments})
        due = due_now(by_client, recipients, today)
        earliest = min((d.due for _, d in due), default=today)
        known = repo.keys_for([r.id for r in recipients], earliest)
        fresh = [(r, d) for r, d in due if (d.shipment, d.clock, d.due, d.threshold, r.id) not in known]
        by_clock = {(c.shipment, c.clock): c for c in clocks}
        names = {r.id: r.name for r in recipients}
        if dry_run:  # what would be queued, subjects only: no message is rendered
            new: list[QueuedReminder] = [
                {"key": rules.reminder_key(d.shipment, d.clock, d.due, d.threshold, r.id), "recipient": r.name,
                    "subject": rules.digest_subject(by_client.of(r), today) if d.threshold == rules.DIGEST
                    else rules.clock_subject(by_clock[(d.shipment, d.clock)], d.threshold)}
                for r, d in fresh
            ]  # fmt: skip
            return {"decided": len(due), "queued": len(new), "recipients": len(recipients), "new": new}
        rows = [outbox_row(r, d, by_client.of(r), by_clock, today, now) for r, d in fresh]
        queued = repo.queue(rows)
        uow.commit()
    return {
        "decided": len(due), "queued": queued, "recipients": len(recipients),
        "new": [{"key": r["key"], "recipient": names[r["recipient_id"]], "subject": r["subject"]} for r in rows],
    }  # fmt: skip


# sending


@dataclass(frozen=True)
class _Item:
    outbox_id: int
    key: str
    channel: str
    address: str
    secret: str | None
    subject: str
    message: dict[str, Any]
    attempts: int


def deliver(item: _Item, settings: Settings) -> None:
    """Hand one reminder to its channel; DeliveryError when it was not accepted."""
    if item.channel == "email":
        send_email(smtp_config(settings), item.address, item.subject, str(item.message["text"]),
                   str(item.message["html"]), item.key)  # fmt: skip
    else:
        post_webhook(item.address, item.secret, dict(item.message["data"]), slack=item.channel == "slack",
                     timeout_s=settings.http_timeout_s)  # fmt: skip


def _claimable(settings: Settings, now: dt.datetime, limit: int) -> list[_Item]:
    with UnitOfWork(settings) as uow:
        repo = uow.reminders
        items = []
        for row in repo.pending(now, limit):
            recipient = repo.recipient_by_id(row.recipient_id)
            if recipient is None:
                continue
            items.append(_Item(row.id, row.key, recipient.channel, recipient.address, recipient.secret,
                               row.subject, dict(row.message), row.attempts))  # fmt: skip
        return items


def _record(settings: Settings, item: _Item, error: DeliveryError | None, elapsed_ms: int) -> None:
    """The attempt and its outcome in one transaction: sent, or pending again after the backoff."""
    with UnitOfWork(settings) as uow:
        repo = uow.reminders
        row: OutboxRow | None = repo.outbox_row(item.outbox_id)
        if row is None:
            return
        now = _now()
        repo.add_attempt(AttemptRow(outbox_id=row.id, at=now, ok=error is None,
                                    error=None if error is None else str(error)[:2000], elapsed_ms=elapsed_ms))
        row.attempts += 1
        if error is None:
            row.status, row.sent_at, row.last_error = "sent", now, None
        else:
            row.last_error = str(error)[:2000]
            row.next_attempt_at = now + dt.timedelta(seconds=rules.backoff_seconds(row.attempts))
        uow.commit()


def send_pending(
    settings: Settings | None = None, *, now: dt.datetime | None = None, limit: int = SEND_BATCH
) -> Sending:
    """Deliver the pending reminders whose time has come, if no other sender holds the lock."""
    settings = settings or get_settings()
    with sender_lock(get_engine(settings)) as held:
        if not held:
            return {"sender": "busy", "sent": 0, "failed": 0, "deferred": 0, "errors": [], "config_error": False}
        return _send(settings, now or _now(), limit)


def _send(settings: Settings, now: dt.datetime, limit: int) -> Sending:
    """Deliver due pending rows one at a time (the caller holds the sender lock): a crash costs one repeat at most.

    When a channel is down (DeliveryError.down), its other rows wait for the next pass untried ("deferred"):
    one attempt a pass tells whether it is back, without a timeout's wait for every row.
    """
    sent, failed, deferred, config_error = 0, 0, 0, False
    errors: list[str] = []
    down: set[str] = set()
    for item in _claimable(settings, now, limit):
        route = "smtp" if item.channel == "email" else item.address
        if route in down:
            deferred += 1
            continue
        started = time.monotonic()
        try:
            deliver(item, settings)
            error = None
        except DeliveryError as exc:
            error = exc
        _record(settings, item, error, int((time.monotonic() - started) * 1000))
        if error is None:
            sent += 1
            continue
        failed += 1
        config_error = config_error or error.config
        if error.down:
            down.add(route)
        if str(error) not in errors:
            errors.append(str(error))
    return {"sender": "ran", "sent": sent, "failed": failed, "deferred": deferred, "errors": errors,
            "config_error": config_error}  # fmt: skip


def background_pass(settings: Settings, today: dt.date | None = None) -> ReminderPass | None:
    """One pass of the sender inside `rigport serve`: only the lock holder decides and sends (None: not us).

    Every server worker runs this on a timer; the advisory lock makes one of them the sender, and when it
    dies the lock goes with it and another worker's next pass takes over.
    """
    with sender_lock(get_engine(settings)) as held:
        if not held:
            return None
        decided = decide(settings, today or dt.date.today())
        return {**decided, **_send(settings, _now(), SEND_BATCH)}


def run(settings: Settings | None = None, today: dt.date | None = None, *, dry_run: bool = False) -> NotifyRun:
    """`rigport notify run`: decide what is due (into the outbox), then deliver what is pending."""
    settings = settings or get_settings()
    today = today or dt.date.today()
    decided = decide(settings, today, dry_run=dry_run)
    if dry_run:
        sending: Sending = {"sender": "dry-run", "sent": 0, "failed": 0, "deferred": 0, "errors": [],
                                   "config_error": False}  # fmt: skip
    else:
        sending = send_pending(settings)
    with UnitOfWork(settings) as uow:
        counts = uow.reminders.counts()
    return {"as_of": today, "dry_run": dry_run, **decided, **sending, "outbox": counts}


def status(
    settings: Settings | None = None, limit: int = 50, *, uow: AbstractUnitOfWork | None = None
) -> ReminderStatus:
    """What was sent, to whom and when; what is failing and why; the recipients and their rules: all of it for
    a broker-wide caller, its clients' recipients and their reminders for a scoped one."""
    with unit(settings, uow) as uow:
        repo = uow.reminders
        counts = repo.counts()
        recent = [_outbox_view(row, name) for row, name in repo.recent(limit)]
        pending = [_outbox_view(row, name) for row, name in repo.recent(limit, "pending")]
        recipients = _views(uow, repo.recipients())
    return {
        "outbox": counts,
        "failing": [p for p in pending if p["attempts"] > 0],
        "recent": recent,
        "recipients": recipients,
    }


def _outbox_view(row: OutboxRow, recipient: str) -> OutboxEntry:
    return {
        "key": row.key, "recipient": recipient, "shipment": row.shipment or None, "clock": row.clock,
        "due": row.due, "threshold": row.threshold, "subject": row.subject, "status": row.status,
        "attempts": row.attempts, "last_error": row.last_error, "created_at": row.created_at,
        "next_attempt_at": row.next_attempt_at if row.status == "pending" else None, "sent_at": row.sent_at,
    }  # fmt: skip
