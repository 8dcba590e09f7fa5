"""The whole book at a glance: units and value by state, money at risk, deadlines due soon."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from rigport.api.auth import require
from rigport.cli.output import to_jsonable
from rigport.services import portfolio as portfolio_service
from rigport.services.auth import Principal

router = APIRouter(prefix="/api/v1", tags=["portfolio"])
viewer = require("viewer")


@router.get("/portfolio")
def portfolio(
    request: Request,
    horizon_days: int = Query(14, ge=0, le=3650, description="Deadlines due within this many days (and overdue)."),
    _: Principal = Depends(viewer),
) -> Any:
    return to_jsonable(portfolio_service.portfolio(request.app.state.settings, horizon_days=horizon_days))
