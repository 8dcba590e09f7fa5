"""The shipment list as one query: filters, search, order and page in SQL, with bound parameters (issue #30).

`domain.customs.shipment_filter.ShipmentFilter` says what is asked; this module says it in SQL. Text typed by a
person is only ever a bound parameter (LIKE patterns escaped), and ORDER BY takes only the columns named in
`_SORT_COLUMNS`, keyed by the filter's whitelisted sort keys. The next deadline is read from
`shipment_next_deadlines`, which `services.shipment_search` keeps current (`stale_deadlines`, `store_deadlines`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rigport.adapters.db import writers
from rigport.adapters.db.tables import ClientRow, LineItemRow, NextDeadlineRow, PartyRow, QuantityRow, ShipmentRow
from rigport.domain.customs.shipment_filter import SORT_KEYS, ShipmentFilter

_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])

_SORT_COLUMNS: dict[str, Any] = {
    "reference": ShipmentRow.reference,
    "arrival_date": ShipmentRow.arrival_date,
    "port": func.lower(ShipmentRow.port),
    "state": ShipmentRow.primary_state,
    "importer_of_record": func.lower(ShipmentRow.importer_of_record),
    "mode": ShipmentRow.mode,
    "carrier": func.lower(ShipmentRow.carrier),
    "transport_doc": ShipmentRow.transport_doc,
    "entry_number": ShipmentRow.entry_number,
    "total_units": ShipmentRow.total_units,
    "declared_value_usd": ShipmentRow.declared_value_usd,
    "next_deadline": NextDeadlineRow.due,
}
assert set(_SORT_COLUMNS) == set(SORT_KEYS), "every sort key the filter allows has its column"


def _like(text: str) -> str:
    """A LIKE pattern for "contains `text`", its wildcards escaped (they are matched as typed)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(flt: ShipmentFilter, today: dt.date) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if flt.port:
        where.append(func.lower(ShipmentRow.port) == flt.port.lower())
    if flt.importer:
        where.append(func.lower(ShipmentRow.importer_of_record) == flt.importer.lower())
    if flt.client:  # by id or name, any case (services.clients.find has said it exists for this scope)
        text = flt.client.strip()
        named = ClientRow.id == int(text) if text.isdigit() else func.lower(ClientRow.name) == text.lower()
        where.append(ShipmentRow.client_id.in_(select(ClientRow.id).where(named)))
    if flt.state:
        holding = select(QuantityRow.shipment_id).where(QuantityRow.state == flt.state, QuantityRow.quantity > 0)
        where.append(ShipmentRow.id.in_(holding))
    if flt.due_within is not None:
        where.append(NextDeadlineRow.due <= today + dt.timedelta(days=flt.due_within))
    if flt.q:
        pattern = _like(flt.q)
        texts = (ShipmentRow.reference, ShipmentRow.transport_doc, ShipmentRow.entry_number,
                 ShipmentRow.importer_of_record, ShipmentRow.carrier)  # fmt: skip
        party = select(PartyRow.shipment_id).where(func.lower(PartyRow.name).like(pattern, escape="\\"))
        serial = select(LineItemRow.shipment_id).where(func.lower(LineItemRow.serials).like(pattern, escape="\\"))
        where.append(or_(*(func.lower(t).like(pattern, escape="\\") for t in texts),
                         ShipmentRow.id.in_(party), ShipmentRow.id.in_(serial)))  # fmt: skip
    return where


def _joined(query: _Query) -> _Query:
    return query.outerjoin(NextDeadlineRow, NextDeadlineRow.shipment_id == ShipmentRow.id)


def filtered(query: _Query, flt: ShipmentFilter, today: dt.date) -> _Query:
    """`query` (over shipments) narrowed to the filter's shipments and put in its order, reference breaking ties."""
    query = _joined(query)
    conditions = _conditions(flt, today)
    if conditions:
        query = query.where(and_(*conditions))
    column = _SORT_COLUMNS[flt.sort]
    direction = column.desc() if flt.order == "desc" else column.asc()
    tie = ShipmentRow.reference.desc() if flt.order == "desc" else ShipmentRow.reference.asc()
    if flt.sort == "next_deadline":  # shipments with no open clock last, whichever the direction
        return query.order_by(case((NextDeadlineRow.due.is_(None), 1), else_=0), direction, tie)
    return query.order_by(direction, tie)


def page_versions(
    session: Session, flt: ShipmentFilter, today: dt.date, limit: int, offset: int
) -> list[tuple[int, int]]:
    """(id, version) of one page of the filtered list, in its order, without loading the shipments."""
    query = filtered(select(ShipmentRow.id, ShipmentRow.version), flt, today).limit(limit).offset(offset)
    return [(int(i), int(v)) for i, v in session.execute(query)]


def count(session: Session, flt: ShipmentFilter, today: dt.date) -> int:
    """How many shipments the filter keeps (every page together)."""
    query = _joined(select(func.count()).select_from(ShipmentRow))
    conditions = _conditions(flt, today)
    if conditions:
        query = query.where(and_(*conditions))
    return int(session.scalar(query) or 0)


def facets(session: Session) -> dict[str, list[str]]:
    """The ports, importers and clients stored (each once, sorted), for the dashboard's filter choices. Read
    through the session's client scope: a scoped visitor is offered its own clients' values only."""
    ports = session.scalars(select(ShipmentRow.port).distinct().order_by(ShipmentRow.port))
    named = select(ShipmentRow.importer_of_record).distinct().where(ShipmentRow.importer_of_record != "")
    importers = session.scalars(named.order_by(ShipmentRow.importer_of_record))
    owners = select(ClientRow.name).where(ClientRow.id.in_(select(ShipmentRow.client_id).distinct()))
    clients = session.scalars(owners.order_by(func.lower(ClientRow.name)))
    return {"ports": list(ports), "importers": list(importers), "clients": list(clients)}


def stale_deadlines(session: Session, rules: str, limit: int) -> list[int]:
    """Ids of shipments whose next-deadline row is missing, or was computed at another version or rule set."""
    query = _joined(select(ShipmentRow.id)).where(or_(
        NextDeadlineRow.shipment_id.is_(None), NextDeadlineRow.version != ShipmentRow.version,
        NextDeadlineRow.rules != rules,
    )).order_by(ShipmentRow.id).limit(limit)  # fmt: skip
    return [int(i) for i in session.scalars(query)]


def store_deadlines(session: Session, rows: Iterable[tuple[int, int, str, dt.date | None, str | None]]) -> None:
    """Insert or replace next-deadline rows (shipment id, version, rules, due, clock).

    An upsert: two readers refreshing the same shipment at once both succeed with the same values.
    """
    values = [{"shipment_id": i, "version": v, "rules": r, "due": d, "clock": c} for i, v, r, d, c in rows]
    if not values:
        return
    writers.hold(session)  # a write outside the ORM's flush: queue for the SQLite writer slot here
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(NextDeadlineRow).values(values)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=[NextDeadlineRow.shipment_id],
        set_={"version": excluded.version, "rules": excluded.rules, "due": excluded.due, "clock": excluded.clock},
    )
    session.execute(statement)

