"""Every bundled fact knows its date, source and horizon: `data status`, GET /api/v1/data, and the warnings that
economics, assess, simulate and the dashboard carry when they lean on a stale network snapshot."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fastapi.testclient import TestClient

from rigport.domain.chain.snapshot import NetworkSnapshot
from rigport.entrypoints.api.app import create_app
from rigport.entrypoints.cli.errors import worded_warning
from rigport.services.auth import create_token
from rigport.services.horizons import STALE_AFTER_DAYS, data_status, snapshot_warnings
from rigport.services.network import bundled_snapshot
from rigport.settings import Settings
from tests.helpers import run_cli

D = dt.date


def fresh_snapshot(data_dir: Path, as_of: dt.date) -> None:
    """A refreshed snapshot as `network refresh` stores it."""
    snap = NetworkSnapshot(900_000, 120e12, 90_000.0, 0.02, as_of, "test: stored by network refresh")
    (data_dir / "network_snapshot.json").write_text(json.dumps(snap.to_dict()), encoding="utf-8")


def test_snapshot_warning_after_thirty_days_only() -> None:
    """Issue 24: a snapshot older than 30 days is said so, with how to refresh; one inside 30 days is not."""
    snap = bundled_snapshot()
    assert snapshot_warnings(snap, snap.as_of + dt.timedelta(days=STALE_AFTER_DAYS)) == []
    (warning,) = snapshot_warnings(snap, D(2026, 12, 7))
    assert "2025-02-15 is 660 days old" in warning and "rigport network refresh" in warning


def test_data_status_lists_every_dataset_with_date_horizon_source_and_age(isolated_data_dir: Path) -> None:
    status = data_status(Settings(data_dir=isolated_data_dir), today=D(2026, 12, 7))
    by_name = {d["dataset"]: d for d in status["datasets"]}
    assert {"tariffs", "clocks", "catalog_prices", "network_snapshot"} <= set(by_name)
    assert any(name.startswith("list:") for name in by_name)
    tariffs = by_name["tariffs"]
    assert tariffs["verified_through"] == D(2026, 12, 7) and tariffs["age_days"] == 0 and not tariffs["stale"]
    assert "mpf rows verified through 2026-09-30" in tariffs["note"]
    snapshot = by_name["network_snapshot"]
    assert snapshot["as_of"] == D(2025, 2, 15) and snapshot["age_days"] == 660 and snapshot["stale"]
    assert "mempool.space" in snapshot["source"]
    assert any(w.startswith("network_snapshot: as of 2025-02-15") for w in status["warnings"])
    later = data_status(Settings(data_dir=isolated_data_dir), today=D(2027, 1, 4))
    assert {d["dataset"]: d for d in later["datasets"]}["tariffs"]["stale"]


def test_data_status_cli_and_api(isolated_data_dir: Path) -> None:
    done = run_cli("data", "status", "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert {"as_of", "stale_after_days", "datasets", "warnings"} <= body.keys()
    settings = Settings(data_dir=isolated_data_dir)
    client = TestClient(create_app(settings))
    assert client.get("/api/v1/data").status_code == 401
    token, _ = create_token("viewer", settings=settings)
    answer = client.get("/api/v1/data", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert [d["dataset"] for d in answer.json()["datasets"]] == [d["dataset"] for d in body["datasets"]]


def test_economics_warns_on_a_stale_snapshot_and_not_on_a_fresh_one(isolated_data_dir: Path) -> None:
    args = ["economics", "antminer-s21", "--units", "10", "--power-price", "0.06", "--unit-price", "3000", "--json"]
    stale = json.loads(run_cli(*args).stdout)
    assert any("network snapshot of 2025-02-15" in w for w in stale["warnings"])
    given = json.loads(run_cli(*args, "--difficulty", "120e12", "--price", "90000", "--fees-btc", "0.02").stdout)
    assert given["warnings"] == []  # nothing came from the snapshot
    fresh_snapshot(isolated_data_dir, dt.date.today())
    assert json.loads(run_cli(*args).stdout)["warnings"] == []
    table = run_cli(*args[:-1], env={"COLUMNS": "200"})
    assert table.returncode == 0 and "warning" not in table.stderr


def test_simulate_and_assess_carry_the_snapshot_warning(isolated_data_dir: Path) -> None:
    sim = run_cli("simulate", "--model", "antminer-s21", "--units", "10", "--unit-price", "3000", "--power-price",
                  "0.05", "--paths", "200", "--days", "30", "--seed", "3", "--json")  # fmt: skip
    assert sim.returncode == 0, sim.stderr
    assert any("rigport network refresh" in w for w in json.loads(sim.stdout)["warnings"])
    manifest = isolated_data_dir / "m.csv"
    manifest.write_text("line,model,quantity,unit_value,hts_code,origin\n1,antminer-s21,10,3400,8543.70.9860,CN\n")
    assess = run_cli("assess", "--manifest", str(manifest), "--json")
    assert assess.returncode == 0, assess.stderr
    assert any("network snapshot" in w for w in json.loads(assess.stdout)["warnings"])
    shown = run_cli("assess", "--manifest", str(manifest), env={"COLUMNS": "200"})
    assert "warning:" in shown.stderr and "network refresh" in shown.stderr


def test_landed_cost_cli_prints_the_mpf_warning_visibly() -> None:
    """CBP Dec. 25-10 (90 FR 34665) is the last MPF notice found: an entry on 2026-12-01 says FY2027 is missing."""
    done = run_cli("landed-cost", "--model", "antminer-s21", "--units", "10", "--unit-value", "3000", "--origin",
                   "MY", "--entry-date", "2026-12-01", "--mode", "air", env={"COLUMNS": "200"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "warning:" in done.stderr and "rates after 2026-09-30 are not tabulated" in done.stderr


def test_a_warning_names_fields_and_the_terminal_says_flags(isolated_data_dir: Path) -> None:
    """The service words the inputs that avoid a warning as fields (the API shows that); the CLI says its flags."""
    (json_warning, catalog_warning) = json.loads(
        run_cli("economics", "antminer-s21", "--units", "10", "--power-price", "0.06", "--json").stdout
    )["warnings"]
    assert json_warning.endswith("(or give difficulty, price_usd and fees_btc_per_block)")
    assert catalog_warning.endswith("give the price you pay (unit_price_usd)") and "--" not in catalog_warning
    shown = run_cli("economics", "antminer-s21", "--units", "10", "--power-price", "0.06", env={"COLUMNS": "400"})
    assert shown.returncode == 0, shown.stderr
    said = " ".join(shown.stderr.split())  # the terminal wraps long warnings
    assert "(or give --difficulty, --price and --fees-btc)" in said and "(--unit-price)" in said
    assert "price_usd" not in said


def test_worded_warning_maps_only_a_list_of_known_fields() -> None:
    assert worded_warning("x (unit_price_usd)") == "x (--unit-price)"
    assert worded_warning("x (or give difficulty and price_usd)") == "x (or give --difficulty and --price)"
    assert worded_warning("x (online) or (more than 30)") == "x (online) or (more than 30)"
    assert worded_warning("x (difficulty and colour)") == "x (difficulty and colour)"  # one unknown: left as is
