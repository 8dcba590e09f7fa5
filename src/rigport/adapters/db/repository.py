"""Repositories: the only place that writes queries."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import Connection, Select, Table, func, select
from sqlalchemy.orm import Session, selectinload

from rigport.adapters.db import writers
from rigport.adapters.db.reminder_repository import ClockShipment, clock_data
from rigport.adapters.db.scope import unscoped
from rigport.adapters.db.tables import (
    AuditRow,
    Base,
    ClientRow,
    DocumentRow,
    EventRow,
    LineItemRow,
    QuantityRow,
    ShipmentRow,
    TokenRow,
    UserRow,
)
from rigport.domain.customs.model import HELD_STATES, normalize_reference
from rigport.errors import InputError

if TYPE_CHECKING:  # the manifest rules (pycountry, csv) are not loaded for a type
    from rigport.domain.customs.manifest import Lines

_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


class ShipmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: ShipmentRow) -> ShipmentRow:
        self.session.add(row)
        return row

    def get(self, reference: str, *, for_update: bool = False) -> ShipmentRow | None:
        """The shipment stored under `reference` exactly (rows from before references were normalised keep
        their text), else under its canonical form ("ab-1" finds AB-1; see customs.model.normalize_reference)."""
        candidates = [reference]
        with suppress(InputError):
            candidates.append(normalize_reference(reference))
        query = select(ShipmentRow).where(ShipmentRow.reference.in_(set(candidates)))
        if for_update:
            query = query.with_for_update()
        found = {row.reference: row for row in self.session.scalars(query)}
        return next((found[c] for c in candidates if c in found), None)

    def exists(self, reference: str) -> bool:
        """Whether any shipment, of any client, is stored under `reference` (references are unique in the whole
        book, so a scoped caller creating one learns only that the reference is taken, nothing about it)."""
        candidates = {reference}
        with suppress(InputError):
            candidates.add(normalize_reference(reference))
        with unscoped(self.session):  # ids only: no other client's row enters this session's identity map
            return self.session.scalars(select(ShipmentRow.id).where(ShipmentRow.reference.in_(candidates))).first() \
                is not None

    def get_by_id(self, shipment_id: int) -> ShipmentRow | None:
        return self.session.get(ShipmentRow, shipment_id)

    def event_states(self, shipment_id: int) -> list[tuple[dt.date, str, str | None]]:
        """(date, event, state it moved units into — or, for a clock-only event, the state it applied to) of
        every event not voided, without loading the rows: what a new event's date is checked against."""
        query = select(EventRow.occurred_on, EventRow.event, func.coalesce(EventRow.to_state, EventRow.from_state))
        query = query.where(EventRow.shipment_id == shipment_id, EventRow.voided_at.is_(None))
        return [(on, event, state) for on, event, state in self.session.execute(query)]

    def add_event(self, row: ShipmentRow, event: EventRow) -> None:
        """Added by shipment id, not appended to `row.events`: appending would load the whole history first."""
        event.shipment_id = row.id
        self.session.add(event)

    def reload_events(self, row: ShipmentRow) -> None:
        """The next read of `row.events` queries the history again (events added by `add_event` included)."""
        self.session.expire(row, ["events"])

    def list(
        self,
        *,
        state: str | None = None,
        port: str | None = None,
        limit: int = 100,
        offset: int = 0,
        client_id: int | None = None,
    ) -> Sequence[ShipmentRow]:
        query = _filtered(select(ShipmentRow), state, port, client_id).options(
            selectinload(ShipmentRow.quantities), selectinload(ShipmentRow.events)
        )
        return self.session.scalars(query.limit(limit).offset(offset)).all()

    def page_versions(
        self, *, state: str | None = None, port: str | None = None, limit: int = 100, offset: int = 0,
        client_id: int | None = None,
    ) -> Sequence[tuple[int, int]]:
        """(id, version) of the shipments `list` would return, in its order, without loading them."""
        query = _filtered(select(ShipmentRow.id, ShipmentRow.version), state, port, client_id)
        return [(int(i), int(v)) for i, v in self.session.execute(query.limit(limit).offset(offset))]

    def with_clock_data(self, ids: Sequence[int]) -> Sequence[ShipmentRow]:
        """Those shipments with what list views need (quantities and events), in a few queries."""
        query = select(ShipmentRow).where(ShipmentRow.id.in_(ids)).options(
            selectinload(ShipmentRow.quantities), selectinload(ShipmentRow.events)
        )
        return self.session.scalars(query).all()

    def all_with_details(self) -> Sequence[ShipmentRow]:
        """Every shipment with what portfolio figures need, loaded in a few queries (not one per row)."""
        query = select(ShipmentRow).options(
            selectinload(ShipmentRow.quantities), selectinload(ShipmentRow.events),
            selectinload(ShipmentRow.line_items),
        ).order_by(ShipmentRow.arrival_date, ShipmentRow.reference)  # fmt: skip
        return self.session.scalars(query).all()

    def clock_data(self) -> Sequence[ClockShipment]:
        """Every shipment as what its clocks are computed from, in three plain queries (no ORM rows built)."""
        return clock_data(self.session)

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(ShipmentRow)) or 0)

    def references(self) -> set[str]:
        return set(self.session.scalars(select(ShipmentRow.reference)))

    def prior_holds(self, port: str, importer: str, exclude_id: int | None = None) -> tuple[int, int]:
        """Comparable shipments (same port, any case, or same importer of record): how many were ever held
        (a held state reached by an event not voided) and how many there are."""
        others = [
            s
            for s in self.session.scalars(select(ShipmentRow))
            if s.id != exclude_id
            and ((port and s.port.lower() == port.lower()) or (importer and s.importer_of_record == importer))
        ]
        held_states = {s.value for s in HELD_STATES}
        held_ids = set(self.session.scalars(select(EventRow.shipment_id).where(
            EventRow.to_state.in_(held_states), EventRow.voided_at.is_(None)
        )))  # fmt: skip
        return sum(1 for s in others if s.id in held_ids), len(others)

    def line_numbers(self, shipment_id: int) -> set[int]:
        """The line numbers already stored for a shipment (a manifest may not repeat one)."""
        return set(self.session.scalars(select(LineItemRow.line_no).where(LineItemRow.shipment_id == shipment_id)))

    def documents_with_file(self, sha256: str) -> int:
        """How many documents (of any shipment) refer to the stored file with this digest."""
        query = select(func.count()).select_from(DocumentRow).where(DocumentRow.sha256 == sha256)
        return int(self.session.scalar(query) or 0)

    def stored_serials(self, shipment_id: int) -> set[str]:
        """Every serial number already stored for a shipment (stored one per line of `LineItemRow.serials`)."""
        serials: set[str] = set()
        for text in self.session.scalars(select(LineItemRow.serials).where(LineItemRow.shipment_id == shipment_id)):
            serials.update(s for s in text.split("\n") if s)
        return serials

    def add_line_items(self, row: ShipmentRow, lines: Lines) -> None:
        """Checked lines of a stored shipment in one bulk INSERT (`bulk_insert`: no object per line); the next read
        of `row.line_items` queries them."""
        bulk_insert(self.session, LineItemRow, {
            "shipment_id": [row.id] * len(lines), "line_no": lines.line_no, "model_id": lines.model_id,
            "description": lines.description, "quantity": lines.quantity, "unit_value_usd": lines.unit_value_usd,
            "hts_code": lines.hts_code, "origin": lines.origin, "chip_supplier": lines.chip_supplier,
            "serials": lines.serial_texts,
        })  # fmt: skip
        self.session.expire(row, ["line_items"])


