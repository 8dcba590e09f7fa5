"""The client axis of the access-control matrix (issue #28): a scoped identity sees its clients' data and nothing else.

Every API route x {each role broker-wide, each role scoped to client A} x {objects of A, of B, of nobody}, on
SQLite and PostgreSQL. For a caller scoped to A, an object of B must answer exactly as an object that does not
exist (status and body, the echoed reference aside): 404, for reads and writes alike, and nothing of B changes.
No answer to an A-scoped caller carries B's names (client, importer, parties), JSON, HTML, ICS and errors alike.
The routes come from the app, so a route added later is in the matrix without editing this file.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from rigport.adapters.db.engine import get_engine
from rigport.adapters.db.scope import Scope, bound
from rigport.entrypoints.api.app import create_app
from rigport.entrypoints.api.auth import RoleBearer
from rigport.errors import NotFoundError
from rigport.services import calendar_feed, clients, shipments
from rigport.services.auth import ROLE_RANK, create_token, set_user
from rigport.settings import Settings
from tests.helpers import fresh_database
from tests.helpers.web import csrf_of

ROLES = ("viewer", "operator", "admin")
A_NAME, B_NAME = "Alpha Mining Co", "Bravo Hashing Co"
A_REF, B_REF, NOPE_REF = "AAA-1", "BBB-1", "NOPE-1"
B_SECRETS = ("Bravo", "BBB-")  # nothing an A-scoped caller did not type may name B
PASSWORD = "correct horse battery"
TODAY = dt.date.today()
ARRIVED, FILED, RELEASED = (str(TODAY - dt.timedelta(days=d)) for d in (10, 9, 8))  # open clocks for the calendar


def declared_role(route: Any) -> str | None:
    """The role of the route's `require(role)` dependency (as test_access_control reads it)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, RoleBearer):
            return dep.call.role
        stack.extend(dep.dependencies)
    return None


def api_routes(app: Any) -> list[tuple[str, str, Any]]:
    """(method, path, route) of every API operation, through included routers."""
    def flat(routes: Any) -> Iterator[Any]:
        for route in routes:
            yield from flat(route.effective_candidates()) if hasattr(route, "effective_candidates") else [route]

    found = [(method, route.path, route) for route in flat(app.routes)
             if (isinstance(route, APIRoute) or hasattr(route, "dependant")) and route.path.startswith("/api/")
             for method in route.methods if method not in ("HEAD", "OPTIONS")]  # fmt: skip
    return sorted(found, key=lambda r: (r[1], r[0]))


def _shipment(reference: str, importer: str, party: str) -> dict[str, Any]:
    return {"reference": reference, "mode": "air", "port": "Detroit", "arrival_date": ARRIVED,
            "total_units": 10, "declared_value_usd": "34000.00", "importer_of_record": importer,
            "parties": [{"role": "seller", "name": party, "country": "CN"}]}  # fmt: skip


