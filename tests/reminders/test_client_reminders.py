"""Issue #28 for reminders: a client's recipient hears only about that client's shipments, and a scoped identity
sees and manages its clients' recipients and reminders and nothing else (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from rigport.adapters.db.reminder_tables import OutboxRow
from rigport.adapters.db.scope import Scope, bound
from rigport.adapters.db.uow import UnitOfWork
from rigport.entrypoints.api.app import create_app
from rigport.errors import ConflictError, InputError, NotFoundError
from rigport.services import clients, shipments
from rigport.services import reminders as svc
from rigport.services.auth import set_user
from rigport.settings import Settings
from tests.helpers import fresh_database, run_cli
from tests.helpers.web import csrf_of

TODAY = dt.date.today()
PASSWORD = "correct horse battery"


def _shipment(settings: Settings, reference: str, client: str) -> None:
    draft = shipments.ShipmentDraft(reference, "vessel", "Los Angeles", TODAY - dt.timedelta(days=10), 100,
                                    Decimal(340000))  # entry due in 5 days: a 7-day reminder today
    shipments.create_shipment(draft, "tester", settings, client=client)


@pytest.fixture
def book(settings: Settings) -> dict[str, int]:
    return _make_book(settings)


def _make_book(settings: Settings) -> dict[str, int]:
    """Two clients with one shipment each, a broker-wide recipient and one of Alpha's, both with a digest."""
    ids = {name: clients.create_client(name, "test", settings)["id"] for name in ("Alpha", "Bravo")}
    _shipment(settings, "ALPHA-1", "Alpha")
    _shipment(settings, "BRAVO-1", "Bravo")
    svc.add_recipient("broker-ops", "email", "ops@broker.example", digest=True, settings=settings)
    made = svc.add_recipient("alpha-ops", "email", "ops@alpha.example", digest=True, client="Alpha",
                             settings=settings)  # fmt: skip
    assert made["client"] == "Alpha"
    return ids


def _outbox(settings: Settings, scope: Scope | None = None) -> dict[str, list[OutboxRow]]:
    by_recipient: dict[str, list[OutboxRow]] = {}
    with UnitOfWork(settings, scope=scope) as uow:
        names = {r.id: r.name for r in uow.reminders.recipients()}
        for row in uow.session.scalars(select(OutboxRow).order_by(OutboxRow.id)):
            by_recipient.setdefault(names.get(row.recipient_id, "?"), []).append(row)
        uow.session.expunge_all()
    return by_recipient


def test_a_clients_recipient_hears_only_about_that_clients_shipments(
    settings: Settings, book: dict[str, int]
) -> None:
    decided = svc.decide(settings, TODAY)
    assert decided["recipients"] == 2
    rows = _outbox(settings)
    broker = {r.shipment for r in rows["broker-ops"] if r.threshold != "digest"}
    alpha = {r.shipment for r in rows["alpha-ops"] if r.threshold != "digest"}
    assert broker == {"ALPHA-1", "BRAVO-1"} and alpha == {"ALPHA-1"}
    alpha_digest = next(r for r in rows["alpha-ops"] if r.threshold == "digest")
    broker_digest = next(r for r in rows["broker-ops"] if r.threshold == "digest")
    assert "ALPHA-1" in alpha_digest.message["text"] and "BRAVO-1" not in alpha_digest.message["text"]
    assert "BRAVO-1" not in str(alpha_digest.message["data"]) and "BRAVO-1" in broker_digest.message["text"]
    assert {r.client_id for r in rows["alpha-ops"]} == {book["Alpha"]}
    assert {r.client_id for r in rows["broker-ops"]} == {None}


def test_a_scoped_identity_sees_and_manages_its_clients_reminders_only(
    settings: Settings, book: dict[str, int]
) -> None:
    svc.decide(settings, TODAY)
    alpha = Scope(frozenset({book["Alpha"]}), "alpha-admin")
    everything = svc.status(settings)
    with bound(alpha):
        assert [r["name"] for r in svc.list_recipients(settings)] == ["alpha-ops"]
        mine = svc.status(settings)
        assert {r["recipient"] for r in mine["recent"]} == {"alpha-ops"}
        assert mine["outbox"]["pending"] == len(_outbox(settings)["alpha-ops"]) < everything["outbox"]["pending"]
        assert [r["name"] for r in mine["recipients"]] == ["alpha-ops"]
        added = svc.add_recipient("alpha-team", "email", "team@alpha.example", actor="alpha-admin",
                                  settings=settings)  # fmt: skip
        assert added["client"] == "Alpha"  # its only client, without being named
        with pytest.raises(NotFoundError, match="client"):
            svc.add_recipient("bravo-spy", "email", "spy@example.com", client="Bravo", settings=settings)
        with pytest.raises(ConflictError, match="is taken"):  # says no more than that the name is in use
            svc.add_recipient("broker-ops", "email", "x@alpha.example", settings=settings)
        for change in (lambda: svc.update_recipient("broker-ops", address="me@alpha.example", settings=settings),
                       lambda: svc.remove_recipient("broker-ops", settings=settings)):  # fmt: skip
            with pytest.raises(NotFoundError, match="recipient 'broker-ops' not found"):
                change()
        svc.update_recipient("alpha-ops", before="5", settings=settings)
        assert svc.remove_recipient("alpha-team", settings=settings)["client"] == "Alpha"
    assert _outbox(settings, alpha).keys() == {"alpha-ops"}
    names = {r["name"]: r for r in svc.list_recipients(settings)}  # broker-wide: every recipient, unchanged
    assert names["broker-ops"]["address"] == "ops@broker.example" and names["alpha-ops"]["before"] == [5]
    with bound(Scope(frozenset(book.values()), "two")), pytest.raises(InputError, match="several clients"):
        svc.add_recipient("which", "email", "which@example.com", settings=settings)


