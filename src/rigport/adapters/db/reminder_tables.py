"""Tables of deadline reminders and calendar feeds (issue #29); the schema is migration 0011_reminders.

The outbox is the heart of "never lost": a reminder is a row here, written in the transaction that decided
it was due, unique on (shipment, clock, due date, threshold, recipient), and only a recorded delivery
marks it sent. Every try is kept in `reminder_attempts`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rigport.adapters.db.tables import Base, utcnow


class RecipientRow(Base):
    """Who hears about deadlines, how (email, webhook, slack) and with which rule."""

    __tablename__ = "reminder_recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(2000))  # e-mail address or webhook URL
    secret: Mapped[str | None] = mapped_column(String(200), nullable=True)  # webhook signing key
    username: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the user it belongs to, if any
    # the client whose shipments it hears about; NULL: broker-wide, every client's (migration 0015)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), nullable=True, index=True)
    before_days: Mapped[str] = mapped_column(String(64), default="7,3,1")
    on_day: Mapped[bool] = mapped_column(Boolean, default=True)
    overdue: Mapped[bool] = mapped_column(Boolean, default=True)
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OutboxRow(Base):
    """One reminder to deliver: pending until a channel accepted it (sent) or its recipient was removed."""

    __tablename__ = "reminder_outbox"
    __table_args__ = (
        UniqueConstraint("shipment", "clock", "due", "threshold", "recipient_id", name="uq_reminder_outbox_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    shipment: Mapped[str] = mapped_column(String(64))
    clock: Mapped[str] = mapped_column(String(64))
    due: Mapped[dt.date] = mapped_column(Date)
    threshold: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("reminder_recipients.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)  # the recipient's client
    status: Mapped[str] = mapped_column(String(12), index=True)  # pending | sent | cancelled
    subject: Mapped[str] = mapped_column(String(500))
    message: Mapped[dict[str, Any]] = mapped_column(JSON)  # text, html and data, as decided
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AttemptRow(Base):
    """One try at delivering an outbox row: when, whether the channel accepted it, and why not."""

    __tablename__ = "reminder_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("reminder_outbox.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    elapsed_ms: Mapped[int] = mapped_column(Integer, default=0)


class CalendarFeedRow(Base):
    """A user's subscribable calendar URL: only the SHA-256 of its secret is stored."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
