"""Background simulation runs and the hold fit on both SQLite and PostgreSQL (migration 0003_simulations)."""

from __future__ import annotations

import datetime as dt
import socket
import time
from decimal import Decimal

import pytest

from rigport.adapters.db.tables import SimulationRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.errors import NotFoundError
from rigport.services import shipments, simulation_runs
from rigport.services.simulation import fit_holds
from rigport.settings import Settings

PARAMS = {"model": "antminer-t21", "units": 5, "unit_price": 2900, "power_price": 0.06, "paths": 400, "days": 30,
          "seed": 11, "hold_prob": 0.5, "hold_days_mean": 10}  # fmt: skip


def test_run_is_stored_with_its_result(settings: Settings) -> None:
    run = simulation_runs.start_simulation(PARAMS, "dashboard:alice", settings)
    deadline = time.monotonic() + 60
    while (stored := simulation_runs.get_simulation(run["id"], settings))["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert stored["status"] == "succeeded", stored["error"]
    assert stored["result"]["paths"] == 400 and stored["result"]["seed"] == 11
    assert stored["result"]["hold"]["probability"] == 0.5 and stored["actor"] == "dashboard:alice"
    assert stored["params"]["model"] == "antminer-t21" and stored["params"]["fit_holds"] is False
    listed = simulation_runs.list_simulations(settings, limit=5)
    assert listed[0]["id"] == run["id"] and listed[0]["summary"]["npv_usd"] == stored["result"]["npv_usd"]
    with pytest.raises(NotFoundError):
        simulation_runs.get_simulation("missing", settings)


def test_interrupted_runs_are_failed_on_startup(settings: Settings) -> None:
    with UnitOfWork(settings) as uow:
        uow.session.add(SimulationRow(id="gone", status="running", params={}, actor="t",
                                      runner=f"{socket.gethostname()}:999999999",
                                      created_at=dt.datetime.now(dt.UTC)))  # fmt: skip
        uow.session.add(SimulationRow(id="elsewhere", status="queued", params={}, actor="t",
                                      runner="another-host.example:1234",
                                      created_at=dt.datetime.now(dt.UTC)))  # fmt: skip
        uow.commit()
    assert simulation_runs.mark_interrupted(settings) == 1
    assert simulation_runs.get_simulation("gone", settings)["status"] == "failed"
    assert simulation_runs.get_simulation("elsewhere", settings)["status"] == "queued"  # cannot tell: left alone


def test_fit_holds_reads_either_database(settings: Settings) -> None:
    arrived = dt.date(2025, 3, 3)
    for n, length in enumerate((12, 18, 24, 30, 36)):
        ref = f"FIT-{n}"
        shipments.create_shipment(shipments.ShipmentDraft(
            reference=ref, mode="air", port="Detroit", arrival_date=arrived, total_units=2,
            declared_value_usd=Decimal("5800")), "t", settings)  # fmt: skip
        for event, day in (("entry-filed", 1), ("exam-presented", 2), ("detention", 3), ("release", 3 + length)):
            shipments.record_event(ref, event, arrived + dt.timedelta(days=day), "t", settings=settings)
    fit = fit_holds(settings)
    assert fit["fitted"] is True and fit["observed_hold_days_mean"] == 24.0 and fit["observed_hold_probability"] == 1.0
