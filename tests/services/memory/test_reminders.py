"""Issue #29 and #28 in the fast layer: which reminders are decided for whom, each once, and who sees and manages
which recipients (in memory; the outbox's races, the sender and its crashes stay on the databases in
tests/reminders/)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.adapters.db.scope import Scope
from rigport.adapters.db.tables import UserRow
from rigport.errors import ConflictError, InputError, NotFoundError
from rigport.services import clients, shipments
from rigport.services import reminders as svc
from rigport.settings import Settings

TODAY = dt.date(2026, 3, 2)


def _shipment(
    settings: Settings, uow: MemoryUnitOfWork, reference: str, arrival: dt.date, client: str | None = None
) -> None:
    draft = shipments.ShipmentDraft(reference, "vessel", "Los Angeles", arrival, 100, Decimal(340000))
    shipments.create_shipment(draft, "tester", settings, client=client, uow=uow)


def _seize(uow: MemoryUnitOfWork, reference: str, start: dt.date) -> None:
    """Walk a shipment to SEIZED: the petition for relief is due 30 days after `start` + 3."""
    for event, offset in (("entry-filed", 0), ("exam-presented", 1), ("detention", 2), ("seizure-notice-mailed", 3)):
        shipments.record_event(reference, event, start + dt.timedelta(days=offset), "tester", uow=uow)


def _outbox(uow: MemoryUnitOfWork) -> dict[str, set[tuple[str, str, str]]]:
    """(shipment, clock, threshold) of every reminder in the outbox, by recipient name."""
    with uow:
        names = {r.id: r.name for r in uow.reminders.recipients(include_disabled=True)}
        found: dict[str, set[tuple[str, str, str]]] = {}
        for row, _ in uow.reminders.recent(10_000):
            found.setdefault(names[row.recipient_id], set()).add((row.shipment, row.clock, row.threshold))
        return found


def test_each_reminder_is_decided_once_under_each_recipients_rule(settings: Settings, uow: MemoryUnitOfWork) -> None:
    _shipment(settings, uow, "LAX-1", TODAY - dt.timedelta(days=10))  # entry due in 5 days, GO warehouse in 6
    _shipment(settings, uow, "LAX-2", TODAY - dt.timedelta(days=40))
    _seize(uow, "LAX-2", TODAY - dt.timedelta(days=30))  # petition for relief due in 3 days
    svc.add_recipient("ops", "email", "ops@example.com", settings=settings, uow=uow)
    svc.add_recipient("hook", "webhook", "https://example.com/hook", before="2", digest=True, settings=settings,
                      uow=uow)  # fmt: skip
    first = svc.decide(settings, TODAY, uow=uow)
    assert first["recipients"] == 2 and first["queued"] == first["decided"] == 4
    assert _outbox(uow) == {
        "ops": {("LAX-1", "entry_due", "before-7"), ("LAX-1", "general_order_warehouse", "before-7"),
                ("LAX-2", "petition_for_relief", "before-3")},
        "hook": {("", "*digest*", "digest")},  # nothing within 2 days: only the digest of the next 14
    }  # fmt: skip
    again = svc.decide(settings, TODAY, uow=uow)
    assert again["decided"] == 4 and again["queued"] == 0 and again["new"] == []
    later = svc.decide(settings, TODAY + dt.timedelta(days=2), uow=uow)  # LAX-1 enters the 3-day window
    assert {n["key"] for n in later["new"]} == {
        "LAX-1.entry_due.2026-03-07.before-3.r1", "LAX-2.petition_for_relief.2026-03-05.before-1.r1",
        "LAX-2.petition_for_relief.2026-03-05.before-2.r2", "-.*digest*.2026-03-04.digest.r2"}  # fmt: skip
    status = svc.status(settings, uow=uow)
    assert status["outbox"] == {"pending": 4 + later["queued"], "sent": 0, "cancelled": 0, "failing": 0}


def test_a_dry_run_writes_nothing(settings: Settings, uow: MemoryUnitOfWork) -> None:
    _shipment(settings, uow, "LAX-1", TODAY - dt.timedelta(days=10))
    svc.add_recipient("ops", "email", "ops@example.com", settings=settings, uow=uow)
    dry = svc.decide(settings, TODAY, dry_run=True, uow=uow)
    assert dry["queued"] == 2 and [n["recipient"] for n in dry["new"]] == ["ops", "ops"] and _outbox(uow) == {}


def test_recipients_are_checked_and_a_removed_ones_reminders_cancelled(
    settings: Settings, uow: MemoryUnitOfWork
) -> None:
    with pytest.raises(InputError, match="address: expected an e-mail"):
        svc.add_recipient("a", "email", "not-an-address", settings=settings, uow=uow)
    with pytest.raises(InputError, match="channel"):
        svc.add_recipient("a", "pager", "x", settings=settings, uow=uow)
    with pytest.raises(NotFoundError, match="no dashboard user"):
        svc.add_recipient("a", "email", "a@example.com", username="nobody", settings=settings, uow=uow)
    assert svc.list_recipients(settings, uow=uow) == []  # nothing written by a refusal
    made = svc.add_recipient("hook", "webhook", "https://example.com/h", settings=settings, uow=uow)
    assert len(made["secret"]) >= 32 and "secret" not in svc.list_recipients(settings, uow=uow)[0]
    with pytest.raises(ConflictError, match="already exists"):
        svc.add_recipient("hook", "webhook", "https://example.com/h", settings=settings, uow=uow)
    _shipment(settings, uow, "LAX-1", TODAY - dt.timedelta(days=10))
    svc.decide(settings, TODAY, uow=uow)
    assert svc.remove_recipient("hook", settings=settings, uow=uow)["cancelled"] == 2
    assert svc.status(settings, uow=uow)["outbox"]["cancelled"] == 2 and svc.list_recipients(settings, uow=uow) == []
    again = svc.add_recipient("hook", "email", "x@example.com", settings=settings, uow=uow)  # the name is free again
    assert again["name"] == "hook" and again["channel"] == "email"
    with uow:
        actions = [a.action for a in uow.audit.for_entity("reminder_recipient", "hook")]
    assert actions == ["add-recipient", "remove-recipient", "add-recipient"]


def _book(settings: Settings, uow: MemoryUnitOfWork) -> dict[str, int]:
    """Two clients with one shipment each, a broker-wide recipient and one of Alpha's, both with a digest."""
    ids = {name: clients.create_client(name, "test", settings, uow=uow)["id"] for name in ("Alpha", "Bravo")}
    _shipment(settings, uow, "ALPHA-1", TODAY - dt.timedelta(days=10), client="Alpha")
    _shipment(settings, uow, "BRAVO-1", TODAY - dt.timedelta(days=10), client="Bravo")
    svc.add_recipient("broker-ops", "email", "ops@broker.example", digest=True, settings=settings, uow=uow)
    svc.add_recipient("alpha-ops", "email", "ops@alpha.example", digest=True, client="Alpha", settings=settings,
                      uow=uow)  # fmt: skip
    return ids


