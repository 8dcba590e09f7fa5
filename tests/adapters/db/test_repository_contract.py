"""One contract, three stores: the in-memory unit of work behaves as the database's on SQLite and PostgreSQL.

The fast service tests (tests/services/memory/) run on `MemoryUnitOfWork`; what they show holds for the database
only as far as the two agree. These checks are the agreement, run on each: add and get by reference (its
canonical form included), list filters and order, ids and versions, a version conflict between two units of
work, a taken reference, rollback without commit, the event history and the audit log; line items added in
bulk with their numbers and serials, documents counted by their file (broker-wide too), the audit search.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rigport.adapters.db.memory import MemoryStore, MemoryUnitOfWork
from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.reminder_tables import CalendarFeedRow, RecipientRow
from rigport.adapters.db.repository import AuditFilters
from rigport.adapters.db.scope import Scope
from rigport.adapters.db.screening_tables import ScreeningDecisionRow, ScreeningResultRow, ScreeningRunRow
from rigport.adapters.db.tables import (
    ClientRow,
    DocumentRow,
    EventRow,
    LineItemRow,
    PartyRow,
    QuantityRow,
    ShipmentRow,
    SimulationRow,
    TokenRow,
    UserRow,
)
from rigport.adapters.db.uow import UnitOfWork
from rigport.domain.customs.manifest import Lines
from rigport.errors import ConcurrentChangeError, NotFoundError
from rigport.settings import Settings
from tests.helpers import fresh_database

D = dt.date
BROKER = Scope(None)
JAN_2 = D(2025, 1, 2)
NewUnit = Callable[..., AbstractUnitOfWork]


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_unit(request: pytest.FixtureRequest, tmp_path: Path) -> NewUnit:
    """Units of work on one fresh store: each call is another connection to the same data (`scope=`: a client
    scope's, adapters/db/scope.py; broker-wide without)."""
    if request.param == "memory":
        settings, store = Settings(data_dir=tmp_path), MemoryStore()
        return lambda scope=BROKER: MemoryUnitOfWork(settings, store, scope)
    settings = fresh_database(request, request.param, tmp_path)
    return lambda scope=BROKER: UnitOfWork(settings, scope)


def _row(
    reference: str, port: str = "Detroit", arrival: dt.date = JAN_2, state: str = "ARRIVED", units: int = 10
) -> ShipmentRow:
    row = ShipmentRow(reference=reference, mode="air", port=port, arrival_date=arrival, total_units=units,
                      declared_value_usd=Decimal("1000"), primary_state=state)  # fmt: skip
    row.quantities.append(QuantityRow(state=state, quantity=units))
    return row


def _add(new_unit: NewUnit, *rows: ShipmentRow) -> None:
    with new_unit() as uow:
        for row in rows:
            uow.shipments.add(row)
        uow.commit()


def test_add_then_get_by_reference_and_its_canonical_form(new_unit: NewUnit) -> None:
    _add(new_unit, _row("AB-1"))
    with new_unit() as uow:
        row = uow.shipments.get("AB-1")
        assert row is not None and row.id >= 1 and row.version == 1 and row.port == "Detroit"
        assert row.other_agency_hold is False and row.carrier == "" and row.created_at is not None  # defaults
        assert str(row.declared_value_usd) == "1000.00"  # money read back at its column's scale
        assert uow.shipments.get(" ab-1 ") is row  # the canonical form finds it; one object per row
        assert uow.shipments.get_by_id(row.id) is row
        assert uow.shipments.get("AB-2") is None and uow.shipments.get("not a reference!") is None
        assert [(q.state, q.quantity) for q in row.quantities] == [("ARRIVED", 10)]
        assert uow.shipments.references() == {"AB-1"}


def test_new_rows_get_ids_at_flush_and_are_seen_before_commit(new_unit: NewUnit) -> None:
    with new_unit() as uow:
        row = uow.shipments.add(_row("AB-1"))
        uow.flush()
        assert row.id is not None and row.version == 1
        assert uow.shipments.get("AB-1") is row
        uow.commit()


def test_list_filters_order_and_pages(new_unit: NewUnit) -> None:
    _add(new_unit, _row("C-3", port="Detroit", arrival=D(2025, 3, 1), state="DETAINED"),
         _row("A-1", port="San Francisco", arrival=D(2025, 1, 1)),
         _row("B-2", port="detroit", arrival=D(2025, 1, 1)))  # fmt: skip
    with new_unit() as uow:
        assert [r.reference for r in uow.shipments.list()] == ["A-1", "B-2", "C-3"]  # arrival, then reference
        assert [r.reference for r in uow.shipments.list(port="DETROIT")] == ["B-2", "C-3"]  # any case
        assert [r.reference for r in uow.shipments.list(state="DETAINED")] == ["C-3"]
        assert [r.reference for r in uow.shipments.list(limit=1, offset=1)] == ["B-2"]
        page = uow.shipments.page_versions(port="detroit")
        assert page == [(r.id, r.version) for r in uow.shipments.list(port="detroit")]
        rows = uow.shipments.with_clock_data([page[1][0]])
        assert [r.reference for r in rows] == ["C-3"] and rows[0].quantities[0].state == "DETAINED"


def test_a_change_moves_the_version_and_a_stale_one_is_refused(new_unit: NewUnit) -> None:
    _add(new_unit, _row("AB-1"))
    with new_unit() as first, new_unit() as second:
        mine = first.shipments.get("AB-1")
        theirs = second.shipments.get("AB-1")
        assert mine is not None and theirs is not None and mine.version == theirs.version == 1
        theirs.carrier = "Other Air"
        second.commit()
        assert theirs.version == 2
        mine.carrier = "My Air"
        with pytest.raises(ConcurrentChangeError, match="changed by someone else"):
            first.commit()
    with new_unit() as uow:
        row = uow.shipments.get("AB-1")
        assert row is not None and (row.carrier, row.version) == ("Other Air", 2)


def test_a_taken_reference_is_a_conflict(new_unit: NewUnit) -> None:
    _add(new_unit, _row("AB-1"))
    with pytest.raises(ConcurrentChangeError, match="conflicts with stored data"), new_unit() as uow:
        uow.shipments.add(_row("AB-1"))
        uow.commit()
    with new_unit() as uow:
        assert len(uow.shipments.list()) == 1


def test_leaving_without_commit_rolls_back(new_unit: NewUnit) -> None:
    _add(new_unit, _row("AB-1"))
    with new_unit() as uow:
        row = uow.shipments.get("AB-1")
        assert row is not None
        row.port, row.quantities[0].quantity = "Chicago", 3
        uow.shipments.add(_row("AB-2"))
        uow.audit.record("tester", "update", "shipment", "AB-1", None, {"port": "Chicago"})
        uow.flush()
    with new_unit() as uow:
        row = uow.shipments.get("AB-1")
        assert row is not None and (row.port, row.version, row.quantities[0].quantity) == ("Detroit", 1, 10)
        assert uow.shipments.get("AB-2") is None and uow.audit.for_entity("shipment", "AB-1") == []


def test_events_by_shipment_and_their_states(new_unit: NewUnit) -> None:
    _add(new_unit, _row("AB-1"))
    with new_unit() as uow:
        row = uow.shipments.get("AB-1")
        assert row is not None
        for event, day, to_state in (("entry-filed", 3, None), ("detention", 9, "DETAINED")):
            event_row = EventRow(event=event, occurred_on=D(2025, 1, day), quantity=10, from_state="ARRIVED",
                                 to_state=to_state, actor="t", data={})  # fmt: skip
            uow.shipments.add_event(row, event_row)
        row.updated_at = dt.datetime.now(dt.UTC)  # the service moves the version on for every event
        uow.flush()
        uow.shipments.reload_events(row)
        assert [e.event for e in row.events] == ["entry-filed", "detention"]
        assert sorted(uow.shipments.event_states(row.id)) == [
            (D(2025, 1, 3), "entry-filed", "ARRIVED"), (D(2025, 1, 9), "detention", "DETAINED")]  # fmt: skip
        uow.commit()
    with new_unit() as uow:
        row = uow.shipments.get("AB-1")
        assert row is not None and row.version == 2 and [e.id for e in row.events] == sorted(e.id for e in row.events)
        row.events[0].voided_at = dt.datetime.now(dt.UTC)
        uow.flush()
        assert uow.shipments.event_states(row.id) == [(D(2025, 1, 9), "detention", "DETAINED")]


def test_the_audit_log_keeps_entries_in_order_as_json(new_unit: NewUnit) -> None:
    with new_unit() as uow:
        uow.audit.record("a", "create", "shipment", "AB-1", None, {"value": Decimal("1.50"), "on": D(2025, 1, 2)})
        uow.audit.record("b", "update", "shipment", "AB-1", {"x": 1}, {"x": 2})
        uow.audit.record("c", "create", "shipment", "AB-2", None, {})
        uow.commit()
    with new_unit() as uow:
        entries = uow.audit.for_entity("shipment", "AB-1")
        assert [(e.actor, e.action) for e in entries] == [("a", "create"), ("b", "update")]
        assert entries[0].after == {"value": "1.50", "on": "2025-01-02"} and entries[0].id < entries[1].id
        assert entries[0].at is not None and len(uow.audit.for_entity("shipment", "AB-1", limit=1)) == 1


# ---- the screening store (runs of a shipment with their results, reviewer decisions, stored parties) ----


def _run(shipment_id: int, actor: str, *subjects: str) -> ScreeningRunRow:
    run = ScreeningRunRow(shipment_id=shipment_id, actor=actor, threshold=0.75,
                          list_versions=[{"list": "csl", "as_of": "2022-04-21"}])  # fmt: skip
    for subject in subjects:
        run.results.append(ScreeningResultRow(subject=subject, status="hit", list_id="csl", entry_id=f"e-{subject}",
                                              score=0.91, programs=["EL"]))  # fmt: skip
    return run


def _decision(name_key: str, entry_id: str, reason: str) -> ScreeningDecisionRow:
    """Every field given, as the service gives them: saving again copies each onto the stored row."""
    return ScreeningDecisionRow(name_key=name_key, name=name_key.title(), list_id="csl", entry_id=entry_id,
                                entry_name=f"{name_key.upper()} LTD", entry_fingerprint="f1", verdict="false_positive",
                                reason=reason, reviewer="alice", decided_at=dt.datetime.now(dt.UTC))  # fmt: skip


def test_screening_runs_newest_first_with_their_results_in_order(new_unit: NewUnit) -> None:
    _add(new_unit, _row("AB-1"), _row("AB-2"))
    with new_unit() as uow:
        one, two = uow.shipments.get("AB-1"), uow.shipments.get("AB-2")
        assert one is not None and two is not None
        first = uow.screening.add_run(_run(one.id, "alice", "Acme", "Beta"))
        uow.flush()
        assert first.id is not None and [r.run_id for r in first.results] == [first.id, first.id]
        uow.screening.add_run(_run(one.id, "bob", "Gamma"))
        uow.screening.add_run(_run(two.id, "carol", "Delta"))
        assert [r.actor for r in uow.screening.runs_for_shipment(one.id)] == ["bob", "alice"]  # seen before commit
        uow.commit()
        ids = one.id, two.id
    with new_unit() as uow:
        runs = uow.screening.runs_for_shipment(ids[0])
        assert [r.actor for r in runs] == ["bob", "alice"] and runs[0].id > runs[1].id
        assert [r.actor for r in uow.screening.runs_for_shipment(ids[0], limit=1)] == ["bob"]
        alice = runs[1]
        assert [(r.subject, r.status, r.entry_id, r.score) for r in alice.results] == [
            ("Acme", "hit", "e-Acme", 0.91), ("Beta", "hit", "e-Beta", 0.91)]  # fmt: skip
        acme = alice.results[0]
        assert (acme.role, acme.relation, acme.programs, acme.explanation) == ("", "same", ["EL"], "")  # defaults
        assert alice.screened_at is not None and alice.list_versions == [{"list": "csl", "as_of": "2022-04-21"}]
        assert [r.actor for r in uow.screening.runs_for_shipment(ids[1])] == ["carol"]
        assert uow.screening.runs_for_shipment(ids[1] + 100) == []


def test_a_screening_run_not_committed_is_not_stored(new_unit: NewUnit) -> None:
    _add(new_unit, _row("AB-1"))
    with new_unit() as uow:
        row = uow.shipments.get("AB-1")
        assert row is not None
        uow.screening.add_run(_run(row.id, "alice", "Acme"))
        uow.screening.save_decision(_decision("acme", "e-1", "not them"))
        uow.flush()
        shipment_id = row.id
    with new_unit() as uow:
        assert uow.screening.runs_for_shipment(shipment_id) == [] and uow.screening.decisions() == []


def test_a_decision_is_one_per_name_list_and_entry_and_saving_again_replaces_it(new_unit: NewUnit) -> None:
    with new_unit() as uow:
        uow.screening.save_decision(_decision("acme", "e-1", "first look"))
        uow.screening.save_decision(_decision("acme", "e-2", "another entry"))
        uow.screening.save_decision(_decision("beta", "e-1", "another name"))
        uow.commit()
    with new_unit() as uow:
        again = uow.screening.save_decision(_decision("acme", "e-1", "second look"))
        assert again.reason == "second look" and again.id is not None  # the stored row, replaced
        uow.commit()
    with new_unit() as uow:
        rows = uow.screening.decisions()
        assert sorted((d.name_key, d.entry_id, d.reason) for d in rows) == [
            ("acme", "e-1", "second look"), ("acme", "e-2", "another entry"), ("beta", "e-1", "another name"),
        ]
        assert sorted(d.entry_id for d in uow.screening.decisions("acme")) == ["e-1", "e-2"]
        assert uow.screening.decisions("gamma") == []
        found = uow.screening.decision("acme", "csl", "e-1")
        assert found is not None and (found.entry_name, found.name, found.reviewer) == ("ACME LTD", "Acme", "alice")
        assert uow.screening.decision("acme", "csl", "e-3") is None


def test_a_decision_only_read_is_not_written_back_over_another_units(new_unit: NewUnit) -> None:
    with new_unit() as uow:
        uow.screening.save_decision(_decision("acme", "e-1", "first look"))
        uow.commit()
    with new_unit() as reader:
        assert [d.reason for d in reader.screening.decisions()] == ["first look"]
        with new_unit() as writer:
            writer.screening.save_decision(_decision("acme", "e-1", "second look"))
            writer.commit()
        reader.screening.save_decision(_decision("beta", "e-2", "another name"))
        reader.commit()
    with new_unit() as uow:
        assert sorted((d.name_key, d.reason) for d in uow.screening.decisions()) == [
            ("acme", "second look"), ("beta", "another name"),
        ]


def test_stored_parties_are_distinct_names_and_chip_suppliers(new_unit: NewUnit) -> None:
    one, two = _row("AB-1"), _row("AB-2")
    one.parties += [PartyRow(role="seller", name="Acme Ltd", country="CN"), PartyRow(role="buyer", name="Zed Inc")]
    two.parties += [PartyRow(role="manufacturer", name="Acme Ltd", country="CN")]
    for row, chips in ((one, ("Chipco", "")), (two, ("Chipco",))):
        row.line_items += [LineItemRow(line_no=i, description="S21", quantity=1, unit_value_usd=Decimal("10"),
                                       hts_code="8471.50.0150", origin="CN", chip_supplier=chip)
                           for i, chip in enumerate(chips, start=1)]  # fmt: skip
    _add(new_unit, one, two)
    with new_unit() as uow:
        assert sorted(uow.screening.stored_parties()) == [("Acme Ltd", "", "CN"), ("Chipco", "org", ""),
                                                          ("Zed Inc", "", "")]  # fmt: skip


def test_a_scoped_unit_sees_the_runs_and_parties_of_its_clients_shipments_only(new_unit: NewUnit) -> None:
    row = _row("AB-1")  # the Default client's (id 1)
    row.parties.append(PartyRow(role="seller", name="Acme Ltd", country="CN"))
    _add(new_unit, row)
    with new_unit() as uow:
        shipment = uow.shipments.get("AB-1")
        assert shipment is not None
        uow.screening.add_run(_run(shipment.id, "alice", "Acme Ltd"))
        uow.screening.save_decision(_decision("acme ltd", "e-1", "not them"))
        uow.commit()
        shipment_id = shipment.id
    with new_unit(Scope(frozenset({1}), "default-only")) as uow:
        assert [r.actor for r in uow.screening.runs_for_shipment(shipment_id)] == ["alice"]
        assert uow.screening.stored_parties() == [("Acme Ltd", "", "CN")]
    with new_unit(Scope(frozenset({99}), "other")) as uow:
        assert uow.screening.runs_for_shipment(shipment_id) == [] and uow.screening.stored_parties() == []
        assert [d.reason for d in uow.screening.decisions()] == ["not them"]  # a decision is on a name, no client's


# --- line items, evidence files and the audit search (services/manifest.py, evidence.py, audit.py) ---


def _lines(*rows: tuple[int, str]) -> Lines:
    """Checked lines as the manifest rules give them: (line number, serials newline-separated) per line."""
    return Lines([n for n, _ in rows], ["antminer-s21"] * len(rows), [f"line {n}" for n, _ in rows],
                 [2] * len(rows), [Decimal("3400.5")] * len(rows), ["8471.50.0150"] * len(rows),
                 ["CN"] * len(rows), [""] * len(rows), [s for _, s in rows])  # fmt: skip


def test_line_items_go_in_with_their_numbers_and_serials(new_unit: NewUnit) -> None:
    _add(new_unit, _row("AB-1"), _row("AB-2"))
    with new_unit() as uow:
        row = uow.shipments.get("AB-1")
        assert row is not None and uow.shipments.line_numbers(row.id) == set() == uow.shipments.stored_serials(row.id)
        uow.shipments.add_line_items(row, _lines((3, "S3"), (1, "S1a\nS1b")))
        row.updated_at = dt.datetime.now(dt.UTC)  # the service moves the version on for new lines
        uow.flush()
        assert [li.line_no for li in row.line_items] == [1, 3]  # in line order, as the relationship reads them
        assert uow.shipments.line_numbers(row.id) == {1, 3} and uow.shipments.stored_serials(row.id) == {
            "S1a", "S1b", "S3"}  # fmt: skip
        uow.commit()
    with new_unit() as uow:
        row, other = uow.shipments.get("AB-1"), uow.shipments.get("AB-2")
        assert row is not None and other is not None and row.version == 2
        first = row.line_items[0]
        assert (first.line_no, first.model_id, first.quantity, first.serials) == (1, "antminer-s21", 2, "S1a\nS1b")
        assert str(first.unit_value_usd) == "3400.50" and first.id is not None and first.shipment_id == row.id
        assert uow.shipments.line_numbers(other.id) == set()  # another shipment's lines are not these
        uow.shipments.add_line_items(row, _lines((4, "S4")))
        uow.flush()
        assert uow.shipments.line_numbers(row.id) == {1, 3, 4}
    with new_unit() as uow:  # left without commit: the fourth line is gone
        row = uow.shipments.get("AB-1")
        assert row is not None and uow.shipments.line_numbers(row.id) == {1, 3}


def test_documents_with_a_file_are_counted_across_shipments_and_clients(new_unit: NewUnit) -> None:
    _add(new_unit, _row("AB-1"), _row("AB-2"))
    with new_unit() as uow:
        for reference, sha in (("AB-1", "a" * 64), ("AB-2", "a" * 64), ("AB-2", "b" * 64)):
            row = uow.shipments.get(reference)
            assert row is not None
            row.documents.append(DocumentRow(kind="fcc_sdoc", sha256=sha, filename="x.pdf"))
        uow.flush()
        assert uow.shipments.documents_with_file("a" * 64) == 2  # pending documents count
        uow.commit()
    with new_unit() as uow:
        counts = [uow.shipments.documents_with_file(c * 64) for c in "abc"]
        assert counts == [2, 1, 0]
    with new_unit(Scope.of([999])) as uow:  # a client with none of these shipments
        assert not uow.scope.broker_wide and uow.shipments.documents_with_file("a" * 64) == 0
        with uow.rescoped(Scope()) as everyone:
            assert everyone.scope.broker_wide and everyone.shipments.documents_with_file("a" * 64) == 2


def test_the_audit_search_filters_pages_and_counts(new_unit: NewUnit) -> None:
    with new_unit() as uow:
        for actor, action, entity, entity_id in (
            ("alice", "create", "shipment", "AU-1"), ("bob", "create", "shipment", "AU-2"),
            ("alice", "event:entry-filed", "shipment", "AU-1"), ("Bob", "event:release", "shipment", "AU-1"),
            ("admin", "set-user", "user", "carol"),
        ):  # fmt: skip
            uow.audit.record(actor, action, entity, entity_id, None, {})
        uow.commit()
    with new_unit() as uow:  # one entry a day from 2026-11-01, at the last second of the day (UTC)
        entries = [e for ref in ("AU-1", "AU-2") for e in uow.audit.for_entity("shipment", ref)]
        entries += uow.audit.for_entity("user", "carol")
        for entry in entries:
            entry.at = dt.datetime(2026, 11, entry.id - min(e.id for e in entries) + 1, 23, 59, 59, tzinfo=dt.UTC)
        uow.commit()

    def found(**filters: Any) -> tuple[list[str], int]:
        with new_unit() as uow:
            limit, offset = filters.pop("limit", 100), filters.pop("offset", 0)
            rows, total = uow.audit.search(AuditFilters(**filters), limit=limit, offset=offset)
            return [f"{r.entity_id}:{r.action}" for r in rows], total

    assert found() == (["carol:set-user", "AU-1:event:release", "AU-1:event:entry-filed", "AU-2:create",
                        "AU-1:create"], 5)  # fmt: skip
    assert found(actor="BOB") == (["AU-1:event:release", "AU-2:create"], 2)  # any case
    assert found(action="event") == (["AU-1:event:release", "AU-1:event:entry-filed"], 2)  # a prefix
    assert found(action="event_") == ([], 0) and found(action="%") == ([], 0)  # wildcards are matched as typed
    assert found(entity_id="au-2") == (["AU-2:create"], 1)  # a reference in any case
    assert found(entity="user") == (["carol:set-user"], 1)
    assert found(hide_entities=("user", "token"))[1] == 4
    assert found(since=D(2026, 11, 2), until=D(2026, 11, 3)) == (
        ["AU-1:event:entry-filed", "AU-2:create"], 2)  # fmt: skip  # 23:59:59 on the 3rd is inside
    assert found(limit=2, offset=3) == (["AU-2:create", "AU-1:create"], 5)
    assert found(limit=2, offset=6) == ([], 5)


# --- the reminder tables (issue #29): recipients and the outbox ---------------------------------------------------


def _recipient(name: str, client_id: int | None = None) -> RecipientRow:
    return RecipientRow(name=name, channel="email", address=f"{name}@example.com", client_id=client_id)


def _reminder(key: str, recipient_id: int, client_id: int | None = None, shipment: str = "AB-1") -> dict[str, object]:
    now = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
    return {"key": key, "shipment": shipment, "clock": "entry_due", "due": D(2026, 3, 9), "threshold": "before-7",
            "recipient_id": recipient_id, "client_id": client_id, "status": "pending", "subject": key,
            "message": {"text": key, "html": key, "data": {}}, "created_at": now, "next_attempt_at": now,
            "attempts": 0}  # fmt: skip


def test_recipients_by_name_with_unique_names(new_unit: NewUnit) -> None:
    with new_unit() as uow:
        ops = uow.reminders.add_recipient(_recipient("ops"))
        uow.reminders.add_recipient(_recipient("alpha", client_id=1))
        uow.flush()
        assert ops.id is not None and ops.on_day is True and ops.before_days == "7,3,1"  # column defaults
        uow.commit()
    with new_unit() as uow:
        assert [r.name for r in uow.reminders.recipients()] == ["alpha", "ops"]
        ops = uow.reminders.recipient("ops")
        assert ops is not None and uow.reminders.recipient_by_id(ops.id) is ops
        ops.disabled_at = dt.datetime.now(dt.UTC)
        uow.commit()
    with new_unit() as uow:
        assert [r.name for r in uow.reminders.recipients()] == ["alpha"]
        assert [r.name for r in uow.reminders.recipients(include_disabled=True)] == ["alpha", "ops"]
    with pytest.raises(ConcurrentChangeError, match="conflicts with stored data"), new_unit() as uow:
        uow.reminders.add_recipient(_recipient("ops"))
        uow.commit()


def test_the_outbox_inserts_each_key_once(new_unit: NewUnit) -> None:
    with new_unit() as uow:
        ops = uow.reminders.add_recipient(_recipient("ops"))
        uow.flush()
        assert uow.reminders.queue([_reminder("k1", ops.id), _reminder("k2", ops.id, shipment="AB-2")]) == 2
        uow.commit()
    with new_unit() as uow:
        again = [_reminder("k1", ops.id), _reminder("k1-twin", ops.id), _reminder("k3", ops.id, shipment="AB-3")]
        assert uow.reminders.queue(again) == 1  # "k1" by its key, its twin by (shipment, clock, due, ...)
        assert uow.reminders.keys_for([ops.id], D(2026, 3, 9)) == {
            (s, "entry_due", D(2026, 3, 9), "before-7", ops.id) for s in ("AB-1", "AB-2", "AB-3")}  # fmt: skip
        assert uow.reminders.keys_for([ops.id], D(2026, 3, 10)) == set()
        assert [(row.key, name) for row, name in uow.reminders.recent(2)] == [("k3", "ops"), ("k2", "ops")]
        assert len(uow.reminders.pending(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), 10)) == 3
        assert uow.reminders.pending(dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC), 10) == []  # not yet due
        assert uow.reminders.cancel_pending(ops.id) == 3
        uow.commit()
    with new_unit() as uow:
        assert uow.reminders.counts() == {"pending": 0, "sent": 0, "cancelled": 3, "failing": 0}
        assert [row.key for row, _ in uow.reminders.recent(10, "cancelled")] == ["k3", "k2", "k1"]
        uow.reminders.queue([_reminder("k4", ops.id, shipment="AB-4")])
    with new_unit() as uow:  # left without commit: "k4" was never written
        assert uow.reminders.counts()["pending"] == 0


