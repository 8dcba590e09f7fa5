"""The whole book at a glance: units and value by state, money at risk, deadlines due soon."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from rigport.entrypoints.api.auth import require
from rigport.entrypoints.api.cache import view_cache
from rigport.entrypoints.api.schemas import answers
from rigport.services import portfolio as portfolio_service
from rigport.services.auth import Principal

router = APIRouter(prefix="/api/v1", tags=["portfolio"])
viewer = require("viewer")


@router.get("/portfolio", responses=answers(portfolio_service.Portfolio))
async def portfolio(
    request: Request,
    horizon_days: int = Query(14, ge=0, le=3650, description="Deadlines due within this many days (and overdue)."),
    client: str | None = Query(None, min_length=1, max_length=120, description="One client's book (id or name)."),
    _: Principal = Depends(viewer),
) -> Any:
    settings, today = request.app.state.settings, dt.date.today()
    key = (*await portfolio_service.portfolio_key(settings, today), horizon_days, client)
    return await view_cache(request).respond(request, ("portfolio", horizon_days, client), key, lambda: (
        portfolio_service.portfolio(settings, today=today, horizon_days=horizon_days, client=client)
    ))  # fmt: skip
