"""Backup/restore round trip, corrupted backups refused, and the CLI as a user drives it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from rigport.errors import InputError
from rigport.services import db, shipments
from rigport.settings import Settings
from tests.helpers import run_cli
from tests.helpers.records import make
from tests.pg import skip_or_fail


def test_backup_restore_round_trip(settings: Settings, tmp_path: Path) -> None:
    if settings.database_url and not shutil.which("pg_dump"):
        skip_or_fail("pg_dump not installed")
    make(settings, "KEEP")
    backup = tmp_path / "backup.db"
    db.backup(backup, settings)
    make(settings, "LATER")
    db.restore(backup, settings)
    refs = {s["reference"] for s in shipments.list_shipments(settings=settings)}
    assert refs == {"KEEP"}


def test_corrupted_sqlite_backup_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    make(settings, "SAFE")
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00garbage" * 100)
    with pytest.raises(InputError, match="refusing to restore"):
        db.restore(bad, settings)
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("hello")
    with pytest.raises(InputError, match="not a SQLite database"):
        db.restore(not_sqlite, settings)
    assert [s["reference"] for s in shipments.list_shipments(settings=settings)] == ["SAFE"]


def test_cli_flow_demo_list_event_import(tmp_path: Path) -> None:
    assert run_cli("demo", "--no-serve").returncode == 0
    again = run_cli("demo", "--no-serve", "--json")
    assert json.loads(again.stdout)["created"] == []  # idempotent
    rows = json.loads(run_cli("shipments", "list", "--json").stdout)
    assert len(rows) == 6 and sum(r["total_units"] for r in rows) == 10_000
    assert sum(float(r["declared_value_usd"]) for r in rows) > 5_000_000
    states = {s for r in rows for s in r["quantities"]}
    assert {"RELEASED", "DETAINED", "SEIZED", "PETITIONED"} <= states
    detained = [r for r in rows if "DETAINED" in r["quantities"]][0]["reference"]
    today = dt.date.today().isoformat()  # a future date is refused (issue #25)
    result = run_cli("shipments", "event", detained, "release", "--date", today, "--quantity", "10", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["quantities"]["RELEASED"] == 10
    refused = run_cli("shipments", "event", detained, "entry-filed", "--date", today)
    assert refused.returncode == 1 and "not allowed" in refused.stderr and "Traceback" not in refused.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("line,model,quantity,unit_value,hts_code,origin\n901,antminer-s21,-3,1,8543.70.9960,CN\n")
    result = run_cli("import", "manifest", str(bad), "--shipment", detained)
    assert result.returncode == 2 and "row 2, column quantity" in result.stderr