def test_a_scoped_unit_sees_its_clients_recipients_and_reminders_only(new_unit: NewUnit) -> None:
    with new_unit() as uow:
        broker = uow.reminders.add_recipient(_recipient("broker-ops"))
        client = uow.reminders.add_recipient(_recipient("client-ops", client_id=1))
        uow.flush()
        uow.reminders.queue([_reminder("b", broker.id), _reminder("c", client.id, client_id=1)])
        uow.commit()
    scoped = Scope(frozenset({1}), "client-admin")
    with new_unit(scoped) as uow:
        assert [r.name for r in uow.reminders.recipients()] == ["client-ops"]
        assert uow.reminders.recipient("broker-ops") is None and uow.reminders.name_taken("broker-ops")
        assert [row.key for row, _ in uow.reminders.recent(10)] == ["c"]
        assert uow.reminders.counts()["pending"] == 1 and uow.reminders.cancel_pending(broker.id) == 0
    with pytest.raises(NotFoundError, match="client not found"), new_unit(scoped) as uow:
        uow.reminders.add_recipient(_recipient("sneaky"))  # a broker-wide recipient made by a scoped identity
        uow.flush()
    with new_unit() as uow:
        assert uow.reminders.counts()["pending"] == 2 and uow.reminders.recipient("sneaky") is None


