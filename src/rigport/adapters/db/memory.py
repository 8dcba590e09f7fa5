"""An in-memory unit of work for fast service tests: the shipment repository and audit log, no database.

It keeps the protocols of `adapters.db.protocols` the way the database does, checked by one contract test
(tests/adapters/test_repository_contract.py, run on memory, SQLite and PostgreSQL):

- rows are the ORM's row classes, living without a session; what is committed lives in a `MemoryStore`, and
  each unit of work reads copies of it, so leaving without `commit` leaves the store as it was (a rollback);
- `flush` gives new rows their ids and defaults, and moves a changed shipment's version on (the database's
  `version_id_col`);
- `commit` refuses with ConcurrentChangeError a shipment changed since it was read by another unit of work
  (optimistic locking, as the database's stale UPDATE) and a reference already taken (its unique index).

One `MemoryStore` is one database: pass the same `MemoryUnitOfWork` (or store) to every service call of a test.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import suppress
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import inspect

from rigport.adapters.db import scope as client_scope
from rigport.adapters.db.memory_rows import apply_defaults as _defaults
from rigport.adapters.db.memory_rows import copy_columns, fingerprint
from rigport.adapters.db.memory_tables import (
    MemoryReminderRepository,
    MemorySimulationRepository,
    MemoryTokenRepository,
    MemoryUserRepository,
    SideTables,
    WorkingTables,
)
from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.reminder_repository import ClockEvent, ClockQuantity, ClockShipment
from rigport.adapters.db.repository import AuditFilters, _audit_json
from rigport.adapters.db.scope import Scope
from rigport.adapters.db.screening_tables import ScreeningDecisionRow, ScreeningRunRow
from rigport.adapters.db.tables import AuditRow, Base, ClientRow, EventRow, LineItemRow, ShipmentRow
from rigport.domain.customs.model import HELD_STATES, normalize_reference
from rigport.errors import ConcurrentChangeError, InputError, NotFoundError
from rigport.settings import Settings, get_settings

if TYPE_CHECKING:
    from rigport.domain.customs.manifest import Lines

_Row = TypeVar("_Row", bound=Base)
_stores = itertools.count(1)
CHILDREN = ("quantities", "line_items", "parties", "documents", "events")  # ShipmentRow's child collections
_ORDER = {"quantities": "state", "line_items": "line_no", "events": "id"}  # the relationships' order_by


class MemoryStore:
    """What is committed: shipments with their children, and the audit log, with an id counter per table."""

    def __init__(self) -> None:
        self.key = f"memory:{next(_stores)}"
        self.shipments: dict[int, ShipmentRow] = {}
        self.audit: list[AuditRow] = []
        self.screening_runs: list[ScreeningRunRow] = []  # committed runs with their results (MemoryScreeningRepository)
        self.screening_decisions: list[ScreeningDecisionRow] = []
        self._ids: dict[str, Iterator[int]] = {}
        # the client migration 0012 makes, "Default", id 1 (clients are read-only here)
        self.clients: dict[int, ClientRow] = {1: ClientRow(id=1, name="Default", created_at=dt.datetime.now(dt.UTC))}
        self.side_tables = SideTables()  # reminders, feeds, users, tokens, simulation runs (memory_tables.py)
        self._ids["clients"] = itertools.count(2)  # new clients come after Default

    def next_id(self, table: str) -> int:
        return next(self._ids.setdefault(table, itertools.count(1)))


def _copy(row: _Row) -> _Row:
    """A detached copy of a row and, for a shipment, of its children (JSON values copied deeply)."""
    new = copy_columns(row)
    if isinstance(row, ShipmentRow):
        assert isinstance(new, ShipmentRow)
        for name in CHILDREN:
            children = [_copy(child) for child in getattr(row, name)]
            if name in _ORDER:
                children.sort(key=lambda c, key=_ORDER[name]: getattr(c, key) or 0)  # type: ignore[misc]
            setattr(new, name, children)
        new.client = row.client  # the client row itself, shared: clients are not changed here
    return new


def _fingerprint(row: ShipmentRow) -> str:
    """The shipment's own columns: a change to them is an UPDATE of its row, which moves its version."""
    return fingerprint(row, leave_out="version")


def _whole(row: ShipmentRow) -> str:
    """The shipment with its children: unchanged since read, a commit leaves the stored one alone (the database
    writes no row that did not change, so another unit of work's later change stays)."""
    children = [fingerprint(child) for name in CHILDREN for child in getattr(row, name)]
    return fingerprint(row) + repr(children)


