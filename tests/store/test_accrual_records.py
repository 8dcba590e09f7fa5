"""Issue #25: cost already incurred comes from the event history and never falls when units are released.

Same figures through the service, the portfolio, the API, the CLI and the packet, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rigport.api.app import create_app
from rigport.services import manifest
from rigport.services import shipments as svc
from rigport.services.auth import create_token
from rigport.services.packet import packet_data
from rigport.services.portfolio import portfolio
from rigport.settings import Settings
from tests.conftest import fresh_database, run_cli

TODAY = dt.date.today()


def held_71_days(settings: Settings, ref: str = "DTW-1") -> None:
    """1,000 units at $2 storage, detained 71 days ago (arrived 81 days ago)."""
    arrival = TODAY - dt.timedelta(days=81)
    draft = svc.ShipmentDraft(ref, "air", "Detroit", arrival, 1000, Decimal("3000000"),
                              storage_usd_per_unit_day=Decimal("2.00"))  # fmt: skip
    svc.create_shipment(draft, "tester", settings)
    lines = "line,model,quantity,unit_value,hts_code,origin\n1,antminer-s21,1000,3000,8543.70.9960,CN\n"
    manifest.import_manifest(lines.encode(), "invoice.csv", ref, "tester", settings)
    for event, after in (("entry-filed", 2), ("exam-presented", 5), ("detention", 10)):
        svc.record_event(ref, event, arrival + dt.timedelta(days=after), "tester", settings=settings)


def test_releasing_units_keeps_cost_to_date_and_storage(settings: Settings) -> None:
    held_71_days(settings)
    before = svc.get_shipment("DTW-1", settings, TODAY)["cost_of_delay"]
    assert before["held_unit_days"] == 71_000 and before["days_held"] == 71
    assert before["storage_accrued_usd"] == Decimal("162000.00")  # 1,000 units x 81 days x $2, from arrival
    after = svc.record_event("DTW-1", "release", TODAY, "tester", quantity=100, settings=settings)["cost_of_delay"]
    assert after["cost_to_date_usd"] == before["cost_to_date_usd"] > before["storage_accrued_usd"]
    assert after["storage_accrued_usd"] == before["storage_accrued_usd"]
    assert after["held_units"] == 900
    # the cost per further day falls by the released units' share
    assert after["cost_per_day_usd"] == (before["cost_per_day_usd"] * Decimal("0.9")).quantize(Decimal("0.01"))
    # ten days on, only the 900 still held add to it
    later = svc.get_shipment("DTW-1", settings, TODAY + dt.timedelta(days=10))["cost_of_delay"]
    assert later["held_unit_days"] == 71_000 + 9_000
    assert later["storage_accrued_usd"] == Decimal("162000.00") + Decimal("18000.00")
    assert later["cost_to_date_usd"] == after["cost_to_date_usd"] + 10 * after["cost_per_day_usd"]


def test_portfolio_and_packet_show_the_shipment_figures(settings: Settings) -> None:
    held_71_days(settings)
    svc.record_event("DTW-1", "release", TODAY, "tester", quantity=100, settings=settings)
    cost = svc.get_shipment("DTW-1", settings, TODAY)["cost_of_delay"]
    book = portfolio(settings, TODAY)
    assert book["cost_to_date_usd"] == cost["cost_to_date_usd"]
    assert book["storage_accrued_usd"] == cost["storage_accrued_usd"]
    row = book["cost_by_shipment"][0]
    assert (row["cost_to_date_usd"], row["cost_per_day_usd"]) == (cost["cost_to_date_usd"], cost["cost_per_day_usd"])
    packet = packet_data("DTW-1", settings, TODAY)
    assert packet["shipment"]["cost_of_delay"]["cost_to_date_usd"] == cost["cost_to_date_usd"]


def test_api_and_cli_show_the_same_figures(request: pytest.FixtureRequest, isolated_data_dir: Path) -> None:
    """SQLite only: the CLI runs as a user would, in a subprocess, on the same data directory."""
    settings = fresh_database(request, "sqlite", isolated_data_dir)
    held_71_days(settings)
    svc.record_event("DTW-1", "release", TODAY, "tester", quantity=100, settings=settings)
    cost = svc.get_shipment("DTW-1", settings, TODAY)["cost_of_delay"]
    client = TestClient(create_app(settings))
    auth = {"Authorization": f"Bearer {create_token('viewer', settings=settings)[0]}"}
    api = client.get("/api/v1/shipments/DTW-1", headers=auth).json()["cost_of_delay"]
    book = client.get("/api/v1/portfolio", headers=auth).json()
    out = run_cli("shipments", "show", "DTW-1", "--json")
    assert out.returncode == 0, out.stderr
    cli = json.loads(out.stdout)["cost_of_delay"]
    for name in ("cost_to_date_usd", "storage_accrued_usd", "cost_per_day_usd"):
        assert Decimal(str(api[name])) == Decimal(str(cli[name])) == cost[name], name
    assert Decimal(str(book["cost_to_date_usd"])) == cost["cost_to_date_usd"]
