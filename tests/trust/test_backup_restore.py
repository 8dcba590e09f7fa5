"""Backup and restore through the real CLI on SQLite and PostgreSQL (tests/services covers the service
round trip): every table comes back exactly, a backup taken while the server writes is consistent, and
damaged or foreign files are refused with exit 2 and a clear message, leaving the database untouched.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import httpx
import pytest

from rigport.services import db, manifest, shipments
from rigport.services.auth import create_token
from rigport.settings import Settings
from tests.helpers.records import make
from tests.pg import skip_or_fail
from tests.trust.support import cli, rigport_server, snapshot


@pytest.fixture
def needs_pg_tools(db_settings: Settings) -> None:
    if db_settings.database_url and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        skip_or_fail("pg_dump/pg_restore not installed")


@pytest.mark.usefixtures("needs_pg_tools")
def test_cli_round_trip_restores_every_row(db_settings: Settings, tmp_path: Path) -> None:
    settings = db_settings
    make(settings, "KEEP")
    shipments.record_event("KEEP", "entry-filed", shipments.dt.date(2025, 1, 5), "test", settings=settings)
    shipments.add_document("KEEP", "fcc_sdoc", "test", doc_reference="SDOC-1", settings=settings)
    create_token("viewer", settings=settings)
    before = snapshot(settings)
    backup = tmp_path / "rigport.backup"
    made = cli(settings, "db", "backup", str(backup), "--json")
    assert made.returncode == 0, made.stderr
    make(settings, "LATER")
    shipments.record_event("KEEP", "exam-presented", shipments.dt.date(2025, 1, 6), "test", settings=settings)
    assert snapshot(settings) != before
    restored = cli(settings, "db", "restore", str(backup), "--json")
    assert restored.returncode == 0, restored.stderr
    assert snapshot(settings) == before


@pytest.mark.usefixtures("needs_pg_tools")
def test_damaged_backups_are_refused_and_change_nothing(db_settings: Settings, tmp_path: Path) -> None:
    settings = db_settings
    make(settings, "SAFE")
    rows = "\n".join(f"{n},antminer-s21,1,3400,8543.70.9960,CN,SN{n:06d}" for n in range(1, 5001))
    manifest.import_manifest(f"line,model,quantity,unit_value,hts_code,origin,serials\n{rows}\n".encode(), "m.csv",
                             "SAFE", "test", settings)  # fmt: skip
    good = tmp_path / "good.backup"
    assert cli(settings, "db", "backup", str(good)).returncode == 0
    data = good.read_bytes()
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(data[: len(data) // 2])
    flipped = tmp_path / "flipped.backup"
    flipped.write_bytes(data[:100] + bytes(b ^ 0xFF for b in data[100:4096]) + data[4096:])
    tail = tmp_path / "tail.backup"  # header and table of contents intact, data damaged
    tail.write_bytes(data[: len(data) * 3 // 4] + b"\xff" * (len(data) - len(data) * 3 // 4))
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a backup\n")
    before = snapshot(settings)
    for bad in (truncated, flipped, tail, foreign, tmp_path / "missing.backup"):
        result = cli(settings, "db", "restore", str(bad))
        assert result.returncode == 2, (bad.name, result.returncode, result.stderr)
        assert "Traceback" not in result.stderr and bad.name in result.stderr
        assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1, result.stderr
        assert snapshot(settings) == before, bad.name


def test_online_sqlite_backup_while_the_server_writes(tmp_path: Path) -> None:
    """The SQLite online backup API gives a consistent copy while events are being written."""
    settings = Settings(data_dir=tmp_path / "data")
    token, _ = create_token("operator", settings=settings)
    headers = {"Authorization": f"Bearer {token}"}
    stop = threading.Event()
    with rigport_server(settings.data_dir) as server:
        body = {"reference": "LIVE", "mode": "air", "port": "Detroit", "arrival_date": "2025-02-01",
                "total_units": 100_000, "declared_value_usd": "1.00"}  # fmt: skip
        assert httpx.post(f"{server.url}/api/v1/shipments", json=body, headers=headers).status_code == 201
        httpx.post(f"{server.url}/api/v1/shipments/LIVE/events", headers=headers,
                   json={"event": "entry-filed", "date": "2025-02-02"})  # fmt: skip

        def write() -> None:
            with httpx.Client(timeout=30) as client:
                while not stop.is_set():
                    client.post(f"{server.url}/api/v1/shipments/LIVE/events", headers=headers,
                                json={"event": "release", "date": "2025-02-03", "quantity": 1})  # fmt: skip

        writer = threading.Thread(target=write)
        writer.start()
        try:
            backups = []
            for n in range(3):
                target = tmp_path / f"live-{n}.db"
                result = cli(settings, "db", "backup", str(target))
                assert result.returncode == 0, result.stderr
                backups.append(target)
        finally:
            stop.set()
            writer.join(30)
    for target in backups:
        copy = Settings(data_dir=tmp_path / f"check-{target.stem}")
        db.restore(target, copy)
        view = shipments.get_shipment("LIVE", copy)
        released = view["quantities"].get("RELEASED", 0)
        assert sum(view["quantities"].values()) == 100_000
        trail = shipments.audit_trail("LIVE", copy)
        assert sum(1 for a in trail if a["action"] == "event:release") == released
