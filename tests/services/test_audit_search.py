"""Searching the audit trail on SQLite and PostgreSQL: each filter is part of the query (actor, action prefix,
entity, reference, UTC day range), pages are newest first, and account entries are left out unless asked for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import update

from rigport.adapters.db.tables import AuditRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.services import audit, shipments
from rigport.services.auth import set_user
from rigport.settings import Settings

Filters = audit.AuditFilters


def _book(settings: Settings) -> None:
    """Two shipments by two people, events, a user account; entries dated 2026-11-01 .. 2026-11-08 (UTC)."""
    for reference, actor in (("AU-1", "alice"), ("AU-2", "bob")):
        draft = shipments.ShipmentDraft(reference=reference, mode="air", port="Detroit",
                                        arrival_date=dt.date(2026, 11, 1), total_units=10,
                                        declared_value_usd=Decimal("34000"))  # fmt: skip
        shipments.create_shipment(draft, actor, settings)
    shipments.record_event("AU-1", "entry-filed", dt.date(2026, 11, 2), "alice", settings=settings)
    shipments.record_event("AU-1", "release", dt.date(2026, 11, 3), "Bob", quantity=4, settings=settings)
    shipments.update_shipment("AU-2", {"carrier": "Maersk"}, "bob", settings=settings)
    set_user("carol", "correct horse battery", "operator", settings)
    with UnitOfWork(settings) as uow:  # spread the entries over days, in the order they were written
        ids = [row.id for row in uow.session.query(AuditRow).order_by(AuditRow.id)]
        for day, entry_id in enumerate(ids, start=1):
            at = dt.datetime(2026, 11, day, 23, 59, 59, tzinfo=dt.UTC)
            uow.session.execute(update(AuditRow).where(AuditRow.id == entry_id).values(at=at))
        uow.commit()


def _actions(found: audit.AuditPage) -> list[str]:
    return [f"{e['entity_id']}:{e['action']}" for e in found["entries"]]


def test_each_filter_narrows_the_query(settings: Settings) -> None:
    _book(settings)
    everything = audit.search_audit(Filters(), accounts=True, settings=settings)
    assert _actions(everything) == ["carol:set-user", "AU-2:update", "AU-1:event:release", "AU-1:event:entry-filed",
                                    "AU-2:create", "AU-1:create"]  # fmt: skip
    assert everything["total"] == 6 and everything["pages"] == 1
    assert _actions(audit.search_audit(Filters(actor="BOB"), settings=settings)) == [
        "AU-2:update", "AU-1:event:release", "AU-2:create"]  # any case; the user entry is not bob's
    assert _actions(audit.search_audit(Filters(action="event"), settings=settings)) == [
        "AU-1:event:release", "AU-1:event:entry-filed"]
    assert _actions(audit.search_audit(Filters(action="event_"), settings=settings)) == []  # "_" is no wildcard
    assert _actions(audit.search_audit(Filters(entity_id="au-2"), settings=settings)) == ["AU-2:update", "AU-2:create"]
    days = Filters(since=dt.date(2026, 11, 2), until=dt.date(2026, 11, 4))  # 23:59:59 on the 4th is inside
    assert _actions(audit.search_audit(days, settings=settings)) == [
        "AU-1:event:release", "AU-1:event:entry-filed", "AU-2:create"]
    both = Filters(actor="alice", action="event", entity="shipment", entity_id="AU-1", until=dt.date(2026, 11, 3))
    assert _actions(audit.search_audit(both, settings=settings)) == ["AU-1:event:entry-filed"]