@dataclass
class Book:
    client: TestClient
    settings: Settings
    tokens: dict[str, str]  # "viewer" (broker-wide), "viewer@A" (scoped to A), ...
    ids: dict[str, dict[str, int]]  # per reference: client, party, document, event ids


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def book(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Book]:
    settings = fresh_database(request, request.param, tmp_path / "data")
    clients.create_client(A_NAME, "test", settings)
    clients.create_client(B_NAME, "test", settings)
    tokens: dict[str, str] = {}
    for role in ROLES:
        tokens[role] = create_token(role, label=f"broker-{role}", settings=settings)[0]
        tokens[f"{role}@A"] = create_token(role, label=f"alpha-{role}", settings=settings, clients=[A_NAME])[0]
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    ids: dict[str, dict[str, int]] = {}
    for ref, name, importer, party in ((A_REF, A_NAME, "Alpha Importer LLC", "Alpha Seller Ltd"),
                                       (B_REF, B_NAME, "Bravo Importer LLC", "Bravo Seller Ltd")):  # fmt: skip
        made = client.post("/api/v1/shipments", json={**_shipment(ref, importer, party), "client": name}, headers=admin)
        assert made.status_code == 201, made.text
        assert made.json()["client"] == name
        doc = client.post(f"/api/v1/shipments/{ref}/documents", data={"kind": "test_report",
                          "lab_name": f"{party} lab"}, files={"file": ("report.pdf", b"%PDF-1.4 " + ref.encode(),
                          "application/pdf")}, headers=admin)  # an uploaded file: its download is in the matrix too
        assert doc.status_code == 201, doc.text
        for step in ("entry-filed", "exam-presented", "detention"):  # detained: the detention clock runs
            event = client.post(f"/api/v1/shipments/{ref}/events", json={"event": step, "date": FILED},
                                headers=admin)  # fmt: skip
            assert event.status_code == 201, event.text
        body = event.json()
        ids[ref] = {"client": clients.show_client(name, settings)["id"], "party": body["parties"][0]["id"],
                    "document": doc.json()["id"], "event": body["events"][-1]["id"]}  # fmt: skip
    ids[NOPE_REF] = {"client": 9999, "party": 9999, "document": 9999, "event": 9999}
    yield Book(client, settings, tokens, ids)


# Bodies that pass validation, so a write is refused for the object (404), not for its body (422).
VALID_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/shipments/{reference}/events"): {"event": "release", "date": RELEASED},
    ("PATCH", "/api/v1/shipments/{reference}"): {"version": 1, "carrier": "Changed Air"},
    ("POST", "/api/v1/shipments/{reference}/events/{event_id}/void"): {"reason": "test"},
    ("POST", "/api/v1/shipments/{reference}/documents"): {"kind": "other", "notes": "x"},
    ("POST", "/api/v1/shipments/{reference}/parties"): {"role": "broker", "name": "Someone"},
    ("PATCH", "/api/v1/shipments/{reference}/parties/{party_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/shipments/{reference}/documents/{document_id}"): {"notes": "changed"},
    ("POST", "/api/v1/shipments/{reference}/screen"): {"threshold": 0.9},
}


def _fill(path: str, ref: str, ids: dict[str, dict[str, int]]) -> str:
    own = ids[ref]
    values = {"reference": ref, "party_id": own["party"], "document_id": own["document"], "event_id": own["event"],
              "client": own["client"]}  # fmt: skip
    return re.sub(r"\{([^}]+)\}", lambda m: str(values.get(m.group(1), "x1")), path)


def _owned(path: str) -> bool:
    """Routes whose path names a client's object (a shipment or a client)."""
    return "{reference}" in path or "{client}" in path


def _call(book: Book, who: str, method: str, path: str, ref: str) -> Any:
    body = VALID_BODIES.get((method, path), {} if method not in ("GET", "DELETE") else None)
    headers = {"Authorization": f"Bearer {book.tokens[who]}"}
    return book.client.request(method, _fill(path, ref, book.ids), json=body, headers=headers)


def _b_state(book: Book) -> tuple[Any, ...]:
    with get_engine(book.settings).connect() as conn:
        version = conn.execute(text("SELECT version FROM shipments WHERE reference = :r"), {"r": B_REF}).scalar_one()
        parties = conn.execute(text("SELECT count(*) FROM parties p JOIN shipments s ON s.id = p.shipment_id "
                                    "WHERE s.reference = :r"), {"r": B_REF}).scalar_one()  # fmt: skip
        client = conn.execute(text("SELECT name, archived_at FROM clients WHERE name = :n"), {"n": B_NAME}).one()
    return version, parties, tuple(client)


def _leaks(body: str, typed: str | None = None) -> list[str]:
    """B's names in a body; the reference the caller typed itself may be echoed (it tells them nothing)."""
    cleaned = body.replace(typed, "") if typed else body
    return [s for s in B_SECRETS if s in cleaned]


