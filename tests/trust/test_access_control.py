"""Access control: every /api route x {no token, viewer, operator, admin, revoked, expired} -> status.

The routes come from `app.routes`, so a route added later is covered without editing this file. Each
route's required role is read from its `require(role)` dependency and must meet the house policy
(reads need at least viewer, writes at least operator); then real requests prove the app enforces it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import text

from rigport.adapters.db.engine import get_engine
from rigport.entrypoints.api.app import create_app
from rigport.entrypoints.api.auth import RoleBearer
from rigport.services import auth
from rigport.services.auth import ROLE_RANK, create_token, revoke_token
from rigport.settings import Settings
from tests.helpers import fresh_database, run_cli

PUBLIC = {("GET", "/api/v1/health")}
# Reads that are POSTs because they take a body but store nothing: viewer may call them.
READ_POSTS = {("POST", "/api/v1/screen"), ("POST", "/api/v1/assess")}
SHIPMENT = {"reference": "AC-1", "mode": "air", "port": "Detroit", "arrival_date": "2025-02-01",
            "total_units": 10, "declared_value_usd": "34000.00"}  # fmt: skip
KINDS = ("none", "viewer", "operator", "admin", "revoked", "expired")


def declared_role(route: Any) -> str | None:
    """The role in the route's `require(role)` dependency (searched through nested dependencies)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        call = dep.call
        if isinstance(call, RoleBearer):
            return call.role
        stack.extend(dep.dependencies)
    return None


def flat_routes(routes: Iterable[Any]) -> Iterator[Any]:
    """Routes with their dependencies, through included routers (newer FastAPI nests them)."""
    for route in routes:
        if hasattr(route, "effective_candidates"):
            yield from flat_routes(route.effective_candidates())
        else:
            yield route


def api_routes(app: Any) -> list[tuple[str, str, Any]]:
    """(method, path, route) for every API operation; the dashboard (non-/api paths) is out of scope."""
    found = [
        (method, route.path, route)
        for route in flat_routes(app.routes)
        if (isinstance(route, APIRoute) or hasattr(route, "dependant")) and route.path.startswith("/api/")
        for method in route.methods
        if method not in ("HEAD", "OPTIONS")
    ]
    return sorted(found, key=lambda r: (r[1], r[0]))