def test_a_recipient_tied_to_a_user_only_for_clients_that_user_sees(settings: Settings, book: dict[str, int]) -> None:
    set_user("bravo-user", PASSWORD, "viewer", settings, clients=["Bravo"])
    with pytest.raises(NotFoundError, match="username"):
        svc.add_recipient("r1", "email", "r1@example.com", username="bravo-user", client="Alpha", settings=settings)
    with pytest.raises(InputError, match="works for some clients only"):
        svc.add_recipient("r2", "email", "r2@example.com", username="bravo-user", settings=settings)
    made = svc.add_recipient("r3", "email", "r3@example.com", username="bravo-user", client="Bravo", settings=settings)
    assert made["client"] == "Bravo" and made["username"] == "bravo-user"


@pytest.fixture
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[TestClient, Settings, dict[str, int]]]:
    settings = fresh_database(request, "sqlite", tmp_path)
    ids = _make_book(settings)
    yield TestClient(create_app(settings), base_url="https://testserver"), settings, ids


def test_the_reminders_page_of_a_scoped_admin(site: tuple[TestClient, Settings, dict[str, int]]) -> None:
    client, settings, _ = site
    svc.decide(settings, TODAY)
    set_user("alpha-admin", PASSWORD, "admin", settings, clients=["Alpha"])
    signed = client.post("/login", data={"username": "alpha-admin", "password": PASSWORD}, follow_redirects=False)
    assert signed.status_code == 303
    page = client.get("/reminders")
    assert page.status_code == 200
    assert "alpha-ops" in page.text and "ALPHA-1" in page.text
    assert "broker-ops" not in page.text and "BRAVO-1" not in page.text and "Bravo" not in page.text
    assert 'id="r-client"' not in page.text  # one client: nothing to choose
    token = csrf_of(page.text)
    added = client.post("/reminders/recipients", data={"csrf_token": token, "name": "alpha-team", "channel": "email",
                                                       "address": "team@alpha.example", "before": "3"})  # fmt: skip
    assert added.status_code == 201, added.text
    spy = client.post("/reminders/recipients", data={"csrf_token": token, "name": "spy", "channel": "email",
                                                     "address": "spy@example.com", "client": "Bravo"})  # fmt: skip
    assert spy.status_code == 404 and "BRAVO-1" not in spy.text
    removed = client.post("/reminders/recipients/broker-ops", data={"csrf_token": token, "action": "remove"})
    assert removed.status_code == 404
    clients_of = {r["name"]: r["client"] for r in svc.list_recipients(settings)}
    assert clients_of == {"broker-ops": None, "alpha-ops": "Alpha", "alpha-team": "Alpha"}


def test_recipients_cli_with_a_client(isolated_data_dir: Path) -> None:
    assert run_cli("clients", "create", "Alpha").returncode == 0
    out = run_cli("notify", "recipients", "add", "alpha-ops", "--channel", "email", "--address", "ops@alpha.example",
                  "--client", "alpha", "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["client"] == "Alpha"
    text = run_cli("notify", "recipients", "add", "all-ops", "--channel", "email", "--address", "ops@example.com")
    assert text.returncode == 0 and "every client" in text.stdout
    listed = {r["name"]: r["client"] for r in json.loads(run_cli("notify", "recipients", "list", "--json").stdout)}
    assert listed == {"alpha-ops": "Alpha", "all-ops": None}
    unknown = run_cli("notify", "recipients", "add", "x", "--channel", "email", "--address", "x@example.com",
                      "--client", "Nobody")  # fmt: skip
    assert unknown.returncode == 2 and "no client 'Nobody'" in unknown.stderr and "Traceback" not in unknown.stderr
