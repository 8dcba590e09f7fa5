"""The bundled datasets in force and how far they reach (as `rigport data status --json`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from rigport.adapters.render.jsonable import to_jsonable
from rigport.entrypoints.api.auth import require
from rigport.services.auth import Principal

router = APIRouter(prefix="/api/v1", tags=["data"])
viewer = require("viewer")


@router.get("/data")
async def data_status(request: Request, _: Principal = Depends(viewer)) -> Any:
    """`{"as_of", "stale_after_days", "datasets": [{"dataset", "as_of", "verified_through", "source", "age_days",
    "stale", "note", "rows"}], "warnings"}`: tariffs, clocks, catalog prices, network snapshot, screening lists."""
    from rigport.services.horizons import data_status as status

    return to_jsonable(await run_in_threadpool(status, request.app.state.settings))
