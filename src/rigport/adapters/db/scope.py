"""Client scope: the one place where a scoped identity's reads and writes are limited to its clients (issue #28).

A broker works for many importers (clients). An identity (API token, dashboard user) is either broker-wide or
scoped to some clients. The scope is bound to the unit of work, and every ORM statement its session runs,
whatever the repository or service that wrote it, gets the filter added here by SQLAlchemy's
`with_loader_criteria`: shipments of other clients, and everything hanging off them (quantities, line items,
parties, documents, events, screening runs of a shipment; reminder recipients of a client and their outbox), are
not in the result. Lazy loads and relationship
loads get the same criteria. So another client's shipment is simply not found (404), for reads and writes
alike; no route checks anything.

Writes are checked at flush: a scoped session may not store a shipment of a client outside its scope.

How the scope reaches the unit of work: an entry point binds the caller's scope once (`bind`, a context
variable: the API's bearer dependency, the dashboard's `visitor`), and every `UnitOfWork()` opened while
handling that request takes it. Nothing is bound in the CLI, which is the broker's own tool on the machine
holding the database: broker-wide.

On PostgreSQL the unit of work also sets `rigport.client_ids` for the transaction (SET LOCAL), which the
row-level security policies of migration 0012 read: a query that escaped this module (raw SQL, a forgotten
path) still sees no row of another client. SQLite has no row-level security: there this module is the
protection, and tests/trust/test_client_scope.py proves it route by route.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import event, exists
from sqlalchemy.orm import ORMExecuteState, Session, aliased, sessionmaker, with_loader_criteria

from rigport.adapters.db.reminder_tables import AttemptRow, OutboxRow, RecipientRow
from rigport.adapters.db.screening_tables import ScreeningRunRow
from rigport.adapters.db.tables import (
    DEFAULT_CLIENT_ID,
    ClientRow,
    DocumentRow,
    EventRow,
    LineItemRow,
    PartyRow,
    QuantityRow,
    ShipmentRow,
    SimulationRow,
)
from rigport.errors import NotFoundError


@dataclass(frozen=True)
class Scope:
    """The clients an identity may see: `client_ids` None is broker-wide (everything). `owner` is the scoped
    identity itself (its audit actor): stored simulation runs belong to no client, so a scoped identity sees the
    runs it started and no other (a broker's runs for another client are that client's business)."""

    client_ids: frozenset[int] | None = None
    owner: str | None = None

    @property
    def broker_wide(self) -> bool:
        return self.client_ids is None

    def allows(self, client_id: int) -> bool:
        return self.client_ids is None or client_id in self.client_ids

    @property
    def label(self) -> str:
        """As the audit log records it."""
        return "broker" if self.client_ids is None else "clients:" + ",".join(map(str, sorted(self.client_ids)))

    @property
    def setting(self) -> str:
        """The value of PostgreSQL's `rigport.client_ids` for this scope ('' is broker-wide)."""
        return "" if self.client_ids is None else ",".join(map(str, sorted(self.client_ids)))

    @classmethod
    def of(cls, ids: Iterable[int] | None) -> Scope:
        return cls(None if ids is None else frozenset(ids))

    @classmethod
    def parse(cls, stored: str | None) -> Scope:
        """From the `client_ids` column of a token or user (NULL: broker-wide)."""
        if stored is None:
            return BROKER
        return cls(frozenset(int(part) for part in stored.split(",") if part.strip()))

    def stored(self) -> str | None:
        return None if self.client_ids is None else ",".join(map(str, sorted(self.client_ids)))


BROKER = Scope()
_current: contextvars.ContextVar[Scope] = contextvars.ContextVar("rigport_client_scope", default=BROKER)


def bind(scope: Scope) -> None:
    """Bind the caller's scope for the rest of this request (its context): every unit of work opened takes it."""
    _current.set(scope)


def current() -> Scope:
    return _current.get()


@contextmanager
def bound(scope: Scope) -> Iterator[None]:
    """`with bound(scope): ...` for code that is not a request (tests, the worker acting for one identity)."""
    token = _current.set(scope)
    try:
        yield
    finally:
        _current.reset(token)


_CHILDREN = (QuantityRow, LineItemRow, PartyRow, DocumentRow, EventRow)


