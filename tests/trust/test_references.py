"""Shipment references: one alphabet, one normal form (issue #26, item 8). On SQLite and PostgreSQL.

NFKC, trimmed, upper case; letters A-Z, digits and "-", "_", "." between them; 1-64 characters. Anything
else is 422 (API) or exit 2 (CLI) and stores nothing; two spellings of one reference are one shipment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from rigport.adapters.db.engine import get_engine
from rigport.entrypoints.api.app import create_app
from rigport.services.auth import create_token
from rigport.settings import Settings
from tests.helpers import run_cli
from tests.trust.support import env_for

BODY = {"mode": "air", "port": "Detroit", "arrival_date": "2025-02-01", "total_units": 10,
        "declared_value_usd": "1.00"}  # fmt: skip
REFUSED = ["A/B", "A\\B", "AB\x00", "AB\x00C", "AB\u200bC", "\u200bAB", "AB\u2060", "AB\tC", "AB\nC", "AB C",
           "AB\u202e",
           "-AB", "AB-", ".AB", "A" * 65, "", "   ", "AB?x=1", "AB#1", "AB%2F", "É1", "ΑΒ1"]  # fmt: skip
SAME = ["ab-1", " AB-1", "AB-1\n", "\tab-1 ", "ＡＢ－１", "Ab-1"]


@pytest.fixture
def api(db_settings: Settings) -> Iterator[tuple[TestClient, dict[str, str], Settings]]:
    client = TestClient(create_app(db_settings), raise_server_exceptions=False)
    token, _ = create_token("operator", settings=db_settings)
    yield client, {"Authorization": f"Bearer {token}"}, db_settings


def stored(settings: Settings) -> list[str]:
    with get_engine(settings).connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT reference FROM shipments ORDER BY id"))]


def test_references_outside_the_alphabet_are_refused(api: Any) -> None:
    client, headers, settings = api
    for reference in REFUSED:
        response = client.post("/api/v1/shipments", json={**BODY, "reference": reference}, headers=headers)
        assert response.status_code == 422, (reference, response.status_code, response.text)
        assert "reference" in response.json()["detail"]
    assert stored(settings) == []


def test_spellings_of_one_reference_are_one_shipment(api: Any) -> None:
    client, headers, settings = api
    created = client.post("/api/v1/shipments", json={**BODY, "reference": " ab-1\t"}, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["reference"] == "AB-1"
    for spelling in SAME:
        again = client.post("/api/v1/shipments", json={**BODY, "reference": spelling}, headers=headers)
        assert again.status_code == 409, (spelling, again.text)
    assert stored(settings) == ["AB-1"]
    for path in ("ab-1", "AB-1", "Ab-1"):  # every route finds it whichever case is typed
        assert client.get(f"/api/v1/shipments/{path}", headers=headers).json()["reference"] == "AB-1"
        assert client.get(f"/api/v1/shipments/{path}/deadlines", headers=headers).status_code == 200
    event = client.post("/api/v1/shipments/ab-1/events", json={"event": "entry-filed", "date": "2025-02-02"},
                        headers=headers)  # fmt: skip
    assert event.status_code == 201 and event.json()["reference"] == "AB-1"


def test_a_reference_with_dots_and_underscores_is_reachable(api: Any) -> None:
    client, headers, _ = api
    assert client.post("/api/v1/shipments", json={**BODY, "reference": "po_2025.07-a"},
                       headers=headers).status_code == 201  # fmt: skip
    assert client.get("/api/v1/shipments/PO_2025.07-A", headers=headers).status_code == 200


@pytest.mark.parametrize("reference", ["A/B", "AB C"])
def test_cli_refuses_with_exit_2(db_settings: Settings, reference: str) -> None:
    result = run_cli("shipments", "create", reference, "--mode", "air", "--port", "Detroit", "--arrival",
                     "2025-02-01", "--units", "1", "--value", "1", env=env_for(db_settings.data_dir,
                                                                              db_settings.database_url))  # fmt: skip
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "reference" in result.stderr and "Traceback" not in result.stderr
    assert stored(db_settings) == []