def _as_stored(row: _Row) -> _Row:
    """The row as the database gives it back: money at its column's scale (Numeric(16, 2): 1000 -> 1000.00)."""
    for attr in inspect(type(row)).column_attrs:
        scale = getattr(attr.columns[0].type, "scale", None)
        value = getattr(row, attr.key)
        if isinstance(value, Decimal) and isinstance(scale, int):
            setattr(row, attr.key, value.quantize(Decimal(1).scaleb(-scale)))
    for name in CHILDREN if isinstance(row, ShipmentRow) else ():
        for child in getattr(row, name):
            _as_stored(child)
    return row


class MemoryShipmentRepository:
    """`ShipmentStore` over the unit of work's copies and the store."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    def add(self, row: ShipmentRow) -> ShipmentRow:
        self.uow.new.append(row)
        return row

    def _rows(self, scoped: bool = True) -> list[ShipmentRow]:
        """Every shipment this unit of work sees: the store's (as read here) and its own new ones, of the
        clients in its scope (as the database's session filter, adapters/db/scope.py)."""
        for shipment_id in self.uow.store.shipments:
            self.uow.load(shipment_id)
        rows = [*self.uow.working.values(), *(r for r in self.uow.new if r not in self.uow.working.values())]
        return [r for r in rows if not scoped or self.uow.scope.allows(r.client_id)]

    def get(self, reference: str, *, for_update: bool = False) -> ShipmentRow | None:
        candidates = [reference]
        with suppress(InputError):
            candidates.append(normalize_reference(reference))
        found = {row.reference: row for row in self._rows() if row.reference in candidates}
        return next((found[c] for c in candidates if c in found), None)

    def get_by_id(self, shipment_id: int) -> ShipmentRow | None:
        return next((r for r in self._rows() if r.id == shipment_id), None)

    def exists(self, reference: str) -> bool:
        candidates = {reference}
        with suppress(InputError):
            candidates.add(normalize_reference(reference))
        return any(r.reference in candidates for r in self._rows(scoped=False))

    def event_states(self, shipment_id: int) -> list[tuple[dt.date, str, str | None]]:
        row = self.get_by_id(shipment_id)
        events = row.events if row is not None else []
        return [(e.occurred_on, e.event, e.to_state or e.from_state) for e in events if e.voided_at is None]

    def add_event(self, row: ShipmentRow, event: EventRow) -> None:
        event.shipment_id = row.id
        row.events.append(event)

    def reload_events(self, row: ShipmentRow) -> None:
        """Nothing to read again: the history is the list itself."""

    # --- line items and evidence files (services/manifest.py, services/evidence.py) ---

    def line_numbers(self, shipment_id: int) -> set[int]:
        row = self.get_by_id(shipment_id)
        return {li.line_no for li in row.line_items} if row is not None else set()

    def stored_serials(self, shipment_id: int) -> set[str]:
        row = self.get_by_id(shipment_id)
        return {s for li in (row.line_items if row is not None else []) for s in li.serials.split("\n") if s}

    def add_line_items(self, row: ShipmentRow, lines: Lines) -> None:
        """One row object per line (no bulk INSERT to imitate), kept in line order as the relationship's order_by."""
        new = [
            LineItemRow(shipment_id=row.id, line_no=n, model_id=m, description=d, quantity=q, unit_value_usd=v,
                        hts_code=h, origin=o, chip_supplier=c, serials=s)
            for n, m, d, q, v, h, o, c, s in zip(lines.line_no, lines.model_id, lines.description, lines.quantity,
                                                 lines.unit_value_usd, lines.hts_code, lines.origin,
                                                 lines.chip_supplier, lines.serial_texts, strict=True)
        ]  # fmt: skip
        row.line_items = sorted([*row.line_items, *new], key=lambda li: li.line_no)

    def documents_with_file(self, sha256: str) -> int:
        return sum(1 for r in self._rows() for d in r.documents if d.sha256 == sha256)

    def _filtered(self, state: str | None, port: str | None, client_id: int | None = None) -> list[ShipmentRow]:
        rows = sorted(self._rows(), key=lambda r: (r.arrival_date, r.reference))
        if client_id is not None:
            rows = [r for r in rows if r.client_id == client_id]
        if state:
            rows = [r for r in rows if any(q.state == state and q.quantity > 0 for q in r.quantities)]
        if port:
            rows = [r for r in rows if r.port.lower() == port.lower()]
        return rows

    def list(
        self, *, state: str | None = None, port: str | None = None, limit: int = 100, offset: int = 0,
        client_id: int | None = None,
    ) -> Sequence[ShipmentRow]:
        return self._filtered(state, port, client_id)[offset : offset + limit]

    def page_versions(
        self, *, state: str | None = None, port: str | None = None, limit: int = 100, offset: int = 0,
        client_id: int | None = None,
    ) -> Sequence[tuple[int, int]]:
        return [(r.id, r.version) for r in self.list(state=state, port=port, limit=limit, offset=offset,
                                                     client_id=client_id)]  # fmt: skip

    def with_clock_data(self, ids: Sequence[int]) -> Sequence[ShipmentRow]:
        return [r for r in self._rows() if r.id in set(ids)]

    def all_with_details(self) -> Sequence[ShipmentRow]:
        return self._filtered(None, None)

    def clock_data(self) -> Sequence[ClockShipment]:
        """As `reminder_repository.clock_data`: by reference, quantities above zero, events not voided in order."""
        return [
            ClockShipment(r.id, r.reference, r.port, r.arrival_date, r.total_units, r.declared_value_usd,
                          bool(r.other_agency_hold), r.client_id,
                          [ClockQuantity(q.state, q.quantity) for q in r.quantities if q.quantity > 0],
                          [ClockEvent(e.event, e.occurred_on) for e in sorted(r.events, key=lambda e: e.id or 0)
                           if e.voided_at is None])
            for r in sorted(self._rows(), key=lambda r: r.reference)
        ]  # fmt: skip

    def prior_holds(self, port: str, importer: str, exclude_id: int | None = None) -> tuple[int, int]:
        held = {s.value for s in HELD_STATES}
        others = [s for s in self._rows() if s.id != exclude_id and (
            (port and s.port.lower() == port.lower()) or (importer and s.importer_of_record == importer))]
        ever_held = [s for s in others if any(e.to_state in held and e.voided_at is None for e in s.events)]
        return len(ever_held), len(others)

    def references(self) -> set[str]:
        return {r.reference for r in self._rows()}


class MemoryClientRepository:
    """`ClientStore` over the unit of work's copies of the store's clients, as its scope sees them."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    def _visible(self) -> list[ClientRow]:
        self.uow.flush_clients()  # as the database's autoflush: a client added here is found, with its id
        for client_id in self.uow.store.clients:
            self.uow.load_client(client_id)
        return [c for c in self.uow.working_clients.values() if self.uow.scope.allows(c.id)]

    def add(self, row: ClientRow) -> ClientRow:
        self.uow.new_clients.append(row)
        return row

    def names(self, ids: Sequence[int]) -> dict[int, str]:
        wanted = set(ids)
        return {c.id: c.name for c in self._visible() if c.id in wanted}

    def shipment_counts(self) -> dict[int, int]:
        self.uow.flush()  # as the database's autoflush: new shipments have their client
        counts: dict[int, int] = {}
        for row in self.uow.shipments._rows():
            counts[row.client_id] = counts.get(row.client_id, 0) + 1
        return counts

    def get(self, client_id: int) -> ClientRow | None:
        return next((c for c in self._visible() if c.id == client_id), None)

    def by_name(self, name: str) -> ClientRow | None:
        return next((c for c in self._visible() if c.name.lower() == name.strip().lower()), None)

    def list(self, *, include_archived: bool = False) -> Sequence[ClientRow]:
        rows = [c for c in self._visible() if include_archived or c.archived_at is None]
        return sorted(rows, key=lambda c: c.name.lower())


class MemoryAuditLog:
    """`AuditLog`: entries recorded here join the store's on commit."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    def record(
        self,
        actor: str,
        action: str,
        entity: str,
        entity_id: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> None:
        self.uow.new_audit.append(AuditRow(at=dt.datetime.now(dt.UTC), actor=actor, action=action, entity=entity,
                                           entity_id=entity_id, before=_audit_json(before),
                                           after=_audit_json(after)))  # fmt: skip

    def for_entity(self, entity: str, entity_id: str, limit: int = 500) -> Sequence[AuditRow]:
        self.uow.flush()  # as the database's autoflush: entries recorded in this unit of work are seen
        entries = [*self.uow.store.audit, *self.uow.new_audit]
        rows = [a for a in entries if (a.entity, a.entity_id) == (entity, entity_id)]
        return sorted(rows, key=lambda a: a.id)[:limit]

    def search(self, filters: AuditFilters, *, limit: int, offset: int) -> tuple[Sequence[AuditRow], int]:
        """As the database's query: actor in any case, action by prefix, entity_id as given, upper-cased or
        canonical, UTC days inclusive; newest (highest id) first."""
        self.uow.flush()
        rows = [a for a in [*self.uow.store.audit, *self.uow.new_audit] if self._keeps(a, filters)]
        rows.sort(key=lambda a: a.id, reverse=True)
        return rows[offset : offset + limit], len(rows)

    @staticmethod
    def _keeps(entry: AuditRow, filters: AuditFilters) -> bool:
        ids: set[str] = set()
        if filters.entity_id:
            ids = {filters.entity_id, filters.entity_id.upper()}
            with suppress(InputError):
                ids.add(normalize_reference(filters.entity_id))
        day = entry.at.astimezone(dt.UTC).date()
        return all((
            not filters.actor or entry.actor.lower() == filters.actor.lower(),
            not filters.action or entry.action.startswith(filters.action),
            not filters.entity or entry.entity == filters.entity,
            not filters.entity_id or entry.entity_id in ids,
            filters.since is None or day >= filters.since,
            filters.until is None or day <= filters.until,
            entry.entity not in filters.hide_entities,
        ))  # fmt: skip


class MemoryUnitOfWork:
    """`AbstractUnitOfWork` in memory. `MemoryUnitOfWork(settings)` starts an empty store of its own."""

    def __init__(
        self, settings: Settings | None = None, store: MemoryStore | None = None, scope: Scope | None = None
    ) -> None:
        self.settings = settings or get_settings()
        self.store = store or MemoryStore()
        self.scope = scope if scope is not None else client_scope.current()
        self._begin()

    def _begin(self) -> None:
        self.working: dict[int, ShipmentRow] = {}  # shipments read in this unit of work, by id
        self.read_versions: dict[int, int] = {}  # the version each had in the store when read
        self.read_whole: dict[int, str] = {}  # each one with its children, as read (see `_whole`)
        self.flushed: dict[int, str] = {}  # each one's own columns at its last flush
        self.flushed_updated_at: dict[int, dt.datetime] = {}
        self.new: list[ShipmentRow] = []
        self.new_audit: list[AuditRow] = []
        self.shipments = MemoryShipmentRepository(self)
        self.screening = MemoryScreeningRepository(self)
        self.clients = MemoryClientRepository(self)
        self.audit = MemoryAuditLog(self)
        self.side_tables = WorkingTables(self.store, self.scope)
        self.reminders = MemoryReminderRepository(self.side_tables)
        self.users = MemoryUserRepository(self.side_tables)
        self.tokens = MemoryTokenRepository(self.side_tables)
        self.simulations = MemorySimulationRepository(self.side_tables)
        self.working_clients: dict[int, ClientRow] = {}  # clients read or added in this unit of work, by id
        self.read_clients: dict[int, str] = {}  # each one's columns when read ("" for a new one)
        self.new_clients: list[ClientRow] = []

    @property
    def database_key(self) -> str:
        return self.store.key

    def load(self, shipment_id: int) -> ShipmentRow:
        """The unit of work's copy of a stored shipment, read once (one object per row, as a session)."""
        if shipment_id not in self.working:
            row = _copy(self.store.shipments[shipment_id])
            if row.client_id in self.store.clients:  # its client as this unit of work reads it (renamed here too)
                row.client = self.load_client(row.client_id)
            self.working[shipment_id] = row
            self.read_versions[shipment_id] = row.version
            self.read_whole[shipment_id] = _whole(row)
            self.flushed[shipment_id] = _fingerprint(row)
            self.flushed_updated_at[shipment_id] = row.updated_at
        return self.working[shipment_id]

    def load_client(self, client_id: int) -> ClientRow:
        """The unit of work's copy of a stored client, read once; its shipments read point to it."""
        if client_id not in self.working_clients:
            row = _copy(self.store.clients[client_id])
            self.working_clients[client_id] = row
            self.read_clients[client_id] = fingerprint(row)
        return self.working_clients[client_id]

    def flush_clients(self) -> None:
        """New clients get their ids and defaults (created_at), as an INSERT."""
        for row in self.new_clients:
            _defaults(row)
            row.id = self.store.next_id("clients")
            self.working_clients[row.id] = row
            self.read_clients[row.id] = ""
        self.new_clients = []

    def _check_clients(self) -> None:
        """Client names are unique (the database's unique index, exact text): refused before anything is stored."""
        names = [c.name for c in {**self.store.clients, **self.working_clients}.values()]
        taken = sorted({name for name in names if names.count(name) > 1})
        if taken:
            raise ConcurrentChangeError(f"conflicts with stored data: client name {taken[0]!r} is taken")

    def _commit_clients(self) -> None:
        """The clients added or changed here replace the store's; those only read leave it as it is."""
        for client_id, row in self.working_clients.items():
            if fingerprint(row) != self.read_clients[client_id]:
                self.store.clients[client_id] = _as_stored(_copy(row))
                self.read_clients[client_id] = fingerprint(row)

    def __enter__(self) -> MemoryUnitOfWork:
        self._begin()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._begin()  # what was not committed is dropped: the store is as it was

    def rescoped(self, scope: Scope) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.settings, self.store, scope)

    def flush(self) -> None:
        self._check_scope()
        self.screening.flush()
        now = dt.datetime.now(dt.UTC)
        self.flush_clients()
        for row in self.new:
            if row.id is None:
                _defaults(row)
                row.id, row.version = self.store.next_id("shipments"), 1
                if row.client is None and row.client_id in self.store.clients:  # as the joined load reads it
                    row.client = self.load_client(row.client_id)
                self.working[row.id] = row
                self.flushed[row.id] = _fingerprint(row)
        self.new = []
        for shipment_id, row in self.working.items():
            for name in CHILDREN:
                for child in getattr(row, name):
                    if name != "quantities" and child.id is None:
                        _defaults(child)
                        child.id = self.store.next_id(name)
                    child.shipment_id = row.id
            state = _fingerprint(row)
            if state != self.flushed[shipment_id]:
                row.version += 1  # as the database's version_id_col on an UPDATE
                if row.updated_at == self.flushed_updated_at.get(shipment_id):
                    row.updated_at = now  # onupdate=utcnow, unless the change set it
                self.flushed[shipment_id] = _fingerprint(row)
            self.flushed_updated_at[shipment_id] = row.updated_at
        for entry in self.new_audit:
            if entry.id is None:
                entry.id = self.store.next_id("audit")
        self.side_tables.flush()

    def _check_scope(self) -> None:
        """A scoped unit of work writes shipments of its clients only; another client's is, to it, a client not
        found (the database's session refuses it the same way: adapters/db/scope.py, `_check_writes`)."""
        if self.scope.broker_wide:
            return
        changed = [*self.new, *(r for i, r in self.working.items() if _fingerprint(r) != self.flushed[i])]
        if any(not self.scope.allows(client_scope.client_of(r)) for r in changed):
            raise NotFoundError("client not found")

    def commit(self) -> None:
        self.flush()
        self._check_clients()
        taken = {r.reference: i for i, r in self.store.shipments.items()}
        for shipment_id, row in self.working.items():
            if taken.get(row.reference, shipment_id) != shipment_id:
                raise ConcurrentChangeError(f"conflicts with stored data: reference {row.reference!r} is taken")
            stored = self.store.shipments.get(shipment_id)
            read = self.read_versions.get(shipment_id)
            if stored is not None and read is not None and row.version != read and stored.version != read:
                raise ConcurrentChangeError("the record was changed by someone else; reload it and try again")
        for shipment_id, row in self.working.items():
            if self.read_whole.get(shipment_id) == _whole(row):
                continue  # only read here
            self.store.shipments[shipment_id] = _as_stored(_copy(row))
            self.read_versions[shipment_id] = row.version
            self.read_whole[shipment_id] = _whole(row)
        self._commit_clients()
        self.screening.commit()
        self.store.audit += [_copy(a) for a in self.new_audit]
        self.new_audit = []
        self.side_tables.commit()


