"""The typed views say what the JSON holds: every answer's keys are its TypedDict's, nested views included.

A TypedDict is documentation to the JSON (it does not build it), so it can drift from the dict a service
writes. These tests walk real answers (the API's JSON for a screened shipment, a name, the lists, an import,
the simulations with their results, and the services' stored screening, economics, demo, simulation,
reminder, packet, database and calendar views) against their declared types: a key written but not
declared, or declared required but not written, fails here.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import types
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, NotRequired, Union, get_args, get_origin, get_type_hints

import pytest
from fastapi.testclient import TestClient
from typing_extensions import is_typeddict

from rigport.entrypoints.api.app import create_app
from rigport.services import (
    calendar,
    calendar_feed,
    db,
    demo,
    manifest,
    packet,
    reminders,
    screening,
    simulation,
    simulation_runs,
)
from rigport.services.auth import create_token, set_user
from rigport.services.economics import EconomicsReport, EconomicsRequest, run_economics
from rigport.services.simulation_views import Comparison, ReportSummary, SimulationReport
from rigport.settings import Settings
from tests.helpers import run_cli
from tests.helpers.records import screened_shipment
from tests.reminders.conftest import seize


def _shape_errors(value: Any, annotation: Any, where: str) -> Iterator[str]:
    """Where `value` has keys its TypedDict does not declare, or lacks required ones (lists and unions walked)."""
    if is_typeddict(annotation):
        if not isinstance(value, dict):
            yield f"{where}: expected an object, got {type(value).__name__}"
            return
        hints = get_type_hints(annotation, include_extras=True)
        # with `from __future__ import annotations` `__required_keys__` misses NotRequired: read the hints
        optional = {k for k, h in hints.items() if get_origin(h) is NotRequired}
        hints = {k: get_args(h)[0] if k in optional else h for k, h in hints.items()}
        extra = sorted(set(value) - set(hints))
        missing = sorted(set(hints) - optional - set(value))
        if extra or missing:
            yield f"{where}: undeclared {extra}, missing {missing}"
        for key in set(value) & set(hints):
            yield from _shape_errors(value[key], hints[key], f"{where}.{key}")
    elif get_origin(annotation) is list and isinstance(value, list):
        for i, item in enumerate(value):
            yield from _shape_errors(item, get_args(annotation)[0], f"{where}[{i}]")
    elif get_origin(annotation) in (Union, types.UnionType) and value is not None:
        # one of the views (or lists of views) in the union must fit; if none does, say how the first one fails
        walked = [a for a in get_args(annotation) if is_typeddict(a) or get_origin(a) is list]
        tries = [list(_shape_errors(value, a, where)) for a in walked]
        if tries and all(tries):
            yield from tries[0]


def shape_errors(value: Any, annotation: Any) -> list[str]:
    return list(_shape_errors(value, annotation, "$"))


def test_the_checker_finds_an_undeclared_and_a_missing_key() -> None:
    row = {"name": "n", "list": "csl", "entry_id": "1"}
    assert shape_errors({"new_hits": [row], "cleared_hits": []}, screening.Rescreen) == []
    assert shape_errors({"new_hits": [{**row, "x": 1}], "cleared_hits": []}, screening.Rescreen) == [
        "$.new_hits[0]: undeclared ['x'], missing []"
    ]
    assert shape_errors({"new_hits": []}, screening.Rescreen) == ["$: undeclared [], missing ['cleared_hits']"]


@pytest.fixture
def api(isolated_data_dir: Path) -> Iterator[tuple[TestClient, dict[str, str], Settings]]:
    settings = Settings(data_dir=isolated_data_dir)
    token, _ = create_token("operator", settings=settings)
    with TestClient(create_app(settings)) as client:
        yield client, {"Authorization": f"Bearer {token}"}, settings


def test_screening_answers_are_their_views(api: tuple[TestClient, dict[str, str], Settings]) -> None:
    client, auth, settings = api
    screened_shipment(settings)
    name = client.post("/api/v1/screen", json={"name": "Huawei Technologies Co., Ltd."}, headers=auth)
    shipment = client.post("/api/v1/shipments/SCR-1/screen", json={}, headers=auth)
    lists = client.get("/api/v1/lists", headers=auth)
    assert name.status_code == shipment.status_code == lists.status_code == 200
    assert name.json()["matches"] and shipment.json()["hits"] > 0  # the rows walked below are there
    assert shape_errors(name.json(), screening.ScreenReport) == []
    assert shape_errors(shipment.json(), screening.ShipmentScreening) == []
    assert shape_errors(lists.json(), screening.ListStatus) == []
    assert all("bundled" in v for v in lists.json()["lists"])
    stored = screening.latest_shipment_screening("SCR-1", settings)  # the dashboard's view of the stored run
    assert stored is not None and stored["hits"] == shipment.json()["hits"]
    assert shape_errors(stored, screening.StoredScreening) == []


def test_a_reviewed_match_carries_its_review(api: tuple[TestClient, dict[str, str], Settings]) -> None:
    client, auth, settings = api
    first = screening.screen_name("Huawei Technologies Co., Ltd.", settings=settings)["matches"][0]
    screening.mark_false_positives("Huawei Technologies Co., Ltd.", first["list"], first["entry_ids"], "other firm",
                                   reviewer="tester", settings=settings)  # fmt: skip
    report = client.post("/api/v1/screen", json={"name": "Huawei Technologies Co., Ltd."}, headers=auth).json()
    (dismissed,) = [m for m in report["dismissed"] if m["entry_ids"] == first["entry_ids"]]
    assert dismissed["review"]["status"] == "false_positive" and dismissed["review"]["reviewer"] == "tester"
    assert shape_errors(report, screening.ScreenReport) == []


def test_import_answer_is_its_view(api: tuple[TestClient, dict[str, str], Settings]) -> None:
    client, auth, settings = api
    screened_shipment(settings)
    csv = b"line,model,quantity,unit_value,hts_code,origin,serials\n2,antminer-s21,2,3400,8471.50.0150,CN,A-1;A-2\n"
    answer = client.post("/api/v1/import", files={"file": ("m.csv", csv)}, data={"shipment": "SCR-1"}, headers=auth)
    assert answer.status_code == 201, answer.text
    expected = {"shipment": "SCR-1", "client": "Default", "source": "m.csv", "lines": 1, "units": 2,
                "value_usd": 6800.0, "shipment_total_units": 10, "units_match_shipment": False}  # fmt: skip
    assert answer.json() == expected
    assert shape_errors(answer.json(), manifest.ManifestImported) == []


def test_economics_and_demo_views(isolated_data_dir: Path) -> None:
    settings = Settings(data_dir=isolated_data_dir)
    report = run_economics(EconomicsRequest("antminer-s21", 10, Decimal("0.06"), hold_days=30), settings)
    assert shape_errors(report, EconomicsReport) == []
    assert report["hold_cost_usd"] == report["hold_cost_breakdown"].shipment_total_usd
    seeded = demo.seed(settings, today=dt.date(2026, 12, 7))
    assert shape_errors(seeded, demo.DemoSeeded) == []
    assert seeded["units"] == 10_000 and seeded["declared_value_usd"] == Decimal("32860000")
    assert demo.seed(settings)["skipped"] == seeded["created"]  # idempotent


def _finished(client: TestClient, auth: dict[str, str], run_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run: dict[str, Any] = client.get(f"/api/v1/simulations/{run_id}", headers=auth).json()
        if run["status"] in ("succeeded", "failed"):
            return run
        time.sleep(0.05)
    raise AssertionError(f"simulation {run_id} did not finish")


def test_simulation_answers_are_their_views(api: tuple[TestClient, dict[str, str], Settings]) -> None:
    client, auth, _ = api
    body = {"model": "antminer-s21", "units": 5, "paths": 200, "days": 30, "seed": 3, "fit_holds": True}
    started = client.post("/api/v1/simulations", json=body, headers=auth)
    assert started.status_code == 202, started.text
    assert shape_errors(started.json(), simulation_runs.SimulationRun) == []
    run = _finished(client, auth, started.json()["id"])
    assert run["status"] == "succeeded", run["error"]
    assert run["result"]["hold"]["fit"]["fitted"] is False  # the fit is walked too: no holds on record
    assert shape_errors(run, simulation_runs.SimulationRun) == []  # its params and its result, nested
    listed = client.get("/api/v1/simulations", headers=auth).json()
    assert [r["id"] for r in listed] == [run["id"]] and "summary" in listed[0]
    assert shape_errors(listed, list[simulation_runs.SimulationRun]) == []


def test_simulation_service_views(isolated_data_dir: Path) -> None:
    settings = Settings(data_dir=isolated_data_dir)
    report = simulation.simulate_model("antminer-s21", 5, None, 0.06, 200, 30, 1, settings=settings)
    assert report["paths"] == 200 and report["chunks"] == 1
    assert shape_errors(report, SimulationReport) == []
    options = [{"name": "a", "model": "antminer-s21", "units": 5}, {"name": "b", "model": "antminer-s21", "units": 9}]
    compared = simulation.compare_options(options, 200, 30, 0.06, 1, "test", settings)
    assert {o["name"] for o in compared["options"]} == {"a", "b"} and compared["options"][0]["beats"]
    assert shape_errors(compared, Comparison) == []
    cli = run_cli("simulate", "--model", "antminer-s21", "--units", "5", "--power-price", "0.06", "--paths", "200",
                  "--days", "30", "--seed", "1", "--json")  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    shown = json.loads(cli.stdout)
    assert shown.pop("fan_chart_days") == 30 and shown["npv_usd"] == pytest.approx(report["npv_usd"])
    assert shape_errors(shown, ReportSummary) == []  # the report less its fan chart and histogram


def test_reminder_views(isolated_data_dir: Path) -> None:
    """A seized shipment's petition is due in 3 days: reminders are decided, the webhook refuses, and every
    answer of `rigport notify` keeps its view's keys (the secret only when one was made)."""
    settings = Settings(data_dir=isolated_data_dir)
    today = dt.date.today()
    screened_shipment(settings)
    seize(settings, "SCR-1", today - dt.timedelta(days=30))
    hook = reminders.add_recipient("ops-hook", "webhook", "http://127.0.0.1:9/hook", digest=True, settings=settings)
    mail = reminders.add_recipient("ops-mail", "email", "ops@example.com", settings=settings)
    assert hook["secret"] and "secret" not in mail
    assert shape_errors(hook, reminders.RecipientAdded) == [] and shape_errors(mail, reminders.RecipientAdded) == []
    assert shape_errors(reminders.list_recipients(settings), list[reminders.RecipientView]) == []
    dry = reminders.run(settings, today, dry_run=True)
    assert dry["new"] and shape_errors(dry, reminders.NotifyRun) == []
    ran = reminders.run(settings, today)
    assert ran["queued"] == len(dry["new"]) and ran["failed"] > 0  # nothing listens on port 9
    assert shape_errors(ran, reminders.NotifyRun) == []
    book = reminders.status(settings)
    assert book["failing"] and book["recent"] and len(book["recipients"]) == 2
    assert shape_errors(book, reminders.ReminderStatus) == []
    updated = reminders.update_recipient("ops-mail", before="5", settings=settings)
    assert updated["before"] == [5] and shape_errors(updated, reminders.RecipientView) == []
    removed = reminders.remove_recipient("ops-hook", settings=settings)
    assert removed["cancelled"] > 0 and shape_errors(removed, reminders.RecipientRemoved) == []


