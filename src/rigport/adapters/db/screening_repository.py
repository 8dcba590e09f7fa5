"""Queries for screening runs, results and reviewer decisions (the only place that writes them)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from rigport.adapters.db.screening_tables import ScreeningDecisionRow, ScreeningRunRow
from rigport.adapters.db.tables import LineItemRow, PartyRow


class ScreeningRepository:
    """`protocols.ScreeningStore` on the database (`UnitOfWork.screening`)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_run(self, run: ScreeningRunRow) -> ScreeningRunRow:
        self.session.add(run)
        return run

    def runs_for_shipment(self, shipment_id: int, limit: int = 20) -> Sequence[ScreeningRunRow]:
        query = (
            select(ScreeningRunRow)
            .options(selectinload(ScreeningRunRow.results))
            .where(ScreeningRunRow.shipment_id == shipment_id)
            .order_by(ScreeningRunRow.id.desc())
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def decisions(self, name_key: str | None = None) -> Sequence[ScreeningDecisionRow]:
        query = select(ScreeningDecisionRow)
        if name_key is not None:  # the unique (name_key, list_id, entry_id) index serves it
            query = query.where(ScreeningDecisionRow.name_key == name_key)
        return self.session.scalars(query).all()

    def decision(self, name_key: str, list_id: str, entry_id: str) -> ScreeningDecisionRow | None:
        query = select(ScreeningDecisionRow).where(
            ScreeningDecisionRow.name_key == name_key,
            ScreeningDecisionRow.list_id == list_id,
            ScreeningDecisionRow.entry_id == entry_id,
        )
        return self.session.scalars(query).one_or_none()

    def save_decision(self, row: ScreeningDecisionRow) -> ScreeningDecisionRow:
        """Insert or replace the decision for (name_key, list_id, entry_id)."""
        current = self.decision(row.name_key, row.list_id, row.entry_id)
        if current is None:
            self.session.add(row)
            return row
        for field in ("name", "entry_name", "entry_fingerprint", "verdict", "reason", "reviewer", "decided_at"):
            setattr(current, field, getattr(row, field))
        return current

    def stored_parties(self) -> list[tuple[str, str, str]]:
        """Every distinct (name, kind, country) of stored parties and chip suppliers, for re-screening."""
        parties = self.session.execute(select(PartyRow.name, PartyRow.country).distinct()).all()
        chips = self.session.scalars(select(LineItemRow.chip_supplier).distinct()).all()
        out = [(name, "", country or "") for name, country in parties if name]
        out += [(c, "org", "") for c in chips if c]
        return out