def test_users_and_their_calendar_feeds(new_unit: NewUnit) -> None:
    with new_unit() as uow:
        ann = uow.users.add(UserRow(username="ann", password_hash="-", role="viewer", client_ids="1"))
        uow.flush()
        uow.reminders.add_feed(CalendarFeedRow(user_id=ann.id, secret_hash="a" * 64))
        uow.commit()
    with new_unit() as uow:
        found = uow.users.by_name("ann")
        assert found is not None and uow.users.get(found.id) is found and uow.users.by_name("bob") is None
        feed = uow.reminders.feed_by_hash("a" * 64)
        assert feed is not None and uow.reminders.feed_for_user(found.id) is feed and feed.created_at is not None
        assert uow.reminders.feed_by_hash("b" * 64) is None
    with pytest.raises(ConcurrentChangeError, match="conflicts with stored data"), new_unit() as uow:
        uow.users.add(UserRow(username="ann", password_hash="-", role="admin"))
        uow.commit()


def test_a_rescoped_unit_works_on_the_same_store_within_its_scope(new_unit: NewUnit) -> None:
    _add(new_unit, _row("AB-1"))
    with new_unit() as uow:
        with uow.rescoped(Scope(frozenset({1}), "one")) as default_only:
            assert default_only.shipments.references() == {"AB-1"}  # the shipment is Default's (client 1)
        with uow.rescoped(Scope(frozenset({99}), "other")) as elsewhere:
            assert elsewhere.shipments.references() == set()


