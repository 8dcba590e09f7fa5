"""Database tables (SQLAlchemy 2 declarative). The schema itself is owned by Alembic migrations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Money = Numeric(16, 2)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class ClientRow(Base):
    """An importer the broker works for (issue #28): every shipment belongs to one; identities may be scoped to some."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


DEFAULT_CLIENT_ID = 1  # "Default", made by migration 0012 for the shipments stored before clients existed


class ShipmentRow(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The owner: what the unit of work's client scope filters on (adapters/db/scope.py). A row stored without
    # one goes to "Default" (id 1, migration 0012), as a broker-wide shipment left unassigned does; a scoped
    # unit of work refuses it unless Default is in its scope.
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True, default=DEFAULT_CLIENT_ID)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    mode: Mapped[str] = mapped_column(String(8))
    port: Mapped[str] = mapped_column(String(80), index=True)
    carrier: Mapped[str] = mapped_column(String(120), default="")
    transport_doc: Mapped[str] = mapped_column(String(80), default="")
    arrival_date: Mapped[dt.date] = mapped_column(Date)
    entry_number: Mapped[str] = mapped_column(String(40), default="")
    importer_of_record: Mapped[str] = mapped_column(String(200), default="")
    total_units: Mapped[int] = mapped_column(Integer)
    declared_value_usd: Mapped[Decimal] = mapped_column(Money)
    other_agency_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    storage_usd_per_unit_day: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    storage_facility: Mapped[str] = mapped_column(String(120), default="")
    # Facilities that bill per pallet: both set, and they win over the per-unit rate.
    storage_pallets: Mapped[int | None] = mapped_column(Integer, nullable=True)
    storage_usd_per_pallet_day: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    primary_state: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    client: Mapped[ClientRow] = relationship(lazy="joined", innerjoin=True)
    quantities: Mapped[list[QuantityRow]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="QuantityRow.state"
    )
    line_items: Mapped[list[LineItemRow]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="LineItemRow.line_no"
    )
    parties: Mapped[list[PartyRow]] = relationship(back_populates="shipment", cascade="all, delete-orphan")
    documents: Mapped[list[DocumentRow]] = relationship(back_populates="shipment", cascade="all, delete-orphan")
    events: Mapped[list[EventRow]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="EventRow.id"
    )


class QuantityRow(Base):
    __tablename__ = "shipment_quantities"

    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(32), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    shipment: Mapped[ShipmentRow] = relationship(back_populates="quantities")


class LineItemRow(Base):
    __tablename__ = "line_items"
    __table_args__ = (UniqueConstraint("shipment_id", "line_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    model_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    quantity: Mapped[int] = mapped_column(Integer)
    unit_value_usd: Mapped[Decimal] = mapped_column(Money)
    hts_code: Mapped[str] = mapped_column(String(12))
    origin: Mapped[str] = mapped_column(String(2))
    chip_supplier: Mapped[str] = mapped_column(String(120), default="")
    serials: Mapped[str] = mapped_column(Text, default="")  # newline-separated; uniqueness checked on import
    shipment: Mapped[ShipmentRow] = relationship(back_populates="line_items")


class PartyRow(Base):
    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    shipment: Mapped[ShipmentRow] = relationship(back_populates="parties")


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    reference: Mapped[str] = mapped_column(String(120), default="")
    lab_name: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # The uploaded file, when there is one (issue #30): stored under the data directory by its SHA-256
    # (adapters/evidence_files.py), never at a path a user chose. All None for a document recorded by hand.
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    media_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    uploaded_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    uploaded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    shipment: Mapped[ShipmentRow] = relationship(back_populates="documents")


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    from_state: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(32), nullable=True)
    actor: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A voided event stays in the history, marked, and no longer counts (issue #25: correction with a trail).
    voided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    voided_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    void_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    shipment: Mapped[ShipmentRow] = relationship(back_populates="events")


class TokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Dashboard sessions signed in with this token carry the generation; logout moves it on (issue #26).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Comma-separated client ids this token is limited to; NULL: broker-wide (issue #28).
    client_ids: Mapped[str | None] = mapped_column(String(2000), nullable=True)


class UserRow(Base):
    """A dashboard login: username and a scrypt password hash, never the password."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Sessions carry the generation they were issued at; logout, password or role change and disable move it on.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Comma-separated client ids this user is limited to; NULL: broker-wide (issue #28).
    client_ids: Mapped[str | None] = mapped_column(String(2000), nullable=True)


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The client scope of the identity that acted: "broker" or "clients:1,2" (issue #28).
    scope: Mapped[str | None] = mapped_column(String(2000), nullable=True)


class SimulationRow(Base):
    """A Monte Carlo run started through the API or dashboard: its parameters, status and stored result.

    `runner` is host:pid of the process that owns a queued/running row, so a restarted server can tell
    its dead predecessor's runs (marked failed: interrupted) from a live sibling worker's.
    """

    __tablename__ = "simulations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued | running | succeeded | failed
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(120))
    runner: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LoginAttemptRow(Base):
    """One dashboard sign-in attempt counted against one key (an account or a client address) for a minute.

    The limit is shared by every server worker and process through this table (issue #26): an attempt is
    inserted, or refused, before its password is checked (`adapters/db/login_attempts.py`). Rows older than
    the window are pruned as new attempts arrive, so the table holds at most a minute of allowed attempts.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_at", "key", "attempted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class NextDeadlineRow(Base):
    """A shipment's soonest open customs clock, kept so the list can filter and sort by it in SQL (issue #30).

    Derived, never typed: `services.shipment_search` recomputes a row whenever the shipment's version or the
    clock rules in force (`rules`, a fingerprint) differ from those it was computed at. No open clock: `due` NULL.
    """

    __tablename__ = "shipment_next_deadlines"

    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    rules: Mapped[str] = mapped_column(String(32))
    due: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    clock: Mapped[str | None] = mapped_column(String(64), nullable=True)