def _filtered(query: _Query, state: str | None, port: str | None, client_id: int | None = None) -> _Query:
    """The shipment list's filters and order (arrival, then reference). The client scope is not here: the unit
    of work's session adds it to every statement (adapters/db/scope.py); `client_id` is a filter asked for."""
    query = query.order_by(ShipmentRow.arrival_date, ShipmentRow.reference)
    if client_id is not None:
        query = query.where(ShipmentRow.client_id == client_id)
    if state:
        holding = select(QuantityRow.shipment_id).where(QuantityRow.state == state, QuantityRow.quantity > 0)
        query = query.where(ShipmentRow.id.in_(holding))
    if port:
        query = query.where(func.lower(ShipmentRow.port) == port.lower())
    return query


class ClientRepository:
    """The broker's clients (what a scoped session sees of them is limited by its scope, adapters/db/scope.py)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: ClientRow) -> ClientRow:
        self.session.add(row)
        return row

    def get(self, client_id: int) -> ClientRow | None:
        return self.session.scalars(select(ClientRow).where(ClientRow.id == client_id)).one_or_none()

    def by_name(self, name: str) -> ClientRow | None:
        """The client named `name`, in any case (names are unique regardless of case)."""
        query = select(ClientRow).where(func.lower(ClientRow.name) == name.strip().lower())
        return self.session.scalars(query).first()

    def list(self, *, include_archived: bool = False) -> Sequence[ClientRow]:
        query = select(ClientRow).order_by(func.lower(ClientRow.name))
        if not include_archived:
            query = query.where(ClientRow.archived_at.is_(None))
        return self.session.scalars(query).all()

    def names(self, ids: Sequence[int]) -> dict[int, str]:
        query = select(ClientRow.id, ClientRow.name).where(ClientRow.id.in_(ids))
        return {int(client_id): str(name) for client_id, name in self.session.execute(query)}

    def shipment_counts(self) -> dict[int, int]:
        query = select(ShipmentRow.client_id, func.count()).group_by(ShipmentRow.client_id)
        return {int(c): int(n) for c, n in self.session.execute(query)}


class TokenRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: TokenRow) -> TokenRow:
        self.session.add(row)
        return row

    def by_hash(self, token_hash: str) -> TokenRow | None:
        return self.session.scalars(select(TokenRow).where(TokenRow.token_hash == token_hash)).one_or_none()

    def get(self, token_id: int) -> TokenRow | None:
        return self.session.get(TokenRow, token_id)

    def list(self) -> Sequence[TokenRow]:
        return self.session.scalars(select(TokenRow).order_by(TokenRow.id)).all()


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: UserRow) -> UserRow:
        self.session.add(row)
        return row

    def by_name(self, username: str) -> UserRow | None:
        return self.session.scalars(select(UserRow).where(UserRow.username == username)).one_or_none()

    def get(self, user_id: int) -> UserRow | None:
        return self.session.get(UserRow, user_id)

    def list(self) -> Sequence[UserRow]:
        return self.session.scalars(select(UserRow).order_by(UserRow.username)).all()


def _audit_json(value: Any) -> Any:
    """Views as JSON for the audit log: dates as ISO text, money as exact decimal text."""
    if isinstance(value, dt.date):  # datetime included
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _audit_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_audit_json(v) for v in value]
    return value


@dataclass(frozen=True)
class AuditFilters:
    """What a search of the audit trail keeps: each given filter must hold (dates are UTC days, inclusive)."""

    actor: str | None = None
    action: str | None = None  # a prefix: "event" keeps every event:... action
    entity: str | None = None  # shipment, user, token, screening, reminder_recipient
    entity_id: str | None = None  # a shipment reference (any case), a user name, ...
    since: dt.date | None = None
    until: dt.date | None = None
    hide_entities: tuple[str, ...] = ()  # kinds of entry the reader may not see


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


class AuditRepository:
    """Append-only: there is no update or delete here on purpose. Each row carries the client scope of the
    unit of work that wrote it (who acted is the actor; what they could see is the scope)."""

    def __init__(self, session: Session, scope: str = "broker") -> None:
        self.session = session
        self.scope = scope

    def record(
        self,
        actor: str,
        action: str,
        entity: str,
        entity_id: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> None:
        self.session.add(
            AuditRow(
                at=dt.datetime.now(dt.UTC),
                actor=actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                before=_audit_json(before),
                after=_audit_json(after),
                scope=self.scope,
            )
        )

    def for_entity(self, entity: str, entity_id: str, limit: int = 500) -> Sequence[AuditRow]:
        query = (
            select(AuditRow)
            .where(AuditRow.entity == entity, AuditRow.entity_id == entity_id)
            .order_by(AuditRow.id)
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def search(self, filters: AuditFilters, *, limit: int, offset: int) -> tuple[Sequence[AuditRow], int]:
        """One page of the trail, newest first, and how many entries match: every filter is part of the query
        (nothing is filtered after loading), so a page costs the same on a log of any length."""
        conditions: list[Any] = []
        if filters.actor:
            conditions.append(func.lower(AuditRow.actor) == filters.actor.lower())
        if filters.action:  # "event" finds event:release, event:seizure-notice-mailed, ...
            conditions.append(AuditRow.action.like(_like_prefix(filters.action), escape="\\"))
        if filters.entity:
            conditions.append(AuditRow.entity == filters.entity)
        if filters.entity_id:
            candidates = {filters.entity_id, filters.entity_id.upper()}
            with suppress(InputError):
                candidates.add(normalize_reference(filters.entity_id))
            conditions.append(AuditRow.entity_id.in_(candidates))
        if filters.since is not None:
            conditions.append(AuditRow.at >= _utc_midnight(filters.since))
        if filters.until is not None:
            conditions.append(AuditRow.at < _utc_midnight(filters.until + dt.timedelta(days=1)))
        if filters.hide_entities:
            conditions.append(AuditRow.entity.not_in(filters.hide_entities))
        total = int(self.session.scalar(select(func.count()).select_from(AuditRow).where(*conditions)) or 0)
        query = select(AuditRow).where(*conditions).order_by(AuditRow.id.desc()).limit(limit).offset(offset)
        return self.session.scalars(query).all(), total

    def all_with_details(self) -> Sequence[ShipmentRow]:
        """Every shipment with what portfolio figures need, loaded in a few queries (not one per row)."""
        query = select(ShipmentRow).options(
            selectinload(ShipmentRow.quantities), selectinload(ShipmentRow.events),
            selectinload(ShipmentRow.line_items),
        ).order_by(ShipmentRow.arrival_date, ShipmentRow.reference)  # fmt: skip
        return self.session.scalars(query).all()

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(AuditRow)) or 0)


def bulk_insert(session: Session, model: type[Base], columns: Mapping[str, Sequence[Any]]) -> int:
    """Insert many rows, given column by column, in the session's transaction.

    SQLAlchemy's bulk insert spends most of its time per row building parameters; a 100,000-line
    manifest does not need that. The columns' own bind processors still run, column by column
    (e.g. Decimal to what SQLite stores), so rows read back exactly as if the ORM had written them.
    SQLite gets one DBAPI `executemany` of a multi-row INSERT, ROWS_PER_STATEMENT rows a statement
    (and one statement for the rest): a row-at-a-time executemany spends more on the round per row
    than on the row. PostgreSQL gets one INSERT ... SELECT FROM unnest() of one array per column
    (an executemany there is a round of parse, bind and execute per row). Either way a failure is
    SQLAlchemy's own exception (e.g. IntegrityError), as from the ORM.
    """
    table = cast(Table, model.__table__)
    writers.hold(session)  # a write outside the ORM's flush: queue for the SQLite writer slot here
    connection = session.connection()
    dialect = connection.dialect
    values: list[Sequence[Any]] = []
    for name, cells in columns.items():
        process = table.c[name].type.bind_processor(dialect)
        values.append(cells if process is None else _bound(process, cells))
    count = len(values[0]) if values else 0
    if not count:
        return 0
    quote = dialect.identifier_preparer.quote
    into = f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)})"
    if dialect.name == "postgresql":
        arrays, params = [], []
        for name, cells in zip(columns, values, strict=True):
            array, args = _pg_array(cells)
            arrays.append(f"{array}::{table.c[name].type.compile(dialect)}[]")
            params += args
        connection.exec_driver_sql(f"{into} SELECT * FROM unnest({', '.join(arrays)})", tuple(params))
        return count
    width = len(values)
    flat: list[Any] = [None] * (count * width)  # row after row, as the statements bind them
    for i, cells in enumerate(values):
        flat[i::width] = cells  # a column of another length raises here, before anything is written
    placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
    row = f"({', '.join([placeholder] * width)})"
    per = _rows_per_statement(connection, width, count)
    size = per * width
    full = count // per
    if full:
        chunks = [tuple(flat[k * size : (k + 1) * size]) for k in range(full)]
        connection.exec_driver_sql(f"{into} VALUES {', '.join([row] * per)}", chunks if full > 1 else chunks[0])
    if count > full * per:
        connection.exec_driver_sql(f"{into} VALUES {', '.join([row] * (count - full * per))}",
                                   tuple(flat[full * size :]))  # fmt: skip
    return count


def _bound(process: Callable[[Any], Any], cells: Sequence[Any]) -> list[Any]:
    """The bind processor applied to every cell: once per object when the column repeats its objects.

    A manifest's column of prices holds the same few Decimal objects many times over; converting each
    once (by identity, never by equality: Decimal('1.0') and Decimal('1.00') may bind differently) saves
    a conversion a row. A sample decides: a column that does not repeat is simply mapped.
    """
    sample = list(itertools.islice(cells, 256))
    if 2 * len(set(map(id, sample))) > len(sample):
        return list(map(process, cells))
    ids = list(map(id, cells))
    bound = {key: process(value) for key, value in dict(zip(ids, cells, strict=True)).items()}
    return list(map(bound.__getitem__, ids))


ROWS_PER_STATEMENT = 1000


def _rows_per_statement(connection: Connection, width: int, count: int) -> int:
    """How many rows one multi-row INSERT binds: ROWS_PER_STATEMENT, fewer if the driver allows fewer parameters.

    One statement per row (a plain executemany) costs a reset and a step in SQLite and a round of the
    driver's loop in Python for every row; a thousand rows a statement spread that over the thousand.
    """
    driver = connection.connection.driver_connection
    getlimit = getattr(driver, "getlimit", None)  # sqlite3 on Python 3.11+
    limit = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if getlimit is not None else 999
    return max(1, min(ROWS_PER_STATEMENT, limit // width, count))


_SEPARATOR, _NULL = "\x1f", "\x1e"


def _pg_array(cells: Sequence[Any]) -> tuple[str, list[Any]]:
    """A column as a PostgreSQL array expression and its parameters.

    Text and numbers travel as one string, split on the server (string_to_array), because
    the driver would otherwise quote every element of a list in Python. Anything else, or a value
    holding the separator or the null marker, goes as a list.
    """
    kinds = set(map(type, cells))
    if len(cells) > 1 and kinds <= {str, int, float, Decimal, type(None)}:
        texts = cells if kinds == {str} else [_NULL if c is None else str(c) for c in cells]
        joined = _SEPARATOR.join(texts)
        if joined.count(_SEPARATOR) == len(cells) - 1:  # no value holds the separator
            if type(None) not in kinds:
                return "string_to_array(%s, %s)", [joined, _SEPARATOR]
            if _NULL not in cells:
                return "string_to_array(%s, %s, %s)", [joined, _SEPARATOR, _NULL]
    return "%s", [list(cells)]