def test_tokens_by_hash_and_id_with_unique_hashes(new_unit: NewUnit) -> None:
    with new_unit() as uow:
        first = uow.tokens.add(TokenRow(token_hash="a" * 64, role="viewer"))
        second = uow.tokens.add(TokenRow(token_hash="b" * 64, role="admin", label="ci", client_ids="1"))
        assert [t.token_hash[0] for t in uow.tokens.list()] == ["a", "b"]  # listed by id, new ones included
        assert first.id < second.id and first.label == "" and first.session_generation == 0  # column defaults
        uow.commit()
    with new_unit() as uow:
        found = uow.tokens.by_hash("b" * 64)
        assert found is not None and uow.tokens.get(found.id) is found and found.client_ids == "1"
        assert uow.tokens.by_hash("c" * 64) is None and uow.tokens.get(found.id + 100) is None
    with pytest.raises(ConcurrentChangeError, match="conflicts with stored data"), new_unit() as uow:
        uow.tokens.add(TokenRow(token_hash="a" * 64, role="viewer"))
        uow.commit()


# --- clients, portfolio rows, clock data and prior holds (the services of clients, portfolio, deadlines, assess)


def _event(
    event: str, day: int, to_state: str | None, *, from_state: str | None = "ARRIVED", voided: bool = False
) -> EventRow:
    return EventRow(event=event, occurred_on=D(2025, 1, day), quantity=10, from_state=from_state, to_state=to_state,
                    actor="t", data={}, voided_at=dt.datetime.now(dt.UTC) if voided else None)  # fmt: skip