class MemoryScreeningRepository:
    """`ScreeningStore` over the store's runs and decisions: the unit of work reads copies, writes them at commit.

    Runs are never changed once stored: new ones join the store at commit. Decisions are read once per unit of
    work (one object per row, as a session) and written back at commit, replaced under their key.
    """

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow
        self.new_runs: list[ScreeningRunRow] = []
        self._decisions: list[ScreeningDecisionRow] | None = None  # this unit of work's copies, once read
        self._read: dict[int, str] = {}  # each stored decision's columns as read: only a changed one is written

    def add_run(self, run: ScreeningRunRow) -> ScreeningRunRow:
        self.new_runs.append(run)
        return run

    def runs_for_shipment(self, shipment_id: int, limit: int = 20) -> Sequence[ScreeningRunRow]:
        if self.uow.shipments.get_by_id(shipment_id) is None:  # another client's shipment: its runs are not seen
            return []
        self.flush()  # as the database's autoflush: runs added in this unit of work are seen
        stored = [_run_copy(r) for r in self.uow.store.screening_runs if r.shipment_id == shipment_id]
        runs = stored + [r for r in self.new_runs if r.shipment_id == shipment_id]
        return sorted(runs, key=lambda r: r.id, reverse=True)[:limit]

    def _all_decisions(self) -> list[ScreeningDecisionRow]:
        if self._decisions is None:
            self._decisions = [_copy(d) for d in self.uow.store.screening_decisions]
            self._read = {d.id: fingerprint(d) for d in self._decisions}
        return self._decisions

    def decisions(self, name_key: str | None = None) -> Sequence[ScreeningDecisionRow]:
        return [d for d in self._all_decisions() if name_key is None or d.name_key == name_key]

    def decision(self, name_key: str, list_id: str, entry_id: str) -> ScreeningDecisionRow | None:
        key = (name_key, list_id, entry_id)
        return next((d for d in self._all_decisions() if (d.name_key, d.list_id, d.entry_id) == key), None)

    def save_decision(self, row: ScreeningDecisionRow) -> ScreeningDecisionRow:
        current = self.decision(row.name_key, row.list_id, row.entry_id)
        if current is None:
            self._all_decisions().append(row)
            return row
        for field in ("name", "entry_name", "entry_fingerprint", "verdict", "reason", "reviewer", "decided_at"):
            setattr(current, field, getattr(row, field))
        return current

    def stored_parties(self) -> list[tuple[str, str, str]]:
        rows = self.uow.shipments._rows()  # the shipments in scope, as the database's session filter
        parties = dict.fromkeys((p.name, p.country or "") for r in rows for p in r.parties)
        chips = dict.fromkeys(li.chip_supplier for r in rows for li in r.line_items)
        out = [(name, "", country) for name, country in parties if name]
        return out + [(c, "org", "") for c in chips if c]

    def flush(self) -> None:
        """Ids and column defaults for new runs, their results and new decisions."""
        for run in self.new_runs:
            if run.id is None:
                _defaults(run)
                run.id = self.uow.store.next_id("screening_runs")
            for result in run.results:
                if result.id is None:
                    _defaults(result)
                    result.id = self.uow.store.next_id("screening_results")
                result.run_id = run.id
        for decision in self._decisions or []:
            if decision.id is None:
                _defaults(decision)
                decision.id = self.uow.store.next_id("screening_decisions")

    def commit(self) -> None:
        """After the unit of work's checks passed: new runs join the store, decisions replace the stored ones."""
        self.flush()
        self.uow.store.screening_runs += [_run_copy(r) for r in self.new_runs]
        self.new_runs = []
        stored = {(d.name_key, d.list_id, d.entry_id): d for d in self.uow.store.screening_decisions}
        for d in self._decisions or []:  # one per key, as the table's unique constraint; others' stay
            if self._read.get(d.id) != fingerprint(d):  # new or changed here (an UPDATE or INSERT of its row)
                stored[(d.name_key, d.list_id, d.entry_id)] = _copy(d)
        self.uow.store.screening_decisions = list(stored.values())


def _run_copy(run: ScreeningRunRow) -> ScreeningRunRow:
    """A detached copy of a run and of its results (in the order they were added, as the relationship's)."""
    new = _copy(run)
    new.results = [_copy(r) for r in sorted(run.results, key=lambda r: r.id or 0)]
    return new


if TYPE_CHECKING:  # mypy checks here that the in-memory unit of work keeps the protocol the services take

    def _keeps_the_protocol(uow: MemoryUnitOfWork) -> AbstractUnitOfWork:
        return uow
