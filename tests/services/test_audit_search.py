"""Searching the audit trail on SQLite and PostgreSQL: each filter is part of the query (actor, action prefix,
entity, reference, UTC day range), pages are newest first, and account entries are left out unless asked for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import update

from rigport.adapters.db.tables import AuditRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.errors import InputError, NotFoundError
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


def test_accounts_are_for_admins_and_pages_are_newest_first(settings: Settings) -> None:
    _book(settings)
    operator_view = audit.search_audit(Filters(), settings=settings)
    assert operator_view["total"] == 5 and all(e["entity"] == "shipment" for e in operator_view["entries"])
    with pytest.raises(InputError, match="^entity: entries about users are for admins"):
        audit.search_audit(Filters(entity="user"), settings=settings)
    first = audit.search_audit(Filters(), page=1, per_page=2, accounts=True, settings=settings)
    third = audit.search_audit(Filters(), page=3, per_page=2, accounts=True, settings=settings)
    assert (first["pages"], _actions(first)) == (3, ["carol:set-user", "AU-2:update"])
    assert _actions(third) == ["AU-2:create", "AU-1:create"]
    assert audit.search_audit(Filters(), page=9, per_page=2, settings=settings)["entries"] == []


def test_a_shipments_own_trail_and_what_changed(settings: Settings) -> None:
    _book(settings)
    own = audit.shipment_audit("au-2", Filters(), settings=settings)
    assert _actions(own) == ["AU-2:update", "AU-2:create"]
    update_entry = own["entries"][0]
    changed = audit.changes(update_entry["before"], update_entry["after"])
    assert {"field": "carrier", "before": "", "after": "Maersk"} in changed
    assert all(c["before"] != c["after"] for c in changed)
    with pytest.raises(NotFoundError):
        audit.shipment_audit("NOPE", Filters(), settings=settings)
    with pytest.raises(InputError, match="^until: the range ends"):
        audit.search_audit(Filters(since=dt.date(2026, 11, 5), until=dt.date(2026, 11, 1)), settings=settings)
    with pytest.raises(InputError, match="^entity: expected one of"):
        audit.search_audit(Filters(entity="spaceship"), settings=settings)
