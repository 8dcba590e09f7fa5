"""Concurrency against a real `rigport serve` (2 uvicorn workers) on SQLite and PostgreSQL.

Optimistic locking: of several operators sending the same `version`, exactly one wins and the others
get 409. Concurrent writers lose nothing: every 201 is in the events table and the audit log.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from rigport.adapters.db.engine import get_engine
from rigport.services.auth import create_token
from rigport.settings import Settings
from tests.helpers import DATABASES, fresh_database
from tests.trust.support import Server, rigport_server

Served = tuple[Server, Settings, dict[str, str]]
RACERS = 4
ROUNDS = 5


@pytest.fixture(scope="module", params=DATABASES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server per database for the whole module (each test uses its own shipments)."""
    settings = fresh_database(request, request.param, tmp_path_factory.mktemp("race"))
    token, _ = create_token("operator", label="racer", settings=settings)
    with rigport_server(settings.data_dir, settings.database_url, workers=2) as server:
        yield server, settings, {"Authorization": f"Bearer {token}"}


def create(server: Server, headers: dict[str, str], reference: str, units: int, entered: bool = True) -> int:
    """A shipment (optionally entered) through the API; returns its version."""
    body = {"reference": reference, "mode": "vessel", "port": "Oakland", "arrival_date": "2025-01-10",
            "total_units": units, "declared_value_usd": "1000.00"}  # fmt: skip
    response = httpx.post(f"{server.url}/api/v1/shipments", json=body, headers=headers, timeout=30)
    assert response.status_code == 201, response.text
    if entered:
        response = httpx.post(f"{server.url}/api/v1/shipments/{reference}/events",
                              json={"event": "entry-filed", "date": "2025-01-11"}, headers=headers, timeout=30)
        assert response.status_code == 201, response.text
    return int(response.json()["version"])


def race(n: int, send: Callable[[httpx.Client, int], httpx.Response]) -> list[httpx.Response]:
    """n threads, one connection each, released together by a barrier."""
    barrier = threading.Barrier(n)

    def one(i: int) -> httpx.Response:
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            return send(client, i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def count(settings: Settings, sql: str, **params: Any) -> int:
    with get_engine(settings).connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def test_same_version_patch_exactly_one_wins(served: Served) -> None:
    server, settings, headers = served
    version = create(server, headers, "RACE-P", 10, entered=False)
    url = f"{server.url}/api/v1/shipments/RACE-P"
    for round_no in range(ROUNDS):
        bodies = [{"version": version, "carrier": f"r{round_no}-{i}"} for i in range(RACERS)]
        responses = race(RACERS, lambda c, i: c.patch(url, json=bodies[i], headers=headers))  # noqa: B023
        statuses = Counter(r.status_code for r in responses)
        assert statuses == {200: 1, 409: RACERS - 1}, [(r.status_code, r.text[:100]) for r in responses]
        winner = next(r for r in responses if r.status_code == 200).json()
        assert all(r.headers["content-type"].startswith("application/problem+json")
                   for r in responses if r.status_code == 409)  # fmt: skip
        version = winner["version"]
    stored = httpx.get(f"{server.url}/api/v1/shipments/RACE-P", headers=headers).json()
    assert stored["version"] == version and stored["carrier"] == winner["carrier"]
    assert count(settings, "SELECT count(*) FROM audit_log WHERE entity_id='RACE-P' AND action='update'") == ROUNDS


def test_same_version_event_exactly_one_wins(served: Served) -> None:
    server, settings, headers = served
    version = create(server, headers, "RACE-E", 100)
    url = f"{server.url}/api/v1/shipments/RACE-E/events"
    for _ in range(ROUNDS):
        body = {"event": "release", "date": "2025-02-01", "quantity": 1, "version": version}
        responses = race(RACERS, lambda c, i: c.post(url, json=body, headers=headers))  # noqa: B023
        statuses = Counter(r.status_code for r in responses)
        assert statuses == {201: 1, 409: RACERS - 1}, [(r.status_code, r.text[:100]) for r in responses]
        version = next(r for r in responses if r.status_code == 201).json()["version"]
    stored = httpx.get(f"{server.url}/api/v1/shipments/RACE-E", headers=headers).json()
    assert stored["quantities"] == {"ENTERED": 100 - ROUNDS, "RELEASED": ROUNDS}
    assert count(settings, "SELECT count(*) FROM events e JOIN shipments s ON s.id = e.shipment_id "
                           "WHERE s.reference='RACE-E' AND e.event='release'") == ROUNDS  # fmt: skip
    assert count(settings, "SELECT count(*) FROM audit_log WHERE entity_id='RACE-E' AND action='event:release'") \
        == ROUNDS  # fmt: skip


def test_concurrent_events_on_different_shipments_lose_nothing(served: Served) -> None:
    """8 writers x 25 events each, one shipment per writer: all 200 accepted and stored, none lost."""
    server, settings, headers = served
    writers, per_writer = 8, 25
    for w in range(writers):
        create(server, headers, f"MANY-{w}", 100)

    def post_all(client: httpx.Client, w: int) -> httpx.Response:
        last = httpx.Response(0)
        for _ in range(per_writer):
            last = client.post(f"{server.url}/api/v1/shipments/MANY-{w}/events",
                               json={"event": "release", "date": "2025-02-01", "quantity": 1}, headers=headers)
            assert last.status_code == 201, last.text
        return last

    race(writers, post_all)
    for w in range(writers):
        ref = f"MANY-{w}"
        assert count(settings, "SELECT quantity FROM shipment_quantities q JOIN shipments s ON s.id=q.shipment_id "
                               "WHERE s.reference=:r AND q.state='RELEASED'", r=ref) == per_writer  # fmt: skip
        assert count(settings, "SELECT count(*) FROM audit_log WHERE entity_id=:r AND action='event:release'",
                     r=ref) == per_writer  # fmt: skip
    assert count(settings, "SELECT count(*) FROM events e JOIN shipments s ON s.id = e.shipment_id "
                           "WHERE e.event='release' AND s.reference LIKE 'MANY-%'") == writers * per_writer
    assert count(settings, "SELECT count(*) FROM audit_log WHERE action='event:release' AND entity_id LIKE 'MANY-%'") \
        == writers * per_writer  # fmt: skip


def test_unversioned_writers_on_one_shipment_never_lose_an_update(served: Served) -> None:
    """Without `version`, concurrent writers still cannot overwrite each other: each 201 is one stored unit."""
    server, settings, headers = served
    create(server, headers, "HOT", 1000)
    url = f"{server.url}/api/v1/shipments/HOT/events"
    accepted = Counter[int]()

    def post_many(client: httpx.Client, _: int) -> httpx.Response:
        last = httpx.Response(0)
        for _ in range(15):
            last = client.post(url, json={"event": "release", "date": "2025-02-01", "quantity": 1}, headers=headers)
            accepted[last.status_code] += 1
        return last

    race(6, post_many)
    assert set(accepted) <= {201, 409}, accepted
    stored = httpx.get(f"{server.url}/api/v1/shipments/HOT", headers=headers).json()
    assert stored["quantities"].get("RELEASED", 0) == accepted[201]
    assert sum(stored["quantities"].values()) == 1000
    assert count(settings, "SELECT count(*) FROM audit_log WHERE entity_id='HOT' AND action='event:release'") \
        == accepted[201]  # fmt: skip
