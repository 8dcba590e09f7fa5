"""PostgreSQL row-level security, the second line of defence of client scoping (issue #28, migration 0012).

The first line is the unit of work's filter (adapters/db/scope.py). Here it is switched off on purpose
(`unscoped`, and raw SQL) and the database itself must still hide other clients' rows from a scoped session.
The application connects as an ordinary role that owns the tables, as a real install does: owners bypass
row-level security unless it is FORCEd, so this proves the FORCE too. (The test cluster's own user is a
superuser, which always bypasses it: that is why the tables are handed to another role first.)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from rigport.adapters.db.engine import get_engine
from rigport.adapters.db.scope import Scope, unscoped
from rigport.adapters.db.tables import EventRow, PartyRow, ShipmentRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.services import clients, reminders, shipments
from rigport.settings import Settings
from tests.helpers import fresh_database

pytestmark = pytest.mark.postgres
CLIENT_TABLES = ("clients", "shipments", "shipment_quantities", "line_items", "parties", "documents", "events")


def _as_owner_role(settings: Settings) -> Settings:
    """Give every table and function to a new ordinary role (no superuser, no BYPASSRLS) and connect as it."""
    url = make_url(str(settings.database_url))
    role = f"app_{url.database}"
    with get_engine(settings).begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS"))
        conn.execute(text(f"GRANT ALL ON SCHEMA public TO {role}"))
        tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        for table in tables:
            conn.execute(text(f'ALTER TABLE "{table}" OWNER TO {role}'))
        functions = conn.execute(text("SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
                                      "ON n.oid = p.pronamespace WHERE n.nspname = 'public'")).scalars().all()
        for function in functions:
            conn.execute(text(f"ALTER FUNCTION {function} OWNER TO {role}"))
    return Settings(data_dir=settings.data_dir, database_url=url.set(username=role).render_as_string(False))


def _book(settings: Settings) -> dict[str, int]:
    ids = {}
    for name, reference in (("Alpha", "A-1"), ("Bravo", "B-1")):
        ids[name] = clients.create_client(name, "test", settings)["id"]
        draft = shipments.ShipmentDraft(reference=reference, mode="air", port="LAX", arrival_date=dt.date(2025, 3, 1),
                                        total_units=5, declared_value_usd=Decimal(10),
                                        parties=[{"role": "seller", "name": f"{name} Seller"}])  # fmt: skip
        shipments.create_shipment(draft, "test", settings, client=name)
    return ids


def test_an_unfiltered_query_under_a_scoped_session_returns_no_other_clients_rows(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    owner = _as_owner_role(fresh_database(request, "postgresql", tmp_path / "data"))
    ids = _book(owner)
    alpha = Scope(frozenset({ids["Alpha"]}))
    with UnitOfWork(owner, scope=alpha) as uow, unscoped(uow.session):  # the first line of defence switched off
        references = uow.session.scalars(select(ShipmentRow.reference)).all()
        parties = uow.session.scalars(select(PartyRow.name)).all()
        events = uow.session.scalar(select(func.count()).select_from(EventRow))
        raw = {t: uow.session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in CLIENT_TABLES}
    assert references == ["A-1"] and parties == ["Alpha Seller"] and events == 1
    assert raw["clients"] == 1 and raw["shipments"] == 1 and raw["parties"] == 1 and raw["events"] == 1
    with UnitOfWork(owner) as uow:  # broker-wide: the same queries see both clients
        assert sorted(uow.session.scalars(select(ShipmentRow.reference))) == ["A-1", "B-1"]
        assert uow.session.execute(text("SELECT count(*) FROM parties")).scalar_one() == 2


def test_reminders_of_other_clients_are_hidden_by_the_database_too(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Migration 0015: recipients of a client, their outbox rows and delivery attempts, and the broker-wide
    recipients (client NULL), under the same policy."""
    owner = _as_owner_role(fresh_database(request, "postgresql", tmp_path / "data"))
    ids = _book(owner)
    closed = "http://127.0.0.1:9"  # the discard port, closed: each webhook is tried once and refused
    reminders.add_recipient("broker-ops", "webhook", f"{closed}/broker", digest=True, settings=owner)
    for name in ("Alpha", "Bravo"):
        reminders.add_recipient(f"{name}-ops", "webhook", f"{closed}/{name}", digest=True, client=name,
                                settings=owner)  # fmt: skip
    reminders.run(owner, dt.date(2025, 3, 5))
    tables = ("reminder_recipients", "reminder_outbox", "reminder_attempts")
    with UnitOfWork(owner) as uow:
        everything = {t: uow.session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}
        alphas = uow.session.execute(text("SELECT count(*) FROM reminder_outbox WHERE client_id = :a"),
                                     {"a": ids["Alpha"]}).scalar_one()  # fmt: skip
    assert everything["reminder_recipients"] == 3 and everything["reminder_attempts"] > 0
    alpha = Scope(frozenset({ids["Alpha"]}))
    with UnitOfWork(owner, scope=alpha) as uow, unscoped(uow.session):
        raw = {t: uow.session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}
        names = uow.session.execute(text("SELECT name FROM reminder_recipients")).scalars().all()
        hidden = uow.session.execute(text("SELECT count(*) FROM reminder_attempts a JOIN reminder_outbox o "
                                          "ON o.id = a.outbox_id WHERE o.client_id IS DISTINCT FROM :a"),
                                     {"a": ids["Alpha"]}).scalar_one()  # fmt: skip
        changed = uow.session.execute(text("UPDATE reminder_recipients SET address = 'me@alpha.example' "
                                           "WHERE name <> 'Alpha-ops'")).rowcount  # fmt: skip
    assert names == ["Alpha-ops"] and raw["reminder_outbox"] == alphas > 0
    assert 0 < raw["reminder_attempts"] < everything["reminder_attempts"] and hidden == 0 and changed == 0


