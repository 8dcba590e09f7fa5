"""The tables besides shipments and clients, in memory, for the fast service tests: reminder recipients, the
outbox and its attempts, calendar feeds (`ReminderStore`), dashboard users (`UserStore`) and API tokens
(`TokenStore`), stored simulation runs (`SimulationStore`).

They behave as the database's (tests/adapters/db/test_repository_contract.py checks it): a unit of work reads
copies of what is committed and writes them back only on commit; the values the database keeps unique (recipient
names, outbox keys, usernames, token hashes, one feed per user) conflict at flush; the outbox insert ignores a
reminder already there; a scoped unit of work sees its clients' recipients and their reminders only, and a flush
refuses a recipient outside its scope as the database's session does.

Committing writes the rows the unit of work added or changed over the latest committed ones, under a lock (the
simulation pool commits from its threads). The races of the outbox, the sender and the login limit are the
database's, and tested there.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from rigport.adapters.db.memory_rows import Row, apply_defaults, copy_columns, fingerprint
from rigport.adapters.db.reminder_repository import KEY_COLUMNS, OutboxCounts
from rigport.adapters.db.reminder_tables import AttemptRow, CalendarFeedRow, OutboxRow, RecipientRow
from rigport.adapters.db.scope import Scope
from rigport.adapters.db.tables import SimulationRow, TokenRow, UserRow
from rigport.errors import ConcurrentChangeError, NotFoundError


@dataclass
class SideTables:
    """The tables kept besides shipments and clients: reminder recipients, outbox rows and delivery attempts,
    calendar feeds, dashboard users and API tokens."""

    recipients: list[RecipientRow] = field(default_factory=list)
    outbox: list[OutboxRow] = field(default_factory=list)
    attempts: list[AttemptRow] = field(default_factory=list)
    feeds: list[CalendarFeedRow] = field(default_factory=list)
    users: list[UserRow] = field(default_factory=list)
    tokens: list[TokenRow] = field(default_factory=list)
    simulations: list[SimulationRow] = field(default_factory=list)

    def copy(self) -> SideTables:
        def rows(table: Sequence[Row]) -> list[Row]:
            return [copy_columns(r) for r in table]

        return SideTables(rows(self.recipients), rows(self.outbox), rows(self.attempts), rows(self.feeds),
                          rows(self.users), rows(self.tokens), rows(self.simulations))  # fmt: skip

    def by_name(self) -> dict[str, list[Any]]:
        """Each table's rows by the database's table name (what the id counters are kept by)."""
        return {"reminder_recipients": self.recipients, "reminder_outbox": self.outbox,
                "reminder_attempts": self.attempts, "calendar_feeds": self.feeds, "users": self.users,
                "api_tokens": self.tokens, "simulations": self.simulations}  # fmt: skip


# (table, column) pairs the database keeps unique: a second row with the same value is a conflict at flush
UNIQUE = (("reminder_recipients", "name"), ("reminder_outbox", "key"), ("calendar_feeds", "user_id"),
          ("calendar_feeds", "secret_hash"), ("users", "username"), ("api_tokens", "token_hash"),
          ("simulations", "id"))  # fmt: skip


class Store(Protocol):
    """What of `memory.MemoryStore` these tables use (what is committed, and the id counters)."""

    side_tables: SideTables

    def next_id(self, table: str) -> int: ...


class WorkingTables:
    """One unit of work's copy of the committed side tables: read on first use; at commit, the rows it added or
    changed are written over the store's latest (a row it only read is left as another unit of work left it, as
    an UPDATE touches only the rows it names)."""

    def __init__(self, store: Store, scope: Scope) -> None:
        self.store, self.scope = store, scope
        self._tables: SideTables | None = None
        self._as_read: dict[tuple[str, int | str], str] = {}  # (table, id) -> the row's columns when read or written
        self._flushed: set[int] = set()  # the row objects read or flushed (by identity): any other one is new

    @property
    def tables(self) -> SideTables:
        if self._tables is None:
            with _COMMITS:
                self._tables = self.store.side_tables.copy()
            rows = [(name, row) for name, table in self._tables.by_name().items() for row in table]
            self._as_read = {(name, row.id): fingerprint(row) for name, row in rows}
            self._flushed = {id(row) for _, row in rows}
        return self._tables

    def sees(self, client_id: int | None) -> bool:
        """A scoped unit of work sees its clients' recipients and reminders; the broker's (no client) are not."""
        return self.scope.broker_wide or (client_id is not None and self.scope.allows(client_id))

    def _changed(self) -> Iterator[tuple[str, Any]]:
        """(table, row) of every row added or changed here since it was read."""
        for name, table in self.tables.by_name().items():
            yield from ((name, row) for row in table if self._as_read.get((name, row.id)) != fingerprint(row))

    def flush(self) -> None:
        """New rows get their ids and column defaults; a recipient written outside the scope, or a unique value
        taken twice, is refused as the database's session refuses it."""
        if self._tables is None:
            return
        for name, table in self._tables.by_name().items():
            for row in table:
                if id(row) not in self._flushed:  # new here: an INSERT's defaults, and an id unless it has one
                    apply_defaults(row)
                    if row.id is None:
                        row.id = self.store.next_id(name)
                    self._flushed.add(id(row))
        for _, row in self._changed():
            if isinstance(row, RecipientRow) and not self.sees(row.client_id):
                raise NotFoundError("client not found")
        _check_unique(self._tables)

    def commit(self) -> None:
        if self._tables is None:
            return
        self.flush()
        with _COMMITS:  # the simulation pool commits from its threads
            latest = self.store.side_tables.copy()
            tables = latest.by_name()
            for name, row in list(self._changed()):
                table = tables[name]
                at = next((i for i, stored in enumerate(table) if stored.id == row.id), None)
                if at is None:
                    table.append(copy_columns(row))
                else:
                    table[at] = copy_columns(row)
                self._as_read[(name, row.id)] = fingerprint(row)
            _check_unique(latest)  # another unit of work may have taken the same value meanwhile
            self.store.side_tables = latest


