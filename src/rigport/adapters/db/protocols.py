"""What the services need from a unit of work and its repositories, as protocols.

Two implementations keep them: the database's (`uow.UnitOfWork`, SQLAlchemy on SQLite or PostgreSQL) and an
in-memory one (`memory.MemoryUnitOfWork`) that the fast service tests run on.
tests/adapters/db/test_repository_contract.py runs one set of checks against all of them (memory, SQLite,
PostgreSQL), so a service test passing on memory says something about the database too. Rows are the ORM's row
classes either way: in memory they live without a session.

Only what a service asks of the store is here. What stays on the database alone (the shipment search's query,
the reminder sender's lock and claims, the login limit, backups, the token look-up on every request) uses its
own adapters; docs/architecture.md ("Tests in layers") says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from rigport.adapters.db.reminder_repository import ClockShipment, OutboxCounts
from rigport.adapters.db.reminder_tables import AttemptRow, CalendarFeedRow, OutboxRow, RecipientRow
from rigport.adapters.db.repository import AuditFilters
from rigport.adapters.db.scope import Scope
from rigport.adapters.db.screening_tables import ScreeningDecisionRow, ScreeningRunRow
from rigport.adapters.db.tables import AuditRow, ClientRow, EventRow, ShipmentRow, SimulationRow, TokenRow, UserRow
from rigport.settings import Settings

if TYPE_CHECKING:  # the manifest rules (pycountry, csv) are not loaded for a type
    from rigport.domain.customs.manifest import Lines


class ShipmentStore(Protocol):
    """Shipments by reference, with their children; list pages in arrival order."""

    def add(self, row: ShipmentRow) -> ShipmentRow: ...

    def get(self, reference: str, *, for_update: bool = False) -> ShipmentRow | None:
        """Under `reference` exactly, else under its canonical form (customs.model.normalize_reference)."""
        ...

    def get_by_id(self, shipment_id: int) -> ShipmentRow | None: ...

    def exists(self, reference: str) -> bool:
        """Whether any shipment of any client is stored under `reference` (references are unique in the book)."""
        ...

    def event_states(self, shipment_id: int) -> list[tuple[dt.date, str, str | None]]:
        """(date, event, state) of every event not voided."""
        ...

    def add_event(self, row: ShipmentRow, event: EventRow) -> None:
        """Record `event` on the shipment `row` (the history is not loaded for it on the database)."""
        ...

    def reload_events(self, row: ShipmentRow) -> None:
        """Make `row.events` read the history again (after `add_event` and a flush)."""
        ...

    # --- line items and evidence files (services/manifest.py, services/evidence.py) ---

    def line_numbers(self, shipment_id: int) -> set[int]:
        """The line numbers already stored for a shipment (a manifest may not repeat one)."""
        ...

    def stored_serials(self, shipment_id: int) -> set[str]:
        """Every serial number already stored for a shipment."""
        ...

    def add_line_items(self, row: ShipmentRow, lines: Lines) -> None:
        """Add checked lines (`Lines`, column by column) to the stored shipment `row` in this transaction: on the
        database in bulk, without an object per line. `row.line_items` reads them afterwards (after a flush)."""
        ...

    def documents_with_file(self, sha256: str) -> int:
        """How many documents of the shipments this unit of work sees refer to the stored file with this digest."""
        ...

    def list(
        self, *, state: str | None = None, port: str | None = None, limit: int = 100, offset: int = 0,
        client_id: int | None = None,
    ) -> Sequence[ShipmentRow]: ...

    def page_versions(
        self, *, state: str | None = None, port: str | None = None, limit: int = 100, offset: int = 0,
        client_id: int | None = None,
    ) -> Sequence[tuple[int, int]]: ...

    def with_clock_data(self, ids: Sequence[int]) -> Sequence[ShipmentRow]: ...

    def all_with_details(self) -> Sequence[ShipmentRow]:
        """Every shipment with its quantities, events and line items (portfolio figures), arrival then reference."""
        ...

    def clock_data(self) -> Sequence[ClockShipment]:
        """Every shipment as what its clocks are computed from (plain records: quantities above zero, events not
        voided in the order recorded), by reference."""
        ...

    def prior_holds(self, port: str, importer: str, exclude_id: int | None = None) -> tuple[int, int]:
        """Comparable shipments (same port in any case, or same importer of record), other than `exclude_id`: how
        many were ever held (a held state reached by an event not voided) and how many there are."""
        ...

    def references(self) -> set[str]: ...


class ClientStore(Protocol):
    """The clients the unit of work's scope sees (issue #28)."""

    def get(self, client_id: int) -> ClientRow | None: ...

    def by_name(self, name: str) -> ClientRow | None:
        """In any case."""
        ...

    def list(self, *, include_archived: bool = False) -> Sequence[ClientRow]: ...

    def add(self, row: ClientRow) -> ClientRow:
        """A new client: its id at the next flush; stored at commit, gone without one."""
        ...

    def names(self, ids: Sequence[int]) -> dict[int, str]:
        """The names of those of these clients the scope sees, by id."""
        ...

    def shipment_counts(self) -> dict[int, int]:
        """How many shipments the scope sees, per client id (a client without any is left out)."""
        ...