@pytest.mark.parametrize("role", ROLES)
def test_scoped_identity_finds_nothing_of_another_client(book: Book, role: str) -> None:
    """Each route x an A-scoped identity x objects of A, B and nobody; and the broker-wide identity beside it."""
    before = _b_state(book)
    failures: list[str] = []
    scoped = f"{role}@A"
    routes = sorted(api_routes(book.client.app), key=lambda r: (r[0] == "DELETE", r[1], r[0]))  # removals last
    for method, path, route in routes:
        need = declared_role(route)
        if need is None or not _owned(path) or path.startswith("/api/v1/clients") and method == "POST":
            continue
        if ROLE_RANK[role] < ROLE_RANK[need]:  # refused for the role, whatever the object: nothing to compare
            statuses = {_call(book, scoped, method, path, ref).status_code for ref in (A_REF, B_REF)}
            if statuses != {403}:
                failures.append(f"{scoped} {method} {path}: expected 403 for A and B, got {statuses}")
            continue
        on_b = _call(book, scoped, method, path, B_REF)
        on_nothing = _call(book, scoped, method, path, NOPE_REF)
        as_nothing = on_b.text.replace(_fill(path, B_REF, book.ids), _fill(path, NOPE_REF, book.ids))
        as_nothing = as_nothing.replace(B_REF, NOPE_REF).replace(f"'{book.ids[B_REF]['client']}'", "'9999'")
        same = on_b.status_code == on_nothing.status_code and as_nothing == on_nothing.text
        if not same:
            failures.append(f"{scoped} {method} {path}: B answered {on_b.status_code} {on_b.text[:150]!r}, "
                            f"nothing answered {on_nothing.status_code} {on_nothing.text[:150]!r}")  # fmt: skip
        if ((method, path) in VALID_BODIES or method in ("GET", "DELETE")) and on_b.status_code != 404:
            failures.append(f"{scoped} {method} {path}: B's object answered {on_b.status_code}, expected 404")
        if leaked := _leaks(on_b.text, B_REF):
            failures.append(f"{scoped} {method} {path}: B's {leaked} in {on_b.text[:200]!r}")
        on_a = _call(book, scoped, method, path, A_REF)
        if on_a.status_code in (401, 403, 404) or on_a.status_code >= 500:
            failures.append(f"{scoped} {method} {path}: own object answered {on_a.status_code} {on_a.text[:150]}")
        if leaked := _leaks(on_a.text):
            failures.append(f"{scoped} {method} {path}: B's {leaked} in the answer about A: {on_a.text[:200]!r}")
        if method == "GET":  # the broker-wide identity of the same role reads B
            broker = _call(book, role, method, path, B_REF)
            if broker.status_code != 200:
                failures.append(f"{role} {method} {path}: broker-wide read of B answered {broker.status_code}")
    assert not failures, "\n".join(failures)
    assert _b_state(book) == before, "an A-scoped identity changed B's data"


