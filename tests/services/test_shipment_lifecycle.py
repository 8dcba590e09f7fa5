"""The system of record on SQLite and PostgreSQL: the same story answers the same views as in memory, and the CLI.

The lifecycle, its invariants, the audit and versions are tested over the in-memory unit of work
(tests/services/memory/); the repositories' agreement is tests/adapters/db/test_repository_contract.py, and the
whole use case's agreement is the first test here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.render.jsonable import to_jsonable
from rigport.services import demo, reminders
from rigport.services import shipments as svc
from rigport.services.assess import assess_shipment
from rigport.services.deadlines import open_clocks_now
from rigport.services.portfolio import portfolio
from rigport.settings import Settings
from tests.helpers.records import make, walk_to_detained

D = dt.date


def _story(settings: Settings, uow: AbstractUnitOfWork | None) -> list[Any]:
    """One shipment through every command, and what each answers (instants aside: they are the clock's)."""
    views: list[Any] = [make(settings, uow=uow), make(settings, "OAK-2", 10, uow=uow)]
    walk_to_detained(settings, uow=uow)
    release = svc.record_event("SFO-1", "release", D(2025, 2, 10), "t", quantity=30, settings=settings, uow=uow)
    views.append(release)
    views.append(svc.preview_event("SFO-1", "seizure-notice-mailed", D(2025, 2, 20), settings=settings, uow=uow))
    event = next(e["id"] for e in release["events"] if e["event"] == "release")
    views.append(svc.void_event("SFO-1", event, "typo", "t", settings=settings, uow=uow))
    views.append(svc.update_shipment("SFO-1", {"carrier": "Ocean", "storage_pallets": 4,
                                               "storage_usd_per_pallet_day": Decimal("40")}, "t", settings=settings,
                                     uow=uow))  # fmt: skip
    party = svc.add_party("SFO-1", "seller", "Acme", "t", country="cn", settings=settings, uow=uow)
    views.append(svc.update_party("SFO-1", int(party["id"]), {"name": "Acme Ltd"}, "t", settings, uow=uow))
    views.append(svc.add_document("SFO-1", "test_report", "t", lab_name="Lab", settings=settings, uow=uow))
    views.append(svc.get_shipment("SFO-1", settings, D(2025, 3, 1), uow=uow))
    views.append(svc.list_shipments(settings=settings, today=D(2025, 3, 1), uow=uow))
    views.append(svc.list_shipments(state="DETAINED", port="SAN FRANCISCO", settings=settings, uow=uow))
    views.append(svc.audit_trail("SFO-1", settings, uow=uow))
    return _without_instants(to_jsonable(views))


def _without_instants(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<instant>" if k in ("at", "recorded_at", "voided_at") else _without_instants(v)
                for k, v in value.items()}  # fmt: skip
    if isinstance(value, list):
        return [_without_instants(v) for v in value]
    return value


def test_the_same_story_answers_the_same_views_in_memory_and_on_the_database(settings: Settings) -> None:
    on_database = _story(settings, None)
    in_memory = _story(Settings(data_dir=settings.data_dir), MemoryUnitOfWork(settings))
    assert in_memory == on_database


def test_cli_update_sets_other_agency_hold(settings: Settings) -> None:
    """`rigport shipments update REF --other-agency-hold`: the flag is stored and the 19 CFR 151.16 clocks change."""
    from tests.helpers import run_cli

    make(settings)
    env = {"RIGPORT_DATA_DIR": str(settings.data_dir), "RIGPORT_DATABASE_URL": settings.database_url or ""}
    done = run_cli("shipments", "update", "SFO-1", "--other-agency-hold", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["other_agency_hold"] is True
    assert svc.get_shipment("SFO-1", settings)["other_agency_hold"] is True
    nothing = run_cli("shipments", "update", "SFO-1", env=env)
    assert nothing.returncode == 2 and "nothing to change" in nothing.stderr


def _demo_book(settings: Settings, uow: AbstractUnitOfWork | None) -> list[Any]:
    """The demo seeded, then every read a user makes of it: the book, each shipment, its clocks, its assessment,
    its audit trail, and the reminders a broker-wide recipient would be sent (instants aside)."""
    today = D(2026, 3, 2)
    views: list[Any] = [demo.seed(settings, today, uow=uow)]
    references = views[0]["created"]
    views.append(portfolio(settings, today, uow=uow))
    views.append(svc.list_shipments(settings=settings, today=today, limit=50, uow=uow))
    views.append([dataclasses.asdict(c) for c in open_clocks_now(settings, today, uow=uow)])
    for reference in references:
        views.append(svc.get_shipment(reference, settings, today, uow=uow))
        views.append(assess_shipment(reference, settings, uow=uow))
        views.append(svc.audit_trail(reference, settings, uow=uow))
    reminders.add_recipient("ops", "email", "ops@example.com", digest=True, settings=settings, uow=uow)
    views.append(reminders.decide(settings, today, dry_run=True, uow=uow))
    return _without_instants(to_jsonable(views))


def test_the_demo_book_answers_the_same_in_memory_and_on_the_database(settings: Settings) -> None:
    on_database = _demo_book(settings, None)
    in_memory = _demo_book(Settings(data_dir=settings.data_dir), MemoryUnitOfWork(settings))
    assert len(on_database) == 4 + 6 * 3 + 1  # six shipments: the comparison below covers them all
    for database_view, memory_view in zip(on_database, in_memory, strict=True):
        assert memory_view == database_view
