"""Screening tables: runs (with the list versions used), their results, and reviewer decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rigport.adapters.db.tables import Base, utcnow


class ScreeningRunRow(Base):
    """One screening of a shipment's parties (or of ad-hoc names) against the list versions recorded here."""

    __tablename__ = "screening_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True, nullable=True
    )
    screened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(120), default="")
    threshold: Mapped[float] = mapped_column(Float)
    list_versions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    results: Mapped[list[ScreeningResultRow]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ScreeningResultRow.id"
    )


class ScreeningResultRow(Base):
    """A subject screened in a run: one row per hit, or one row with status 'clear'."""

    __tablename__ = "screening_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("screening_runs.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(16))  # clear | hit | dismissed | reopened
    list_id: Mapped[str] = mapped_column(String(64), default="")
    entry_id: Mapped[str] = mapped_column(String(64), default="")
    entry_name: Mapped[str] = mapped_column(String(500), default="")
    matched_name: Mapped[str] = mapped_column(String(500), default="")
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    programs: Mapped[list[str]] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")
    entry_fingerprint: Mapped[str] = mapped_column(String(32), default="")
    relation: Mapped[str] = mapped_column(String(24), default="same", server_default="same")  # or possible-affiliate
    source_list: Mapped[str] = mapped_column(String(200), default="", server_default="")  # "Entity List (EL) - ..."
    run: Mapped[ScreeningRunRow] = relationship(back_populates="results")


class ScreeningDecisionRow(Base):
    """A reviewer's verdict that a name is not a list entry; void once the entry's fingerprint changes."""

    __tablename__ = "screening_decisions"
    __table_args__ = (UniqueConstraint("name_key", "list_id", "entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_key: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(300))
    list_id: Mapped[str] = mapped_column(String(64))
    entry_id: Mapped[str] = mapped_column(String(64))
    entry_name: Mapped[str] = mapped_column(String(500), default="")
    entry_fingerprint: Mapped[str] = mapped_column(String(32))
    verdict: Mapped[str] = mapped_column(String(16), default="false_positive")
    reason: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
