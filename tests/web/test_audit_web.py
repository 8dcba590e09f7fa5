"""The audit trail in the dashboard, the API and the terminal: filters in the URL, pages, roles."""

from __future__ import annotations

import datetime as dt
import json
import re

from fastapi.testclient import TestClient

from rigport.services import shipments
from rigport.services.auth import create_token
from rigport.settings import Settings
from tests.helpers import run_cli
from tests.helpers.web import sign_in


def _rows(html: str) -> list[tuple[str, str]]:
    found = re.findall(r'<tr data-audit="\d+">\s*<td[^>]*><time[^>]*>[^<]*</time></td>\s*<td data-label="Who">([^<]*)'
                       r'</td>\s*<td data-label="What">([^<]*)</td>', html)  # fmt: skip
    return found  # type: ignore[no-any-return]


def test_operators_filter_the_overall_trail_by_url(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    sign_in(client, settings)
    shipments.update_shipment("DEMO-SFO-S21", {"carrier": "Evergreen"}, "dana", settings=settings)
    page = client.get("/audit")
    assert page.status_code == 200 and 'id="audit-filters"' in page.text
    assert 'href="/audit"' in page.text  # in the navigation for operators
    assert "set-user" not in page.text  # the operator's own account entry: admins only
    mine = client.get("/audit", params={"actor": "dana"})
    assert _rows(mine.text) == [("dana", "update")]
    assert 'value="dana"' in mine.text and "1 entry" in mine.text
    assert "<dt>carrier</dt>" in mine.text and "<ins>Evergreen</ins>" in mine.text
    by_ref = client.get("/audit", params={"ref": "demo-sfo-s21", "action": "update"})
    assert _rows(by_ref.text) == [("dana", "update")]
    today = dt.datetime.now(dt.UTC).date()
    future = client.get("/audit", params={"since": str(today + dt.timedelta(days=1))})
    assert "No entry matches these filters." in future.text
    bad = client.get("/audit", params={"since": "07/12/2026"})
    assert bad.status_code == 422 and "since: expected a date YYYY-MM-DD" in bad.text


def test_pages_keep_the_filters(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    sign_in(client, settings)
    for n in range(60):
        shipments.update_shipment("DEMO-SFO-S21", {"carrier": f"C{n}"}, "erin", settings=settings)
    first = client.get("/audit", params={"actor": "erin"}).text
    assert len(_rows(first)) == 50 and "page 1 of 2" in first
    link = re.search(r'href="([^"]+)" rel="next"', first)
    assert link and link.group(1).replace("&amp;", "&") == "/audit?actor=erin&page=2"
    second = client.get(link.group(1).replace("&amp;", "&")).text
    assert len(_rows(second)) == 10 and 'rel="prev"' in second and 'rel="next"' not in second
    assert "<ins>C0</ins>" in second  # the oldest last


def test_a_shipments_trail_is_for_every_role_and_the_overall_one_is_not(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    sign_in(client, settings, "viewer")
    assert client.get("/audit").status_code == 403
    page = client.get("/shipments/DEMO-SFO-S21")
    assert 'id="shipment-audit"' in page.text and 'href="/shipments/DEMO-SFO-S21/audit"' in page.text
    trail = client.get("/shipments/DEMO-SFO-S21/audit")
    assert trail.status_code == 200
    rows = _rows(trail.text)
    assert rows[-2:] == [("demo-seed", "import-manifest"), ("demo-seed", "create")]  # oldest last
    assert client.get("/shipments/DEMO-SFO-S21/audit", params={"action": "create"}).text.count("data-audit=") == 1
    assert client.get("/shipments/NOPE/audit").status_code == 404
    client.cookies.clear()
    assert client.get("/shipments/DEMO-SFO-S21/audit", follow_redirects=False).status_code == 303


def test_admins_see_account_entries(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    sign_in(client, settings, "admin")
    assert "set-user" in client.get("/audit", params={"entity": "user"}).text


def test_the_api_and_the_terminal(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    tokens = {role: {"Authorization": f"Bearer {create_token(role, settings=settings)[0]}"}
              for role in ("viewer", "operator", "admin")}  # fmt: skip
    assert client.get("/api/v1/audit", headers=tokens["viewer"]).status_code == 403
    found = client.get("/api/v1/audit", params={"entity": "shipment", "per_page": 2}, headers=tokens["operator"])
    assert found.status_code == 200
    body = found.json()
    assert set(body) == {"entries", "total", "page", "pages", "per_page"} and len(body["entries"]) == 2
    assert {"id", "at", "actor", "action", "entity", "entity_id", "before", "after"} == set(body["entries"][0])
    assert client.get("/api/v1/audit", params={"entity": "token"}, headers=tokens["operator"]).status_code == 422
    tokens_seen = client.get("/api/v1/audit", params={"entity": "token"}, headers=tokens["admin"]).json()
    assert tokens_seen["total"] == 3


def test_the_cli_audit_command(isolated_data_dir: object) -> None:
    assert run_cli("demo", "--no-serve").returncode == 0
    done = run_cli("audit", "--entity", "shipment", "--ref", "demo-sfo-s21", "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["total"] >= 1 and {e["entity_id"] for e in body["entries"]} == {"DEMO-SFO-S21"}
    table = run_cli("audit", "--per-page", "2", env={"COLUMNS": "80"})
    assert table.returncode == 0 and "Audit trail:" in table.stdout and "--page 2" in table.stdout
    assert all(len(line) <= 80 for line in table.stdout.splitlines())
    bad = run_cli("audit", "--since", "yesterday")
    assert bad.returncode == 2 and bad.stderr.strip() == "error: --since: expected a date YYYY-MM-DD, got 'yesterday'"


def test_a_client_scoped_identity_reads_only_its_shipments_trails(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    owner = shipments.get_shipment("DEMO-SFO-S21", settings)["client"]
    token, _ = create_token("operator", settings=settings, clients=[owner])
    scoped = {"Authorization": f"Bearer {token}"}
    refused = client.get("/api/v1/audit", headers=scoped)
    assert refused.status_code == 403 and "limited to its clients" in refused.json()["detail"]
    own = client.get("/api/v1/shipments/DEMO-SFO-S21/audit", headers=scoped)
    assert own.status_code == 200 and own.json()
