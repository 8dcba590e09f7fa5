"""The typed views say what the JSON holds: every answer's keys are its TypedDict's, nested views included.

A TypedDict is documentation to the JSON (it does not build it), so it can drift from the dict a service
writes. These tests walk real answers (the API's JSON for a screened shipment, a name, the lists, an import,
and the services' stored screening, economics and demo views) against their declared types: a key written but
not declared, or declared required but not written, fails here.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, NotRequired, Union, get_args, get_origin, get_type_hints

import pytest
from fastapi.testclient import TestClient
from typing_extensions import is_typeddict

from rigport.entrypoints.api.app import create_app
from rigport.services import demo, manifest, screening
from rigport.services.auth import create_token
from rigport.services.economics import EconomicsReport, EconomicsRequest, run_economics
from rigport.settings import Settings
from tests.helpers.records import screened_shipment


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
        typed = [a for a in get_args(annotation) if is_typeddict(a)]
        if typed:
            yield from _shape_errors(value, typed[0], where)


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