def test_a_clients_recipient_hears_only_about_that_clients_shipments(
    settings: Settings, uow: MemoryUnitOfWork
) -> None:
    _book(settings, uow)
    assert svc.decide(settings, TODAY, uow=uow)["recipients"] == 2
    heard = {name: {s for s, _, threshold in rows if threshold != "digest"} for name, rows in _outbox(uow).items()}
    assert heard == {"broker-ops": {"ALPHA-1", "BRAVO-1"}, "alpha-ops": {"ALPHA-1"}}
    with uow:
        digests = {name: row.message["text"] for row, name in uow.reminders.recent(100) if row.threshold == "digest"}
    assert "ALPHA-1" in digests["alpha-ops"] and "BRAVO-1" not in digests["alpha-ops"]
    assert "BRAVO-1" in digests["broker-ops"]


def test_a_scoped_identity_sees_and_manages_its_clients_recipients_only(
    settings: Settings, uow: MemoryUnitOfWork
) -> None:
    ids = _book(settings, uow)
    svc.decide(settings, TODAY, uow=uow)
    every = svc.status(settings, uow=uow)["outbox"]["pending"]
    alpha = MemoryUnitOfWork(settings, uow.store, Scope(frozenset({ids["Alpha"]}), "alpha-admin"))
    assert [r["name"] for r in svc.list_recipients(settings, uow=alpha)] == ["alpha-ops"]
    mine = svc.status(settings, uow=alpha)
    assert {r["recipient"] for r in mine["recent"]} == {"alpha-ops"} and 0 < mine["outbox"]["pending"] < every
    added = svc.add_recipient("alpha-team", "email", "team@alpha.example", settings=settings, uow=alpha)
    assert added["client"] == "Alpha"  # its only client, without being named
    with pytest.raises(NotFoundError, match="client"):
        svc.add_recipient("bravo-spy", "email", "spy@example.com", client="Bravo", settings=settings, uow=alpha)
    with pytest.raises(ConflictError, match="is taken"):  # no more than that the name is in use
        svc.add_recipient("broker-ops", "email", "x@alpha.example", settings=settings, uow=alpha)
    with pytest.raises(NotFoundError, match="recipient 'broker-ops' not found"):
        svc.update_recipient("broker-ops", address="me@alpha.example", settings=settings, uow=alpha)
    with pytest.raises(NotFoundError, match="recipient 'broker-ops' not found"):
        svc.remove_recipient("broker-ops", settings=settings, uow=alpha)
    svc.update_recipient("alpha-ops", before="5", settings=settings, uow=alpha)
    names = {r["name"]: r for r in svc.list_recipients(settings, uow=uow)}  # broker-wide: every one, unchanged
    assert names["broker-ops"]["address"] == "ops@broker.example" and names["alpha-ops"]["before"] == [5]
    assert names["alpha-team"]["client"] == "Alpha"
    both = MemoryUnitOfWork(settings, uow.store, Scope(frozenset(ids.values()), "two"))
    with pytest.raises(InputError, match="several clients"):
        svc.add_recipient("which", "email", "which@example.com", settings=settings, uow=both)


def test_a_recipient_tied_to_a_user_only_for_clients_that_user_sees(
    settings: Settings, uow: MemoryUnitOfWork
) -> None:
    ids = _book(settings, uow)
    with uow:
        uow.users.add(UserRow(username="bravo-user", password_hash="-", role="viewer",
                                       client_ids=str(ids["Bravo"])))  # fmt: skip
        uow.commit()
    with pytest.raises(NotFoundError, match="username"):
        svc.add_recipient("r1", "email", "r1@example.com", username="bravo-user", client="Alpha", settings=settings,
                          uow=uow)  # fmt: skip
    with pytest.raises(InputError, match="works for some clients only"):
        svc.add_recipient("r2", "email", "r2@example.com", username="bravo-user", settings=settings, uow=uow)
    made = svc.add_recipient("r3", "email", "r3@example.com", username="bravo-user", client="Bravo",
                             settings=settings, uow=uow)  # fmt: skip
    assert made["client"] == "Bravo" and made["username"] == "bravo-user"