def test_lists_portfolio_and_clients_count_only_the_callers_clients(book: Book) -> None:
    scoped = {"Authorization": f"Bearer {book.tokens['viewer@A']}"}
    broker = {"Authorization": f"Bearer {book.tokens['viewer']}"}
    for path in ("/api/v1/shipments", "/api/v1/portfolio", "/api/v1/clients", "/api/v1/simulations",
                 f"/api/v1/shipments?client={A_NAME}", "/api/v1/clients?include_archived=true"):  # fmt: skip
        answer = book.client.get(path, headers=scoped)
        assert answer.status_code == 200, (path, answer.text)
        assert not _leaks(answer.text), (path, answer.text[:300])
    listed = book.client.get("/api/v1/shipments", headers=scoped).json()
    assert [r["reference"] for r in listed] == [A_REF] and listed[0]["client"] == A_NAME
    assert [c["name"] for c in book.client.get("/api/v1/clients", headers=scoped).json()] == [A_NAME]
    assert book.client.get("/api/v1/portfolio", headers=scoped).json()["shipments"] == 1
    # another client as a filter: nothing found, worded as for a client that does not exist
    assert book.client.get(f"/api/v1/shipments?client={B_NAME}", headers=scoped).status_code == 404
    # broker-wide: everything, and a filter by client
    assert {r["reference"] for r in book.client.get("/api/v1/shipments", headers=broker).json()} == {A_REF, B_REF}
    only_b = book.client.get(f"/api/v1/shipments?client={B_NAME}", headers=broker).json()
    assert [r["reference"] for r in only_b] == [B_REF]
    assert book.client.get("/api/v1/portfolio", headers=broker).json()["shipments"] == 2
    # a scoped admin cannot add a client (its scope would not cover it)
    made = book.client.post("/api/v1/clients", json={"name": "Charlie"},
                            headers={"Authorization": f"Bearer {book.tokens['admin@A']}"})  # fmt: skip
    assert made.status_code == 403 and not _leaks(made.text)
    # creating for another client is refused as for a client that does not exist
    create = {**_shipment("AAA-2", "Alpha Importer LLC", "Alpha Seller Ltd")}
    as_op = {"Authorization": f"Bearer {book.tokens['operator@A']}"}
    to_b = book.client.post("/api/v1/shipments", json={**create, "client": B_NAME}, headers=as_op)
    to_nobody = book.client.post("/api/v1/shipments", json={**create, "client": "Nobody Co"}, headers=as_op)
    assert to_b.status_code == to_nobody.status_code == 404
    assert to_b.text.replace(B_NAME, "Nobody Co") == to_nobody.text
    own = book.client.post("/api/v1/shipments", json=create, headers=as_op)  # one client in scope: no need to name it
    assert own.status_code == 201 and own.json()["client"] == A_NAME


def test_manifest_import_into_another_clients_shipment_is_404(book: Book) -> None:
    manifest = (b"line,model,quantity,unit_value,hts_code,origin,serials\n"
                b"1,antminer-s21-pro,1,4200,8543.70.9860,CN,X-1\n")
    as_op = {"Authorization": f"Bearer {book.tokens['operator@A']}"}
    files = {"file": ("m.csv", manifest, "text/csv")}
    on_b = book.client.post("/api/v1/import", data={"shipment": B_REF}, files=files, headers=as_op)
    on_nothing = book.client.post("/api/v1/import", data={"shipment": NOPE_REF}, files=files, headers=as_op)
    assert on_b.status_code == on_nothing.status_code == 404
    assert on_b.text.replace(B_REF, NOPE_REF) == on_nothing.text
    broker = {"Authorization": f"Bearer {book.tokens['operator']}"}
    wrong = book.client.post("/api/v1/import", data={"shipment": A_REF, "client": B_NAME}, files=files, headers=broker)
    assert wrong.status_code == 422 and "client" in wrong.text  # the broker filed it under the wrong importer
    right = book.client.post("/api/v1/import", data={"shipment": A_REF, "client": A_NAME}, files=files, headers=broker)
    assert right.status_code == 201, right.text


