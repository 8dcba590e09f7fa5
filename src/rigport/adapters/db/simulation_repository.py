"""Queries for background simulation runs (the only place that reads or writes the simulations table)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from rigport.adapters.db.tables import SimulationRow


class SimulationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: SimulationRow) -> SimulationRow:
        self.session.add(row)
        return row

    def get(self, run_id: str) -> SimulationRow | None:
        return self.session.get(SimulationRow, run_id)

    def recent(self, limit: int) -> Sequence[SimulationRow]:
        query = select(SimulationRow).order_by(SimulationRow.created_at.desc(), SimulationRow.id).limit(limit)
        return self.session.scalars(query).all()

    def unfinished(self) -> Sequence[SimulationRow]:
        return self.session.scalars(select(SimulationRow).where(SimulationRow.status.in_(("queued", "running")))).all()