def test_packet_views(api: tuple[TestClient, dict[str, str], Settings]) -> None:
    """The packet's data, live screening then a stored run, with the petition worksheet of a seized shipment."""
    client, auth, settings = api
    screened_shipment(settings)
    seize(settings, "SCR-1", dt.date.today() - dt.timedelta(days=30))
    live = packet.packet_data("SCR-1", settings)
    assert live["petition"] is not None and live["screening"]["stored"] is False
    assert any(s["matches"] for s in live["screening"]["subjects"]) and live["landed_cost"]["groups"]
    assert shape_errors(live, packet.PacketData) == []
    assert client.post("/api/v1/shipments/SCR-1/screen", json={}, headers=auth).status_code == 200
    stored = packet.packet_data("SCR-1", settings)
    assert stored["screening"]["stored"] is True and any(s["matches"] for s in stored["screening"]["subjects"])
    assert shape_errors(stored, packet.PacketData) == []
    assert shape_errors(packet.landed_cost_for(stored["shipment"]), packet.PacketLandedCost) == []


def test_database_and_calendar_views(isolated_data_dir: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=isolated_data_dir)
    assert shape_errors(db.upgrade(settings), db.Upgraded) == []
    screened_shipment(settings)
    written = db.backup(tmp_path / "b.sqlite", settings)
    assert written["bytes"] > 0 and shape_errors(written, db.BackupWritten) == []
    restored = db.restore(tmp_path / "b.sqlite", settings)
    assert restored["restored_from"] == str(tmp_path / "b.sqlite") and shape_errors(restored, db.Restored) == []
    exported = calendar.export_calendar(tmp_path / "d.ics", settings=settings)
    assert exported["events"] > 0 and shape_errors(exported, calendar.CalendarExported) == []
    set_user("cal", "a long enough password", "viewer", settings)
    made = calendar_feed.calendar_url("cal", settings=settings)
    again = calendar_feed.calendar_url("cal", settings=settings)
    assert made["url"] and again["url"] is None and again["note"]
    assert shape_errors(made, calendar_feed.CalendarUrl) == [] and shape_errors(again, calendar_feed.CalendarUrl) == []
