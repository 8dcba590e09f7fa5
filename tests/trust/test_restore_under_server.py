"""`rigport db restore` refuses while a `rigport serve` uses the database, and says so (issue #26, item 1).

Before, a restore under `rigport serve --workers 2` exited 0, and the workers, still holding the replaced
SQLite file open, answered 201 to writes that were never seen again. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from rigport.services.auth import create_token
from rigport.settings import Settings
from tests.pg import skip_or_fail
from tests.trust.support import cli, rigport_server, snapshot

BODY = {"mode": "air", "port": "Detroit", "arrival_date": "2025-02-01", "total_units": 10,
        "declared_value_usd": "1.00"}  # fmt: skip


@pytest.mark.parametrize("workers", [1, 2])
def test_restore_refuses_under_a_running_server(db_settings: Settings, tmp_path: Path, workers: int) -> None:
    settings = db_settings
    if settings.database_url and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        skip_or_fail("pg_dump/pg_restore not installed")
    token, _ = create_token("operator", settings=settings)
    headers = {"Authorization": f"Bearer {token}"}
    backup = tmp_path / "before.backup"
    with rigport_server(settings.data_dir, settings.database_url, workers=workers) as server:
        assert httpx.post(f"{server.url}/api/v1/shipments", json={**BODY, "reference": "OLD"},
                          headers=headers).status_code == 201  # fmt: skip
        assert cli(settings, "db", "backup", str(backup)).returncode == 0
        assert httpx.post(f"{server.url}/api/v1/shipments", json={**BODY, "reference": "NEW"},
                          headers=headers).status_code == 201  # fmt: skip
        before = snapshot(settings)
        refused = cli(settings, "db", "restore", str(backup))
        assert refused.returncode == 1, (refused.stdout, refused.stderr)
        assert "rigport serve" in refused.stderr and "stop the server" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert snapshot(settings) == before  # nothing replaced
        for n in range(6):  # the server goes on writing to the one database there is
            assert httpx.post(f"{server.url}/api/v1/shipments", json={**BODY, "reference": f"AFTER{n}"},
                              headers=headers).status_code == 201  # fmt: skip
        listed = {s["reference"] for s in httpx.get(f"{server.url}/api/v1/shipments", headers=headers).json()}
    assert {"OLD", "NEW", "AFTER5"} <= listed
    stored = {row[1] for row in snapshot(settings)["shipments"]}
    assert {"OLD", "NEW", "AFTER0", "AFTER5"} <= stored  # every acknowledged write is in the database
    restored = cli(settings, "db", "restore", str(backup))  # with the server stopped, the restore runs
    assert restored.returncode == 0, restored.stderr
    assert {row[1] for row in snapshot(settings)["shipments"]} == {"OLD"}