def test_a_scoped_session_cannot_write_into_another_client(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    owner = _as_owner_role(fresh_database(request, "postgresql", tmp_path / "data"))
    ids = _book(owner)
    alpha = Scope(frozenset({ids["Alpha"]}))
    with UnitOfWork(owner, scope=alpha) as uow:
        moved = uow.session.execute(text("UPDATE shipments SET carrier = 'x' WHERE reference = 'B-1'")).rowcount
        assert moved == 0  # B's row is not there to update
        with pytest.raises(Exception, match="row-level security"):
            uow.session.execute(text(
                "INSERT INTO shipments (client_id, reference, mode, port, carrier, transport_doc, arrival_date, "
                "entry_number, importer_of_record, total_units, declared_value_usd, other_agency_hold, "
                "storage_usd_per_unit_day, storage_facility, primary_state, created_at, updated_at, version) "
                "VALUES (:b, 'B-2', 'air', 'LAX', '', '', '2025-03-01', '', '', 1, 1, false, 0, '', 'ARRIVED', now(), "
                "now(), 1)"
            ), {"b": ids["Bravo"]})  # fmt: skip
    with UnitOfWork(owner) as uow:
        assert uow.session.execute(text("SELECT carrier FROM shipments WHERE reference = 'B-1'")).scalar_one() == ""


def test_backup_and_restore_by_the_owning_role_keep_every_clients_rows(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """pg_dump refuses tables with forced row-level security unless asked to apply it (it would dump a filtered
    view silently otherwise, or nothing): `rigport db backup` asks, and with no scope set every row comes."""
    from rigport.services import db

    owner = _as_owner_role(fresh_database(request, "postgresql", tmp_path / "data"))
    _book(owner)
    db.backup(tmp_path / "book.dump", owner)
    with UnitOfWork(owner) as uow:
        uow.session.execute(text("DELETE FROM parties"))
        uow.commit()
    db.restore(tmp_path / "book.dump", owner)
    with UnitOfWork(owner) as uow:
        assert sorted(uow.session.scalars(select(ShipmentRow.reference))) == ["A-1", "B-1"]
        assert uow.session.execute(text("SELECT count(*) FROM parties")).scalar_one() == 2
