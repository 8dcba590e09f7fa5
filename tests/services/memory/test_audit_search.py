"""Searching the audit trail in memory: what the service adds to the store's search (who may see account entries
and the overall trail, a shipment's own trail, pages, bad filters). The filters as SQL on each database are in
tests/services/test_audit_search.py, and memory's agreement with them in the repository contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.adapters.db.scope import Scope
from rigport.errors import InputError, NotFoundError
from rigport.services import audit, shipments
from rigport.services.clients import BrokerOnlyError

Filters = audit.AuditFilters


def _book(uow: MemoryUnitOfWork) -> None:
    """Two shipments by two people, events, a user account; entries dated 2026-11-01 .. 2026-11-06 (UTC)."""
    for reference, actor in (("AU-1", "alice"), ("AU-2", "bob")):
        draft = shipments.ShipmentDraft(reference=reference, mode="air", port="Detroit",
                                        arrival_date=dt.date(2026, 11, 1), total_units=10,
                                        declared_value_usd=Decimal("34000"))  # fmt: skip
        shipments.create_shipment(draft, actor, uow=uow)
    shipments.record_event("AU-1", "entry-filed", dt.date(2026, 11, 2), "alice", uow=uow)
    shipments.record_event("AU-1", "release", dt.date(2026, 11, 3), "Bob", quantity=4, uow=uow)
    shipments.update_shipment("AU-2", {"carrier": "Maersk"}, "bob", uow=uow)
    with uow:  # what `rigport user set` records (services/auth.py runs on the database)
        uow.audit.record("admin", "set-user", "user", "carol", None, {"role": "operator"})
        uow.commit()
    for day, entry in enumerate(sorted(uow.store.audit, key=lambda a: a.id), start=1):
        entry.at = dt.datetime(2026, 11, day, 23, 59, 59, tzinfo=dt.UTC)


def _actions(found: audit.AuditPage) -> list[str]:
    return [f"{e['entity_id']}:{e['action']}" for e in found["entries"]]


def test_each_filter_narrows_the_trail(uow: MemoryUnitOfWork) -> None:
    _book(uow)
    everything = audit.search_audit(Filters(), accounts=True, uow=uow)
    assert _actions(everything) == ["carol:set-user", "AU-2:update", "AU-1:event:release", "AU-1:event:entry-filed",
                                    "AU-2:create", "AU-1:create"]  # fmt: skip
    assert (everything["total"], everything["pages"], everything["page"]) == (6, 1, 1)
    assert everything["entries"][0]["at"] == dt.datetime(2026, 11, 6, 23, 59, 59, tzinfo=dt.UTC)
    assert _actions(audit.search_audit(Filters(actor="BOB"), uow=uow)) == [
        "AU-2:update", "AU-1:event:release", "AU-2:create"]  # fmt: skip
    assert _actions(audit.search_audit(Filters(action="event"), uow=uow)) == [
        "AU-1:event:release", "AU-1:event:entry-filed"]  # fmt: skip
    assert _actions(audit.search_audit(Filters(entity_id="au-2"), uow=uow)) == ["AU-2:update", "AU-2:create"]
    days = Filters(since=dt.date(2026, 11, 2), until=dt.date(2026, 11, 4))
    assert _actions(audit.search_audit(days, uow=uow)) == ["AU-1:event:release", "AU-1:event:entry-filed",
                                                           "AU-2:create"]  # fmt: skip
    both = Filters(actor="alice", action="event", entity="shipment", entity_id="AU-1", until=dt.date(2026, 11, 3))
    assert _actions(audit.search_audit(both, uow=uow)) == ["AU-1:event:entry-filed"]


def test_accounts_are_for_admins_and_pages_are_newest_first(uow: MemoryUnitOfWork) -> None:
    _book(uow)
    operator_view = audit.search_audit(Filters(), uow=uow)
    assert operator_view["total"] == 5 and all(e["entity"] == "shipment" for e in operator_view["entries"])
    with pytest.raises(InputError, match="^entity: entries about users are for admins"):
        audit.search_audit(Filters(entity="user"), uow=uow)
    first = audit.search_audit(Filters(), page=1, per_page=2, accounts=True, uow=uow)
    third = audit.search_audit(Filters(), page=3, per_page=2, accounts=True, uow=uow)
    assert (first["pages"], first["per_page"], _actions(first)) == (3, 2, ["carol:set-user", "AU-2:update"])
    assert _actions(third) == ["AU-2:create", "AU-1:create"]
    beyond = audit.search_audit(Filters(), page=9, per_page=2, uow=uow)
    assert (beyond["entries"], beyond["total"], beyond["pages"]) == ([], 5, 3)


@pytest.mark.parametrize(
    ("filters", "paging", "message"),
    [
        (Filters(entity="spaceship"), {}, "^entity: expected one of"),
        (Filters(since=dt.date(2026, 11, 5), until=dt.date(2026, 11, 1)), {}, "^until: the range ends"),
        (Filters(actor="x" * 201), {}, "^actor: at most 200 characters, got 201"),
        (Filters(), {"per_page": 501}, "^per_page: expected 1 to 500, got 501"),
        (Filters(), {"page": 0}, "^page: expected 1 or more, got 0"),
    ],
)
def test_bad_filters_name_their_field(uow: MemoryUnitOfWork, filters: audit.AuditFilters, paging: dict[str, int],
                                      message: str) -> None:  # fmt: skip
    with pytest.raises(InputError, match=message):
        audit.search_audit(filters, uow=uow, **paging)  # type: ignore[arg-type]


def test_a_shipments_own_trail_and_what_changed(uow: MemoryUnitOfWork) -> None:
    _book(uow)
    own = audit.shipment_audit("au-2", Filters(actor="someone else", entity="user"), uow=uow)
    assert _actions(own) == []  # the caller's filters narrow the shipment's trail; entity and id are the shipment's
    own = audit.shipment_audit("au-2", Filters(), uow=uow)
    assert _actions(own) == ["AU-2:update", "AU-2:create"]
    changed = audit.changes(own["entries"][0]["before"], own["entries"][0]["after"])
    assert {"field": "carrier", "before": "", "after": "Maersk"} in changed
    assert all(c["before"] != c["after"] for c in changed)
    with pytest.raises(NotFoundError, match="'NOPE' not found"):
        audit.shipment_audit("NOPE", Filters(), uow=uow)


def test_a_scoped_identity_reads_its_shipments_trails_not_the_overall_one(uow: MemoryUnitOfWork) -> None:
    _book(uow)  # every shipment is the Default client's (id 1)
    mine = MemoryUnitOfWork(uow.settings, uow.store, scope=Scope.of([1]))
    with pytest.raises(BrokerOnlyError, match="spans every client"):
        audit.search_audit(Filters(), uow=mine)
    assert _actions(audit.shipment_audit("AU-1", Filters(action="event"), uow=mine)) == [
        "AU-1:event:release", "AU-1:event:entry-filed"]  # fmt: skip
    others = MemoryUnitOfWork(uow.settings, uow.store, scope=Scope.of([2]))
    with pytest.raises(NotFoundError):
        audit.shipment_audit("AU-1", Filters(), uow=others)