def test_clients_added_at_commit_named_and_counted_as_the_scope_sees_them(new_unit: NewUnit) -> None:
    with new_unit() as uow:
        alpha = uow.clients.add(ClientRow(name="Alpha"))
        uow.flush()
        assert alpha.id is not None and alpha.id != 1 and alpha.created_at is not None and alpha.archived_at is None
        assert uow.clients.by_name(" alpha ") is alpha and uow.clients.get(alpha.id) is alpha
        alpha_id = alpha.id
        uow.commit()
    with new_unit() as uow:
        uow.clients.add(ClientRow(name="Bravo"))
        uow.flush()
        assert uow.clients.by_name("Bravo") is not None  # seen in its unit of work, gone without a commit
    with new_unit() as uow:
        assert [c.name for c in uow.clients.list()] == ["Alpha", "Default"]
        owned = _row("A-1")
        owned.client_id = alpha_id
        uow.shipments.add(owned)
        uow.shipments.add(_row("D-1"))
        uow.shipments.add(_row("D-2"))
        uow.commit()
    with new_unit() as uow:
        assert uow.clients.shipment_counts() == {alpha_id: 1, 1: 2}
        assert uow.clients.names([alpha_id, 1, 999]) == {alpha_id: "Alpha", 1: "Default"}
    with new_unit(Scope.of([alpha_id])) as uow:
        assert [c.name for c in uow.clients.list()] == ["Alpha"] and uow.clients.get(1) is None
        assert uow.clients.by_name("Default") is None
        assert uow.clients.names([alpha_id, 1]) == {alpha_id: "Alpha"}
        assert uow.clients.shipment_counts() == {alpha_id: 1}