class AuditLog(Protocol):
    """Append-only."""

    def record(
        self,
        actor: str,
        action: str,
        entity: str,
        entity_id: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> None: ...

    def for_entity(self, entity: str, entity_id: str, limit: int = 500) -> Sequence[AuditRow]: ...

    def search(self, filters: AuditFilters, *, limit: int, offset: int) -> tuple[Sequence[AuditRow], int]:
        """One page of the entries every given filter keeps, newest first (by id), and how many match in all."""
        ...


class ScreeningStore(Protocol):
    """Screening runs of shipments (with their results) and reviewer decisions (task 27c-c).

    A decision is one per (name key, list, entry): `save_decision` replaces the one stored under that key.
    """

    def add_run(self, run: ScreeningRunRow) -> ScreeningRunRow:
        """Store `run` with its `results` (ids at flush)."""
        ...

    def runs_for_shipment(self, shipment_id: int, limit: int = 20) -> Sequence[ScreeningRunRow]:
        """The shipment's runs, newest first, each with its results in the order they were added."""
        ...

    def decisions(self, name_key: str | None = None) -> Sequence[ScreeningDecisionRow]:
        """Every reviewer decision, or those on one normalized name."""
        ...

    def decision(self, name_key: str, list_id: str, entry_id: str) -> ScreeningDecisionRow | None: ...

    def save_decision(self, row: ScreeningDecisionRow) -> ScreeningDecisionRow:
        """Insert or replace the decision for (name_key, list_id, entry_id); the row now stored is returned."""
        ...

    def stored_parties(self) -> list[tuple[str, str, str]]:
        """Every distinct (name, kind, country) of stored parties ('' kind) and chip suppliers ('org', '')."""
        ...


class UserStore(Protocol):
    """Dashboard users, as far as the services other than auth read them."""

    def add(self, row: UserRow) -> UserRow: ...

    def by_name(self, username: str) -> UserRow | None: ...

    def get(self, user_id: int) -> UserRow | None: ...

    def list(self) -> Sequence[UserRow]:
        """By username."""
        ...


class TokenStore(Protocol):
    """API tokens: only their SHA-256 hashes are stored."""

    def add(self, row: TokenRow) -> TokenRow: ...

    def by_hash(self, token_hash: str) -> TokenRow | None: ...

    def get(self, token_id: int) -> TokenRow | None: ...

    def list(self) -> Sequence[TokenRow]:
        """By id."""
        ...


class ReminderStore(Protocol):
    """Reminder recipients and the outbox (issue #29), as the caller's scope sees them (adapters/db/scope.py)."""

    def recipients(self, *, include_disabled: bool = False) -> Sequence[RecipientRow]:
        """By name."""
        ...

    def recipient(self, name: str) -> RecipientRow | None: ...

    def recipient_by_id(self, recipient_id: int) -> RecipientRow | None: ...

    def add_recipient(self, row: RecipientRow) -> RecipientRow: ...

    def name_taken(self, name: str) -> bool:
        """Whether any recipient, in the caller's scope or not, has this name (names are unique book-wide)."""
        ...

    def cancel_pending(self, recipient_id: int) -> int:
        """Mark the recipient's pending reminders cancelled; how many."""
        ...

    def queue(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert the outbox rows whose key is not there yet (insert-or-ignore); how many were new."""
        ...

    def keys_for(self, recipient_ids: Sequence[int], since: dt.date) -> set[tuple[str, str, dt.date, str, int]]:
        """(shipment, clock, due, threshold, recipient id) of the reminders decided for due dates from `since`."""
        ...

    def pending(self, now: dt.datetime, limit: int) -> Sequence[OutboxRow]:
        """Pending reminders whose next try is due, the earliest first."""
        ...

    def outbox_row(self, outbox_id: int) -> OutboxRow | None: ...

    def add_attempt(self, row: AttemptRow) -> None: ...

    def counts(self) -> OutboxCounts: ...

    def recent(self, limit: int, status: str | None = None) -> Sequence[tuple[OutboxRow, str]]:
        """The newest outbox rows (of one status), each with its recipient's name."""
        ...

    def feed_for_user(self, user_id: int) -> CalendarFeedRow | None:
        """The user's calendar feed (one per user), revoked or not."""
        ...

    def feed_by_hash(self, secret_hash: str) -> CalendarFeedRow | None: ...

    def add_feed(self, row: CalendarFeedRow) -> None: ...


class SimulationStore(Protocol):
    """Stored Monte Carlo runs: a scoped identity sees the runs it started only (adapters/db/scope.py)."""

    def add(self, row: SimulationRow) -> SimulationRow: ...

    def get(self, run_id: str) -> SimulationRow | None: ...

    def recent(self, limit: int) -> Sequence[SimulationRow]:
        """Newest first."""
        ...

    def unfinished(self) -> Sequence[SimulationRow]:
        """Queued or running."""
        ...


class AbstractUnitOfWork(Protocol):
    """`with uow: ...; uow.commit()`: one transaction per `with`; leaving without commit rolls back.

    `flush` gives new rows their ids and moves changed shipments' versions; `commit` refuses, with
    ConcurrentChangeError, a change to a shipment another unit of work changed since it was read.
    """

    settings: Settings
    scope: Scope  # the client scope everything it reads and writes is limited to (adapters/db/scope.py)

    @property
    def shipments(self) -> ShipmentStore: ...

    @property
    def clients(self) -> ClientStore: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def screening(self) -> ScreeningStore: ...

    @property
    def users(self) -> UserStore: ...

    @property
    def tokens(self) -> TokenStore: ...

    @property
    def simulations(self) -> SimulationStore: ...

    @property
    def reminders(self) -> ReminderStore: ...

    @property
    def database_key(self) -> str:
        """Which store this is, for process-wide caches keyed by row id (two stores never share an entry)."""
        ...

    def rescoped(self, scope: Scope) -> AbstractUnitOfWork:
        """Another unit of work on the same store, limited to `scope` (a calendar feed shows what its user sees)."""
        ...

    def __enter__(self) -> AbstractUnitOfWork: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def flush(self) -> None: ...

    def commit(self) -> None: ...