@lru_cache(maxsize=1024)
def _criteria(ids: frozenset[int]) -> tuple[Any, ...]:
    """The filters of one scope, built once per scope (building them cost more than a small read)."""
    owner = aliased(ShipmentRow, name="scope_owner")

    def visible(child: Any) -> Any:
        """The child's shipment is one of the scope's: a correlated EXISTS on the shipment's primary key. (An
        `IN (SELECT ...)` made SQLite drive the query from the sub-select and sort the children afterwards.)"""
        return exists().where(owner.id == child.shipment_id, owner.client_id.in_(ids))

    options: list[Any] = [
        with_loader_criteria(ClientRow, ClientRow.id.in_(ids), include_aliases=True),
        with_loader_criteria(ShipmentRow, ShipmentRow.client_id.in_(ids), include_aliases=True),
    ]
    # Children loaded through a relationship of a shipment this session read (selectin, lazy loads) belong to
    # that shipment, which the session could only read within the scope: the filter is not repeated there
    # (propagate_to_loaders=False), where it cost a second IN per child row. A query of children itself (the
    # clock data of every shipment, a party by id) is filtered.
    options += [
        with_loader_criteria(child, visible(child), include_aliases=True, propagate_to_loaders=False)
        for child in _CHILDREN
    ]
    runs = ScreeningRunRow.shipment_id.is_(None) | visible(ScreeningRunRow)
    options.append(with_loader_criteria(ScreeningRunRow, runs, include_aliases=True, propagate_to_loaders=False))
    # Reminders: a client's recipients and the reminders decided for them; broker-wide recipients (client NULL)
    # and theirs are the broker's. An attempt is visible with its outbox row.
    reminder = aliased(OutboxRow, name="scope_reminder")
    options += [
        with_loader_criteria(RecipientRow, RecipientRow.client_id.in_(ids), include_aliases=True),
        with_loader_criteria(OutboxRow, OutboxRow.client_id.in_(ids), include_aliases=True),
        with_loader_criteria(AttemptRow, exists().where(reminder.id == AttemptRow.outbox_id,
                                                        reminder.client_id.in_(ids)), include_aliases=True),
    ]  # fmt: skip
    return tuple(options)


def install(factory: sessionmaker[Session]) -> None:
    """Listen once on a session factory: every session it makes is filtered by the scope `apply` gives it."""
    event.listen(factory, "do_orm_execute", _add_criteria)
    event.listen(factory, "before_flush", lambda session, _context, _instances: _check_writes(session))


def apply(session: Session, scope: Scope) -> None:
    """Limit everything `session` (made by an `install`ed factory) reads and writes to `scope`."""
    if scope.client_ids is not None:
        session.info["client_scope"] = scope


@contextmanager
def unscoped(session: Session) -> Iterator[None]:
    """Statements run inside see every client: only for a check that must span the book and returns nothing of
    what it reads (a reference is taken). Row-level security on PostgreSQL still applies."""
    session.info["unscoped"] = True
    try:
        yield
    finally:
        session.info.pop("unscoped", None)


def _add_criteria(state: ORMExecuteState) -> None:
    scope: Scope | None = state.session.info.get("client_scope")
    if scope is None or scope.client_ids is None or state.session.info.get("unscoped"):
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(*_criteria(scope.client_ids), *_own_runs(scope.owner))


@lru_cache(maxsize=1024)
def _own_runs(owner: str | None) -> tuple[Any, ...]:
    """Simulation runs: only those the scoped identity started (none when it has no name to own them by)."""
    runs = SimulationRow.actor == owner if owner is not None else SimulationRow.id.is_(None)
    return (with_loader_criteria(SimulationRow, runs, include_aliases=True),)


def client_of(row: ShipmentRow) -> int:
    """The client a shipment is stored under: its own, or the column's default when none was set."""
    return row.client_id if row.client_id is not None else DEFAULT_CLIENT_ID


def _check_writes(session: Session) -> None:
    """A scoped session stores shipments of its clients only; anything else is, to it, a client not found."""
    scope: Scope | None = session.info.get("client_scope")
    if scope is None or scope.client_ids is None:
        return
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, ShipmentRow) and not scope.allows(client_of(obj)):
            raise NotFoundError("client not found")
        if isinstance(obj, ClientRow) and obj.id is not None and not scope.allows(obj.id):
            raise NotFoundError("client not found")
        if isinstance(obj, RecipientRow) and (obj.client_id is None or not scope.allows(obj.client_id)):
            raise NotFoundError("client not found")