def test_a_taken_client_name_is_a_conflict_and_a_rename_rolls_back(new_unit: NewUnit) -> None:
    with new_unit() as uow:
        uow.clients.add(ClientRow(name="Alpha"))
        uow.commit()
    with pytest.raises(ConcurrentChangeError, match="conflicts with stored data"), new_unit() as uow:
        uow.clients.add(ClientRow(name="Alpha"))
        uow.commit()
    with new_unit() as uow:
        alpha = uow.clients.by_name("Alpha")
        assert alpha is not None
        alpha.name = "Renamed"
        uow.flush()
    with new_unit() as uow:
        assert [c.name for c in uow.clients.list(include_archived=True)] == ["Alpha", "Default"]
        alpha = uow.clients.by_name("Alpha")
        assert alpha is not None
        alpha.archived_at = dt.datetime.now(dt.UTC)
        uow.commit()
    with new_unit() as uow:
        assert [c.name for c in uow.clients.list()] == ["Default"]
        assert [c.name for c in uow.clients.list(include_archived=True)] == ["Alpha", "Default"]


def test_every_shipment_with_details_in_arrival_order(new_unit: NewUnit) -> None:
    late, early = _row("B-2", arrival=D(2025, 3, 1)), _row("A-1", arrival=D(2025, 3, 1))
    first = _row("Z-9", arrival=D(2025, 1, 1))
    first.line_items.append(LineItemRow(line_no=1, model_id=None, description="S21", quantity=10,
                                        unit_value_usd=Decimal("100"), hts_code="8471.50.0150",
                                        origin="CN"))  # fmt: skip
    _add(new_unit, late, early, first)
    with new_unit() as uow:
        rows = uow.shipments.all_with_details()
        assert [r.reference for r in rows] == ["Z-9", "A-1", "B-2"]
        assert [(li.line_no, li.quantity, str(li.unit_value_usd)) for li in rows[0].line_items] == [(1, 10, "100.00")]
        assert rows[0].client.name == "Default" and [q.quantity for q in rows[1].quantities] == [10]


