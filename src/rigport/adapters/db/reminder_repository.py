"""Queries of the reminder tables: recipients, the outbox (insert-or-ignore on its key), attempts, feeds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db import writers
from rigport.adapters.db.reminder_tables import AttemptRow, CalendarFeedRow, OutboxRow, RecipientRow
from rigport.adapters.db.scope import unscoped
from rigport.adapters.db.tables import EventRow, QuantityRow, ShipmentRow

KEY_COLUMNS = ("shipment", "clock", "due", "threshold", "recipient_id")


class OutboxCounts(TypedDict):
    pending: int
    sent: int
    cancelled: int
    failing: int  # pending after at least one failed attempt


@dataclass
class ClockQuantity:
    state: str
    quantity: int


@dataclass
class ClockEvent:
    event: str
    occurred_on: dt.date
    voided_at: dt.datetime | None = None


@dataclass
class ClockShipment:
    """What clocks are computed from, read without the ORM: `shipments.open_clocks` reads these attributes
    of a ShipmentRow, and building 5,000 ORM rows costs more than computing their 10,000 clocks."""

    id: int
    reference: str
    port: str
    arrival_date: dt.date
    total_units: int
    declared_value_usd: Decimal
    other_agency_hold: bool
    client_id: int
    quantities: list[ClockQuantity] = field(default_factory=list)
    events: list[ClockEvent] = field(default_factory=list)


def clock_data(session: Session) -> list[ClockShipment]:
    """Every shipment with its quantities and events not voided, in three plain queries."""
    shipments = {
        row.id: ClockShipment(row.id, row.reference, row.port, row.arrival_date, row.total_units,
                              row.declared_value_usd, bool(row.other_agency_hold), row.client_id)
        for row in session.execute(select(ShipmentRow.id, ShipmentRow.reference, ShipmentRow.port,
                                          ShipmentRow.arrival_date, ShipmentRow.total_units,
                                          ShipmentRow.declared_value_usd, ShipmentRow.other_agency_hold,
                                          ShipmentRow.client_id)
                                   .order_by(ShipmentRow.reference))
    }  # fmt: skip
    for shipment_id, state, quantity in session.execute(
        select(QuantityRow.shipment_id, QuantityRow.state, QuantityRow.quantity).where(QuantityRow.quantity > 0)
    ):
        if shipment_id in shipments:
            shipments[shipment_id].quantities.append(ClockQuantity(state, quantity))
    events = select(EventRow.shipment_id, EventRow.event, EventRow.occurred_on).where(EventRow.voided_at.is_(None))
    for shipment_id, event, occurred_on in session.execute(events.order_by(EventRow.id)):
        if shipment_id in shipments:
            shipments[shipment_id].events.append(ClockEvent(event, occurred_on))
    return list(shipments.values())


class ReminderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # recipients
    def recipients(self, *, include_disabled: bool = False) -> Sequence[RecipientRow]:
        query = select(RecipientRow).order_by(RecipientRow.name)
        if not include_disabled:
            query = query.where(RecipientRow.disabled_at.is_(None))
        return self.session.scalars(query).all()

    def recipient(self, name: str) -> RecipientRow | None:
        return self.session.scalars(select(RecipientRow).where(RecipientRow.name == name)).one_or_none()

    def recipient_by_id(self, recipient_id: int) -> RecipientRow | None:
        return self.session.get(RecipientRow, recipient_id)

    def add_recipient(self, row: RecipientRow) -> RecipientRow:
        self.session.add(row)
        return row

    # outbox
    def queue(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert the reminders not already in the outbox; a key already there is left alone (insert-or-ignore).

        One statement per few hundred rows, in the caller's transaction: the decision and its record commit
        together or not at all. Returns how many were new.
        """
        if not rows:
            return 0
        writers.hold(self.session)  # a write outside the ORM's flush: queue for the SQLite writer slot here
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        added = 0
        for start in range(0, len(rows), 500):
            statement = insert(cast(Table, OutboxRow.__table__)).values(list(rows[start : start + 500]))
            statement = statement.on_conflict_do_nothing()  # the key's constraints: one reminder, one row
            added += len(self.session.connection().execute(statement.returning(OutboxRow.id)).all())
        return added

    def keys_for(self, recipient_ids: Sequence[int], since: dt.date) -> set[tuple[str, str, dt.date, str, int]]:
        """Keys of reminders already decided for due dates from `since` on (what a dry run would skip)."""
        query = select(OutboxRow.shipment, OutboxRow.clock, OutboxRow.due, OutboxRow.threshold,
                       OutboxRow.recipient_id).where(OutboxRow.recipient_id.in_(recipient_ids),
                                                     OutboxRow.due >= since)  # fmt: skip
        return {(s, c, d, t, r) for s, c, d, t, r in self.session.execute(query)}

    def pending(self, now: dt.datetime, limit: int) -> Sequence[OutboxRow]:
        """Pending reminders whose next try is due, oldest decision first."""
        query = (
            select(OutboxRow)
            .where(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now)
            .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def outbox_row(self, outbox_id: int) -> OutboxRow | None:
        return self.session.get(OutboxRow, outbox_id)

    def add_attempt(self, row: AttemptRow) -> None:
        self.session.add(row)

    def counts(self) -> OutboxCounts:
        query = select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
        found = {str(status): int(n) for status, n in self.session.execute(query)}
        failing = select(func.count()).select_from(OutboxRow).where(
            OutboxRow.status == "pending", OutboxRow.attempts > 0
        )
        return {
            "pending": found.get("pending", 0),
            "sent": found.get("sent", 0),
            "cancelled": found.get("cancelled", 0),
            "failing": int(self.session.scalar(failing) or 0),
        }

    def name_taken(self, name: str) -> bool:
        """Whether any recipient, in the caller's scope or not, has this name (names are unique book-wide)."""
        with unscoped(self.session):
            return self.session.scalar(select(func.count()).where(RecipientRow.name == name)) != 0

    def recent(self, limit: int, status: str | None = None) -> Sequence[tuple[OutboxRow, str]]:
        query = select(OutboxRow, RecipientRow.name).join(RecipientRow, RecipientRow.id == OutboxRow.recipient_id)
        if status:
            query = query.where(OutboxRow.status == status)
        query = query.order_by(OutboxRow.id.desc()).limit(limit)
        return [(row, str(name)) for row, name in self.session.execute(query)]

    def cancel_pending(self, recipient_id: int) -> int:
        rows = self.session.scalars(
            select(OutboxRow).where(OutboxRow.recipient_id == recipient_id, OutboxRow.status == "pending")
        ).all()
        for row in rows:
            row.status = "cancelled"
        return len(rows)

    # calendar feeds
    def feed_for_user(self, user_id: int) -> CalendarFeedRow | None:
        return self.session.scalars(select(CalendarFeedRow).where(CalendarFeedRow.user_id == user_id)).one_or_none()

    def feed_by_hash(self, secret_hash: str) -> CalendarFeedRow | None:
        query = select(CalendarFeedRow).where(CalendarFeedRow.secret_hash == secret_hash)
        return self.session.scalars(query).one_or_none()

    def add_feed(self, row: CalendarFeedRow) -> None:
        self.session.add(row)
