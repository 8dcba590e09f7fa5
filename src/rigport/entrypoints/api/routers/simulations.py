"""Background Monte Carlo runs: start (202 + Location), read status and result, list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from rigport.entrypoints.api.auth import require
from rigport.entrypoints.api.schemas import SimulationIn, answers
from rigport.services import simulation_runs
from rigport.services.auth import Principal

router = APIRouter(prefix="/api/v1", tags=["simulations"])
viewer = require("viewer")
operator = require("operator")


@router.post("/simulations", status_code=202, responses=answers(simulation_runs.SimulationRun, 202))
async def start_simulation(request: Request, response: Response, body: SimulationIn,
                           who: Principal = Depends(operator)) -> Any:  # fmt: skip
    """Queue a run; poll `GET /api/v1/simulations/{id}` until status is succeeded or failed."""
    params = body.model_dump(exclude_none=True)
    run = await run_in_threadpool(simulation_runs.start_simulation, params, who.actor, request.app.state.settings)
    response.headers["Location"] = f"/api/v1/simulations/{run['id']}"
    return run


@router.get("/simulations", responses=answers(list[simulation_runs.SimulationRun]))
async def list_simulations(request: Request, limit: int = Query(50, ge=1, le=500),
                           _: Principal = Depends(viewer)) -> Any:  # fmt: skip
    return await run_in_threadpool(simulation_runs.list_simulations, request.app.state.settings, limit)


@router.get("/simulations/{run_id}", responses=answers(simulation_runs.SimulationRun))
async def get_simulation(request: Request, run_id: str, _: Principal = Depends(viewer)) -> Any:
    return await run_in_threadpool(simulation_runs.get_simulation, run_id, request.app.state.settings)