def test_matrix_covers_every_operation_in_the_openapi(setup: tuple[TestClient, dict[str, str], Settings]) -> None:
    client, _, _ = setup
    spec = client.get("/openapi.json").json()
    in_spec = {(m.upper(), p) for p, ops in spec["paths"].items() if p.startswith("/api/") for m in ops}
    assert in_spec and in_spec <= {(m, p) for m, p, _ in api_routes(client.app)}


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], Settings]]:
    settings = Settings(data_dir=tmp_path)
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    tokens = {role: create_token(role, label=f"ac-{role}", settings=settings)[0] for role in ("viewer", "operator",
                                                                                              "admin")}  # fmt: skip
    revoked, record = create_token("admin", label="ac-revoked", settings=settings)
    revoke_token(record["id"], settings)
    tokens["revoked"] = revoked
    expired, record = create_token("admin", label="ac-expired", expires_in_days=1, settings=settings)
    with get_engine(settings).begin() as conn:
        conn.execute(text("UPDATE api_tokens SET expires_at = :t WHERE id = :id"),
                     {"t": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1), "id": record["id"]})  # fmt: skip
    tokens["expired"] = expired
    created = client.post("/api/v1/shipments", json=SHIPMENT, headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert created.status_code == 201, created.text
    yield client, tokens, settings


def concrete(path: str) -> str:
    """Fill path parameters: the stored shipment for {reference}, a plain word for anything else."""
    return re.sub(r"\{[^}]+\}", lambda m: "AC-1" if m.group(0) == "{reference}" else "x1", path)


def test_every_route_declares_a_role_that_meets_the_policy(setup: tuple[TestClient, dict[str, str], Settings]) -> None:
    client, _, _ = setup
    routes = api_routes(client.app)
    assert len(routes) >= 15  # the matrix really iterates the app
    for method, path, route in routes:
        role = declared_role(route)
        if (method, path) in PUBLIC:
            assert role is None, f"{method} {path} is public by design"
            continue
        assert role is not None, f"{method} {path} has no require(role) dependency: anyone could call it"
        minimum = "viewer" if method == "GET" or (method, path) in READ_POSTS else "operator"
        assert ROLE_RANK[role] >= ROLE_RANK[minimum], f"{method} {path} needs only {role}; policy is {minimum}+"


@pytest.mark.parametrize("kind", KINDS)
def test_access_matrix(setup: tuple[TestClient, dict[str, str], Settings], kind: str) -> None:
    """One row of the matrix: this kind of caller against every API route."""
    client, tokens, _ = setup
    headers = {} if kind == "none" else {"Authorization": f"Bearer {tokens[kind]}"}
    failures = []
    for method, path, route in api_routes(client.app):
        role = declared_role(route)
        response = client.request(method, concrete(path), headers=headers, json={} if method != "GET" else None)
        status = response.status_code
        if role is None:
            expected = "not 401/403"
            ok = status not in (401, 403) and status < 500
        elif kind in ("none", "revoked", "expired"):
            expected, ok = "401", status == 401 and response.headers.get("www-authenticate") == "Bearer"
        elif ROLE_RANK[kind] < ROLE_RANK[role]:
            expected, ok = "403", status == 403
        else:
            expected, ok = "allowed (not 401/403, not 5xx)", status not in (401, 403) and status < 500
        if status in (401, 403):
            ok = ok and response.headers["content-type"].startswith("application/problem+json")
        if not ok:
            failures.append(f"{kind} {method} {path}: expected {expected}, got {status} {response.text[:120]}")
    assert not failures, "\n".join(failures)


def test_malformed_authorization_headers_are_401(setup: tuple[TestClient, dict[str, str], Settings]) -> None:
    client, tokens, _ = setup
    for value in ("", "Bearer", "Bearer ", f"Basic {tokens['admin']}", f"Bearer {tokens['admin']}x",
                  f"Bearer {tokens['admin'][:-1]}", "Bearer rp_", "Bearer " + "A" * 10_000, f"Token {tokens['admin']}"):
        response = client.get("/api/v1/shipments", headers={"Authorization": value})
        assert response.status_code == 401, value[:40]


def test_tokens_stored_hashed_never_plaintext(setup: tuple[TestClient, dict[str, str], Settings]) -> None:
    """The database (tables, WAL and all) holds SHA-256 digests, never a token."""
    client, tokens, settings = setup
    with get_engine(settings).connect() as conn:
        stored = [tuple(str(v) for v in row) for row in conn.execute(text("SELECT * FROM api_tokens"))]
    hashes = {h for row in stored for h in row}
    for token in tokens.values():
        assert hashlib.sha256(token.encode()).hexdigest() in hashes
        assert not any(token in value for row in stored for value in row)
    raw = b"".join(p.read_bytes() for p in settings.data_dir.glob("rigport.db*"))
    for token in tokens.values():
        assert token.encode() not in raw
    with sqlite3.connect(settings.sqlite_path) as conn:
        dump = "\n".join(conn.iterdump())
    assert not any(token in dump for token in tokens.values())


def test_token_comparison_is_constant_time(setup: tuple[TestClient, dict[str, str], Settings],
                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """authenticate() compares digests with hmac.compare_digest (spied, not replaced)."""
    client, tokens, _ = setup
    calls: list[tuple[str, str]] = []
    original = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert client.get("/api/v1/shipments", headers={"Authorization": f"Bearer {tokens['viewer']}"}).status_code == 200
    assert calls and calls[-1][1] == hashlib.sha256(tokens["viewer"].encode()).hexdigest()


def test_revocation_takes_effect_on_the_next_request(setup: tuple[TestClient, dict[str, str], Settings]) -> None:
    client, _, settings = setup
    token, record = create_token("operator", settings=settings)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/shipments/AC-1", headers=headers).status_code == 200
    revoke_token(record["id"], settings)
    assert client.get("/api/v1/shipments/AC-1", headers=headers).status_code == 401
    assert client.post("/api/v1/shipments/AC-1/events", json={"event": "entry-filed", "date": "2025-02-02"},
                       headers=headers).status_code == 401  # fmt: skip


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_revocation_from_another_process_reaches_a_worker(
    request: pytest.FixtureRequest, tmp_path: Path, database: str
) -> None:
    """A worker keeps the tokens it has checked (store/notices.py); `rigport tokens revoke`, run elsewhere, must
    still lock the token out: on SQLite from the next request, on PostgreSQL once it has delivered the notice."""
    settings = fresh_database(request, database, tmp_path)
    token, record = create_token("operator", settings=settings)
    headers = {"Authorization": f"Bearer {token}"}
    env = {"RIGPORT_DATA_DIR": str(settings.data_dir), "RIGPORT_DATABASE_URL": str(settings.database_url or "")}
    # `with`: one event loop for every request, as in a server worker (else each request gets a new loop)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for _ in range(3):  # checked, then kept
            assert client.get("/api/v1/shipments", headers=headers).status_code == 200
        revoked = run_cli("tokens", "revoke", str(record["id"]), env=env)
        assert revoked.returncode == 0, revoked.stderr
        if database == "sqlite":  # the commit is on disk when the command ends; the next check sees it
            assert client.get("/api/v1/shipments", headers=headers).status_code == 401
            return
        start = time.monotonic()
        while (status := client.get("/api/v1/shipments", headers=headers).status_code) == 200:
            assert time.monotonic() - start < 1.0, "revoked token still accepted after 1 s"
        assert status == 401