def test_clock_data_is_what_clocks_are_computed_from(new_unit: NewUnit) -> None:
    held = _row("B-2", state="DETAINED")
    held.quantities.append(QuantityRow(state="RELEASED", quantity=0))
    held.events += [_event("arrival", 2, "ARRIVED", from_state=None), _event("entry-filed", 3, None, voided=True),
                    _event("detention", 9, "DETAINED")]  # fmt: skip
    other = _row("A-1", port="Chicago")
    other.other_agency_hold = True
    _add(new_unit, held, other)
    with new_unit() as uow:
        data = uow.shipments.clock_data()
        assert [(s.reference, s.port, s.arrival_date, s.total_units, s.other_agency_hold, s.client_id)
                for s in data] == [("A-1", "Chicago", JAN_2, 10, True, 1), ("B-2", "Detroit", JAN_2, 10, False, 1)]
        assert str(data[1].declared_value_usd) == "1000.00"
        assert [(q.state, q.quantity) for q in data[1].quantities] == [("DETAINED", 10)]  # none of zero units
        assert [(e.event, e.occurred_on) for e in data[1].events] == [("arrival", D(2025, 1, 2)),
                                                                       ("detention", D(2025, 1, 9))]  # fmt: skip
        assert data[0].events == []


def test_prior_holds_count_comparable_shipments_ever_held(new_unit: NewUnit) -> None:
    held = _row("H-1", port="Detroit")
    held.events.append(_event("detention", 9, "DETAINED"))
    voided = _row("V-1", port="DETROIT")
    voided.events.append(_event("detention", 9, "DETAINED", voided=True))  # a voided hold is no hold
    importer = _row("I-1", port="Chicago")
    importer.importer_of_record = "Prairie LLC"
    importer.events.append(_event("seizure-notice-mailed", 9, "SEIZED"))
    _add(new_unit, held, voided, importer, _row("X-1", port="Chicago"))
    with new_unit() as uow:
        assert uow.shipments.prior_holds("detroit", "") == (1, 2)
        assert uow.shipments.prior_holds("Detroit", "Prairie LLC") == (2, 3)
        own = uow.shipments.get("H-1")
        assert own is not None and uow.shipments.prior_holds("Detroit", "", exclude_id=own.id) == (0, 1)
        assert uow.shipments.prior_holds("", "") == (0, 0)