def test_dashboard_and_calendar_of_a_scoped_user(book: Book) -> None:
    set_user("alpha-op", PASSWORD, "operator", book.settings, clients=[A_NAME])
    web = TestClient(book.client.app, base_url="https://testserver", raise_server_exceptions=False)
    signed = web.post("/login", data={"username": "alpha-op", "password": PASSWORD}, follow_redirects=False)
    assert signed.status_code == 303
    for path in ("/", f"/shipments/{A_REF}", "/screening", "/economics"):
        page = web.get(path)
        assert page.status_code == 200, (path, page.text[:300])
        assert not _leaks(page.text), (path, [m.start() for m in re.finditer("Bravo|BBB-", page.text)])
    on_b, on_nothing = web.get(f"/shipments/{B_REF}"), web.get(f"/shipments/{NOPE_REF}")
    assert on_b.status_code == on_nothing.status_code == 404
    assert not _leaks(on_b.text, B_REF)
    assert web.get(f"/shipments/{B_REF}/packet").status_code == 404
    token = csrf_of(web.get("/").text)
    posted = web.post(f"/shipments/{B_REF}/events", data={"event": "release", "date": RELEASED, "csrf_token": token},
                      headers={"X-CSRF-Token": token})  # fmt: skip
    assert posted.status_code == 404 and not _leaks(posted.text, B_REF)
    reminders_page = web.get("/reminders")  # its clients' recipients and reminders (none here), nothing else
    assert reminders_page.status_code == 200 and not _leaks(reminders_page.text)
    feed = calendar_feed.calendar_url("alpha-op", settings=book.settings)
    secret = feed["url"].rsplit("/", 1)[-1].removesuffix(".ics")
    ics = book.client.get(f"/calendar/{secret}.ics")
    assert ics.status_code == 200 and A_REF in ics.text and not _leaks(ics.text)
    set_user("broker-op", PASSWORD, "operator", book.settings)  # the same feed, broker-wide: both clients
    secret = calendar_feed.calendar_url("broker-op", settings=book.settings)["url"].rsplit("/", 1)[-1]
    both = book.client.get(f"/calendar/{secret}").text
    assert A_REF in both and B_REF in both


def test_audit_rows_record_the_identity_and_its_scope(book: Book) -> None:
    as_op = {"Authorization": f"Bearer {book.tokens['operator@A']}"}
    made = book.client.post(f"/api/v1/shipments/{A_REF}/parties", json={"role": "broker", "name": "Ours"},
                            headers=as_op)  # fmt: skip
    assert made.status_code == 201
    with get_engine(book.settings).connect() as conn:
        actor, scope = conn.execute(text("SELECT actor, scope FROM audit_log WHERE action = 'add-party' "
                                         "ORDER BY id DESC")).first()  # fmt: skip
    assert actor.endswith("(alpha-operator)") and scope == f"clients:{book.ids[A_REF]['client']}"


# --- the same rule over random books: clients, shipments and identities drawn by hypothesis -------------------


_EXAMPLES = itertools.count()


@pytest.fixture(scope="module")
def random_book(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("random-book"))
    names = [f"Client {c}" for c in "PQRST"]
    for name in names:
        clients.create_client(name, "test", settings)
    return settings


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(owners=st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=8),
       scope=st.frozensets(st.integers(min_value=0, max_value=4), max_size=5))  # fmt: skip
def test_random_books_show_each_identity_its_clients_only(
    random_book: Settings, owners: list[int], scope: frozenset[int]
) -> None:
    settings = random_book
    salt = next(_EXAMPLES)
    ids = {c["name"]: c["id"] for c in clients.list_clients(settings=settings)}
    by_index = [ids[f"Client {c}"] for c in "PQRST"]
    made: dict[str, int] = {}
    for n, owner in enumerate(owners):
        reference = f"R{salt}-{n}"
        draft = shipments.ShipmentDraft(reference=reference, mode="air", port="LAX", arrival_date=dt.date(2025, 3, 1),
                                        total_units=1, declared_value_usd=shipments.Decimal(1))  # fmt: skip
        shipments.create_shipment(draft, "test", settings, client=str(by_index[owner]))
        made[reference] = by_index[owner]
    allowed = frozenset(by_index[i] for i in scope)
    with bound(Scope(allowed)):
        listed = {r["reference"] for r in shipments.list_shipments(limit=1000, settings=settings)}
        visible_clients = {c["id"] for c in clients.list_clients(True, settings=settings)}
        for reference, owner in made.items():
            if owner in allowed:
                assert shipments.get_shipment(reference, settings)["reference"] == reference
            else:
                with pytest.raises(NotFoundError):
                    shipments.get_shipment(reference, settings)
                with pytest.raises(NotFoundError):
                    shipments.add_party(reference, "broker", "X", "test", settings=settings)
    mine = {r for r, owner in made.items() if owner in allowed}
    assert mine <= listed and all(r.split("-")[0] != f"R{salt}" or r in mine for r in listed)
    assert visible_clients == set(allowed)


