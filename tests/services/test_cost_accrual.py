"""Issue #25: cost already incurred comes from the event history and never falls when units are released.

Same figures through the service, the portfolio, the API, the CLI and the packet, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from rigport.domain.customs.lifecycle import TRANSITIONS
from rigport.entrypoints.api.app import create_app
from rigport.services import manifest
from rigport.services import shipments as svc
from rigport.services.auth import create_token
from rigport.services.packet import packet_data
from rigport.services.portfolio import portfolio
from rigport.settings import Settings
from tests.helpers import fresh_database, run_cli

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


@st.composite
def _steps(draw: st.DrawFn) -> list[tuple[int, int, int]]:
    """(which allowed event, days after the previous one, share of the source units in percent), resolved
    against the record as it stands, so every step is an event the record allows."""
    return draw(st.lists(st.tuples(st.integers(0, 99), st.integers(0, 20), st.integers(1, 100)),
                         min_size=1, max_size=8))  # fmt: skip


_counter = itertools.count()


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_steps())
def test_recorded_events_never_lower_what_was_incurred(steps: list[tuple[int, int, int]], tmp_path: Path) -> None:
    """Through the service and the database: after each event allowed by the record, the figures as of the
    event's date are at least those shown before it; the shipment's figures are the portfolio's."""
    settings = Settings(data_dir=tmp_path)
    ref = f"P-{next(_counter)}"
    arrival = TODAY - dt.timedelta(days=200)
    svc.create_shipment(svc.ShipmentDraft(ref, "vessel", "Oakland", arrival, 40, Decimal("120000"),
                                          storage_usd_per_unit_day=Decimal("1.50")), "p", settings)  # fmt: skip
    lines = "line,model,quantity,unit_value,hts_code,origin\n1,antminer-s21,40,3000,8543.70.9960,CN\n"
    manifest.import_manifest(lines.encode(), "invoice.csv", ref, "p", settings)  # a model: margin forgone > 0
    on, shown, recorded = arrival, (Decimal(0), Decimal(0)), 0
    for event, after in (("entry-filed", 1), ("exam-presented", 2), ("detention", 4)):  # most holds start so
        svc.record_event(ref, event, arrival + dt.timedelta(days=after), "p", settings=settings)
    on = arrival + dt.timedelta(days=4)
    for pick, gap, share in steps:
        view = svc.get_shipment(ref, settings, on)
        moving = [e for e in view["allowed_events"] if TRANSITIONS[e][1] is not None]
        if not moving:
            break
        event = moving[pick % len(moving)]
        sources = sorted(s for s in TRANSITIONS[event][0] if view["quantities"].get(s.value))
        on = min(TODAY, on + dt.timedelta(days=gap))
        available = view["quantities"][sources[0].value]
        quantity = max(1, available * share // 100)
        svc.record_event(ref, event, on, "p", quantity=quantity, from_state=sources[0].value, settings=settings)
        cost = svc.get_shipment(ref, settings, on)["cost_of_delay"]
        now = (cost["cost_to_date_usd"], cost["storage_accrued_usd"])
        assert now[0] >= shown[0] and now[1] >= shown[1], (event, now, shown)
        shown, recorded = now, recorded + 1
    assert recorded >= 1
    book = portfolio(settings, on)
    mine = next(r for r in book["cost_by_shipment"] if r["reference"] == ref)
    assert mine["cost_to_date_usd"] == svc.get_shipment(ref, settings, on)["cost_of_delay"]["cost_to_date_usd"]