def test_simulation_runs_newest_first_and_seen_by_who_started_them(new_unit: NewUnit) -> None:
    start = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
    with new_unit() as uow:
        for n, (actor, status) in enumerate((("user:alice", "succeeded"), ("user:bob", "running"),
                                             ("user:alice", "queued"))):  # fmt: skip
            uow.simulations.add(SimulationRow(id=f"run{n}", status=status, params={"n": n}, actor=actor,
                                              created_at=start + dt.timedelta(minutes=n)))  # fmt: skip
        uow.commit()
    with new_unit() as uow:
        assert [r.id for r in uow.simulations.recent(2)] == ["run2", "run1"]
        assert sorted(r.id for r in uow.simulations.unfinished()) == ["run1", "run2"]
        run = uow.simulations.get("run0")
        assert run is not None and run.params == {"n": 0} and run.runner == "" and uow.simulations.get("x") is None
    with new_unit(Scope(frozenset({1}), "user:alice")) as uow:
        assert [r.id for r in uow.simulations.recent(10)] == ["run2", "run0"] and uow.simulations.get("run1") is None
    with new_unit(Scope(frozenset({1}))) as uow:  # scoped, with no identity to own runs by: none
        assert uow.simulations.recent(10) == []


def test_two_units_writing_different_rows_both_keep_their_writes(new_unit: NewUnit) -> None:
    with new_unit() as uow:
        uow.reminders.add_recipient(_recipient("ops"))
        uow.commit()
    with new_unit() as first, new_unit() as second:
        ops = first.reminders.recipient("ops")
        assert ops is not None and second.reminders.recipient("ops") is not None  # both have read it
        ops.address = "desk@example.com"
        first.commit()
        second.reminders.add_recipient(_recipient("night"))
        second.commit()  # it read "ops" before the change and did not touch it: the change stays
    with new_unit() as uow:
        ops = uow.reminders.recipient("ops")
        assert ops is not None and ops.address == "desk@example.com" and uow.reminders.recipient("night") is not None


def test_a_unit_that_only_read_a_shipment_leaves_anothers_change(new_unit: NewUnit) -> None:
    _add(new_unit, _row("AB-1"))
    with new_unit() as reader, new_unit() as writer:
        assert reader.shipments.get("AB-1") is not None
        row = writer.shipments.get("AB-1")
        assert row is not None
        row.carrier = "Other Air"
        writer.commit()
        reader.audit.record("t", "read", "shipment", "AB-1", None, {})
        reader.commit()
    with new_unit() as uow:
        row = uow.shipments.get("AB-1")
        assert row is not None and (row.carrier, row.version) == ("Other Air", 2)


def test_a_scoped_unit_writes_only_its_clients_shipments(new_unit: NewUnit) -> None:
    _add(new_unit, _row("AB-1"))  # Default's (client 1)
    elsewhere = Scope(frozenset({99}), "other")
    with pytest.raises(NotFoundError, match="client not found"), new_unit(Scope(frozenset({1}), "one")) as uow:
        row = uow.shipments.get("AB-1")
        assert row is not None
        row.client_id = 99  # moved to a client the unit may not write
        uow.flush()
    with pytest.raises(NotFoundError, match="client not found"), new_unit(elsewhere) as uow:
        uow.shipments.add(_row("AB-2"))  # a new shipment of Default's, by a unit scoped to another client
        uow.flush()
    with new_unit() as uow:
        assert uow.shipments.references() == {"AB-1"} and uow.shipments.get("AB-1").client_id == 1  # type: ignore[union-attr]
