"""Background simulation runs in the fast layer: a run is stored queued, runs on the pool and stores its result;
a scoped identity sees the runs it started; a run left by a dead process is failed at startup (in memory; the
same over SQLite and PostgreSQL, with the API, is tests/services/test_simulation_runs.py and tests/api/)."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.adapters.db.scope import Scope
from rigport.adapters.db.tables import SimulationRow
from rigport.errors import InputError, NotFoundError
from rigport.services import simulation_runs
from rigport.services.simulation import simulate_model
from rigport.services.simulation_runs import SimulationRun

PARAMS = {"model": "antminer-t21", "units": 5, "unit_price": 2900, "power_price": 0.06, "paths": 400, "days": 30,
          "seed": 11, "hold_prob": 0.5, "hold_days_mean": 10}  # fmt: skip


def _finished(run_id: str, uow: MemoryUnitOfWork) -> SimulationRun:
    deadline = time.monotonic() + 60
    while (stored := simulation_runs.get_simulation(run_id, uow.settings, uow=uow))["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, stored
        time.sleep(0.02)
    return stored


def test_a_run_is_stored_with_the_result_the_simulation_gives(uow: MemoryUnitOfWork) -> None:
    run = simulation_runs.start_simulation(PARAMS, "dashboard:alice", uow.settings, uow=uow)
    assert run["status"] == "queued" and run["result"] is None and run["params"]["fit_holds"] is False
    stored = _finished(run["id"], uow)
    assert stored["status"] == "succeeded", stored["error"]
    direct = simulate_model("antminer-t21", 5, 2900, 0.06, 400, 30, 11, hold_prob=0.5, hold_days_mean=10,
                            settings=uow.settings)  # fmt: skip
    result = stored["result"]
    assert result is not None and result["npv_usd"] == direct["npv_usd"]  # the same seed, the same numbers
    assert result["payback_probability"] == direct["payback_probability"] and result["hold"]["probability"] == 0.5
    assert stored["started_at"] is not None and stored["finished_at"] is not None
    listed = simulation_runs.list_simulations(uow.settings, limit=5, uow=uow)
    assert [r["id"] for r in listed] == [run["id"]] and listed[0]["summary"]["npv_usd"] == direct["npv_usd"]
    assert "fan_chart" not in listed[0]["summary"]
    with pytest.raises(NotFoundError, match="simulation 'missing' not found"):
        simulation_runs.get_simulation("missing", uow.settings, uow=uow)


def test_bad_parameters_are_refused_before_anything_is_stored(uow: MemoryUnitOfWork) -> None:
    for params, message in (({**PARAMS, "model": "no-such-miner"}, "model: "), ({**PARAMS, "colour": 1}, "colour: "),
                            ({k: v for k, v in PARAMS.items() if k != "units"}, "units: ")):  # fmt: skip
        with pytest.raises(InputError, match=message):
            simulation_runs.start_simulation(params, "t", uow.settings, uow=uow)
    assert simulation_runs.list_simulations(uow.settings, uow=uow) == []


def test_a_scoped_identity_sees_the_runs_it_started(uow: MemoryUnitOfWork) -> None:
    alice = MemoryUnitOfWork(uow.settings, uow.store, Scope(frozenset({1}), "user:alice"))
    hers = simulation_runs.start_simulation(PARAMS, "user:alice", uow.settings, uow=alice)["id"]
    brokers = simulation_runs.start_simulation(PARAMS, "user:broker", uow.settings, uow=uow)["id"]
    _finished(hers, uow), _finished(brokers, uow)
    assert [r["id"] for r in simulation_runs.list_simulations(uow.settings, uow=alice)] == [hers]
    assert {r["id"] for r in simulation_runs.list_simulations(uow.settings, uow=uow)} == {hers, brokers}
    with pytest.raises(NotFoundError):  # another identity's run answers as one that does not exist
        simulation_runs.get_simulation(brokers, uow.settings, uow=alice)


def test_runs_left_by_a_dead_process_are_failed_at_startup(uow: MemoryUnitOfWork) -> None:
    with uow:
        for run_id, runner in (("gone", f"{socket.gethostname()}:999999999"), ("elsewhere", "another.example:1234")):
            uow.simulations.add(SimulationRow(id=run_id, status="running", params={}, actor="t", runner=runner,
                                              created_at=dt.datetime.now(dt.UTC)))  # fmt: skip
        uow.commit()
    assert simulation_runs.mark_interrupted(uow.settings, uow=uow) == 1
    gone = simulation_runs.get_simulation("gone", uow.settings, uow=uow)
    assert gone["status"] == "failed" and gone["error"] == simulation_runs.INTERRUPTED
    assert simulation_runs.get_simulation("elsewhere", uow.settings, uow=uow)["status"] == "running"  # cannot tell