def test_which_client_a_new_shipment_goes_to_and_moving_it(book: Book) -> None:
    """Broker-wide, no client named: the "Default" client (seen by no scoped identity) while it is active;
    archived, the client must be named. A scoped identity with one client never names it. A move is audited."""
    broker = {"Authorization": f"Bearer {book.tokens['operator']}"}
    made = book.client.post("/api/v1/shipments", json=_shipment("DEF-1", "Someone", "Some Seller"), headers=broker)
    assert made.status_code == 201 and made.json()["client"] == "Default"
    scoped = {"Authorization": f"Bearer {book.tokens['viewer@A']}"}
    assert book.client.get("/api/v1/shipments/DEF-1", headers=scoped).status_code == 404
    moved = book.client.patch("/api/v1/shipments/DEF-1", json={"version": made.json()["version"], "client": A_NAME},
                              headers=broker)  # fmt: skip
    assert moved.status_code == 200 and moved.json()["client"] == A_NAME
    assert book.client.get("/api/v1/shipments/DEF-1", headers=scoped).status_code == 200
    admin = {"Authorization": f"Bearer {book.tokens['admin']}"}
    assert book.client.get("/api/v1/clients/Default", headers=admin).json()["archived_at"] is None
    clients.archive_client("Default", "test", book.settings)
    refused = book.client.post("/api/v1/shipments", json=_shipment("DEF-2", "Someone", "Some Seller"), headers=broker)
    assert refused.status_code == 422 and "name the client" in refused.json()["detail"]
    with get_engine(book.settings).connect() as conn:
        before, after = conn.execute(text("SELECT before, after FROM audit_log WHERE action = 'update' "
                                          "AND entity_id = 'DEF-1'")).one()  # fmt: skip
    assert '"Default"' in str(before).replace("'", '"') and A_NAME in str(after)


def test_simulation_runs_are_seen_by_whoever_started_them_or_the_broker(book: Book) -> None:
    """Stored simulation runs belong to no client: a scoped identity sees the runs it started and no other (a run
    the broker made for client B would tell A about B's deal), 404 as for a run that does not exist."""
    sim = {"model": "antminer-s21", "units": 5, "unit_price": 3400, "power_price": 0.05, "paths": 200, "days": 30,
           "seed": 1}  # fmt: skip
    header = {who: {"Authorization": f"Bearer {book.tokens[who]}"} for who in ("operator", "operator@A", "viewer@A")}
    brokers = book.client.post("/api/v1/simulations", json=sim, headers=header["operator"])
    own = book.client.post("/api/v1/simulations", json=sim, headers=header["operator@A"])
    assert brokers.status_code == own.status_code == 202, (brokers.text, own.text)
    broker_run, own_run = brokers.json()["id"], own.json()["id"]
    listed = book.client.get("/api/v1/simulations", headers=header["operator@A"]).json()
    assert [r["id"] for r in listed] == [own_run]
    assert book.client.get(f"/api/v1/simulations/{own_run}", headers=header["operator@A"]).status_code == 200
    hidden = book.client.get(f"/api/v1/simulations/{broker_run}", headers=header["operator@A"])
    missing = book.client.get("/api/v1/simulations/0000nosuchrun", headers=header["operator@A"])
    assert hidden.status_code == missing.status_code == 404
    assert book.client.get("/api/v1/simulations", headers=header["viewer@A"]).json() == []  # another identity's run
    every = {r["id"] for r in book.client.get("/api/v1/simulations", headers=header["operator"]).json()}
    assert every == {broker_run, own_run}  # broker-wide: all runs
    deadline = time.monotonic() + 120  # the background runner, outside any request's scope, finishes the run
    while (run := book.client.get(f"/api/v1/simulations/{own_run}", headers=header["operator@A"]).json())["status"] \
            not in ("succeeded", "failed") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert run["status"] == "succeeded", run