_COMMITS = threading.Lock()


def _check_unique(tables: SideTables) -> None:
    by_name = tables.by_name()
    for table, column in UNIQUE:
        values = [getattr(row, column) for row in by_name[table]]
        if len(values) != len(set(values)):
            raise ConcurrentChangeError(f"conflicts with stored data: {table}.{column} is taken")


class MemoryReminderRepository:
    """`ReminderStore` over a unit of work's working tables."""

    def __init__(self, working: WorkingTables) -> None:
        self.working = working

    @property
    def tables(self) -> SideTables:
        return self.working.tables

    def _sees(self, client_id: int | None) -> bool:
        return self.working.sees(client_id)

    # recipients
    def recipients(self, *, include_disabled: bool = False) -> Sequence[RecipientRow]:
        rows = [r for r in self.tables.recipients if self._sees(r.client_id)]
        return sorted((r for r in rows if include_disabled or r.disabled_at is None), key=lambda r: r.name)

    def recipient(self, name: str) -> RecipientRow | None:
        return next((r for r in self.recipients(include_disabled=True) if r.name == name), None)

    def recipient_by_id(self, recipient_id: int) -> RecipientRow | None:
        return next((r for r in self.recipients(include_disabled=True) if r.id == recipient_id), None)

    def add_recipient(self, row: RecipientRow) -> RecipientRow:
        self.tables.recipients.append(row)
        return row

    def name_taken(self, name: str) -> bool:
        return any(r.name == name for r in self.tables.recipients)

    def cancel_pending(self, recipient_id: int) -> int:
        rows = [r for r in self._outbox() if r.recipient_id == recipient_id and r.status == "pending"]
        for row in rows:
            row.status = "cancelled"
        return len(rows)

    # the outbox
    def _outbox(self) -> list[OutboxRow]:
        return [r for r in self.tables.outbox if self._sees(r.client_id)]

    def queue(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert-or-ignore on the key and on (shipment, clock, due, threshold, recipient), as the database's
        constraints (which see every client's rows)."""
        keys = {r.key for r in self.tables.outbox}
        tuples = {tuple(getattr(r, c) for c in KEY_COLUMNS) for r in self.tables.outbox}
        added = 0
        for values in rows:
            if values["key"] in keys or tuple(values[c] for c in KEY_COLUMNS) in tuples:
                continue
            self.tables.outbox.append(OutboxRow(**values))
            keys.add(values["key"])
            tuples.add(tuple(values[c] for c in KEY_COLUMNS))
            added += 1
        self.working.flush()  # the database's INSERT ... RETURNING gives the rows their ids at once
        return added

    def keys_for(self, recipient_ids: Sequence[int], since: dt.date) -> set[tuple[str, str, dt.date, str, int]]:
        wanted = set(recipient_ids)
        return {(r.shipment, r.clock, r.due, r.threshold, r.recipient_id) for r in self._outbox()
                if r.recipient_id in wanted and r.due >= since}  # fmt: skip

    def pending(self, now: dt.datetime, limit: int) -> Sequence[OutboxRow]:
        rows = [r for r in self._outbox() if r.status == "pending" and r.next_attempt_at <= now]
        return sorted(rows, key=lambda r: (r.next_attempt_at, r.id))[:limit]

    def outbox_row(self, outbox_id: int) -> OutboxRow | None:
        return next((r for r in self._outbox() if r.id == outbox_id), None)

    def add_attempt(self, row: AttemptRow) -> None:
        self.tables.attempts.append(row)

    def counts(self) -> OutboxCounts:
        rows = self._outbox()

        def count(status: str) -> int:
            return sum(r.status == status for r in rows)

        return {"pending": count("pending"), "sent": count("sent"), "cancelled": count("cancelled"),
                "failing": sum(r.status == "pending" and r.attempts > 0 for r in rows)}  # fmt: skip

    def recent(self, limit: int, status: str | None = None) -> Sequence[tuple[OutboxRow, str]]:
        names = {r.id: r.name for r in self.tables.recipients}
        rows = [r for r in self._outbox() if status is None or r.status == status]
        return [(r, names[r.recipient_id]) for r in sorted(rows, key=lambda r: r.id, reverse=True)[:limit]]

    # calendar feeds
    def feed_for_user(self, user_id: int) -> CalendarFeedRow | None:
        return next((f for f in self.tables.feeds if f.user_id == user_id), None)

    def feed_by_hash(self, secret_hash: str) -> CalendarFeedRow | None:
        return next((f for f in self.tables.feeds if f.secret_hash == secret_hash), None)

    def add_feed(self, row: CalendarFeedRow) -> None:
        self.tables.feeds.append(row)



class MemoryUserRepository:
    """`UserStore`: dashboard users."""

    def __init__(self, working: WorkingTables) -> None:
        self.working = working

    def add(self, row: UserRow) -> UserRow:
        self.working.tables.users.append(row)
        return row

    def by_name(self, username: str) -> UserRow | None:
        return next((u for u in self.working.tables.users if u.username == username), None)

    def get(self, user_id: int) -> UserRow | None:
        return next((u for u in self.working.tables.users if u.id == user_id), None)

    def list(self) -> Sequence[UserRow]:
        return sorted(self.working.tables.users, key=lambda u: u.username)


class MemoryTokenRepository:
    """`TokenStore`: API tokens (only their hashes)."""

    def __init__(self, working: WorkingTables) -> None:
        self.working = working

    def add(self, row: TokenRow) -> TokenRow:
        self.working.tables.tokens.append(row)
        return row

    def by_hash(self, token_hash: str) -> TokenRow | None:
        return next((t for t in self.working.tables.tokens if t.token_hash == token_hash), None)

    def get(self, token_id: int) -> TokenRow | None:
        return next((t for t in self.working.tables.tokens if t.id == token_id), None)

    def list(self) -> Sequence[TokenRow]:
        self.working.flush()  # as the database's autoflush: new tokens are listed in id order
        return sorted(self.working.tables.tokens, key=lambda t: t.id)


class MemorySimulationRepository:
    """`SimulationStore`: a scoped unit of work sees the runs its identity (`Scope.owner`) started, as the
    database's scope filter; broker-wide, every run."""

    def __init__(self, working: WorkingTables) -> None:
        self.working = working

    def _visible(self) -> list[SimulationRow]:
        scope = self.working.scope
        runs = self.working.tables.simulations
        return runs if scope.broker_wide else [r for r in runs if scope.owner is not None and r.actor == scope.owner]

    def add(self, row: SimulationRow) -> SimulationRow:
        self.working.tables.simulations.append(row)
        return row

    def get(self, run_id: str) -> SimulationRow | None:
        return next((r for r in self._visible() if r.id == run_id), None)

    def recent(self, limit: int) -> Sequence[SimulationRow]:
        self.working.flush()  # as the database's autoflush: the defaults of a run added here
        return sorted(self._visible(), key=lambda r: (-r.created_at.timestamp(), r.id))[:limit]

    def unfinished(self) -> Sequence[SimulationRow]:
        return [r for r in self._visible() if r.status in ("queued", "running")]
