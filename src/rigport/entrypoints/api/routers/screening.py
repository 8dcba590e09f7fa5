"""Screening over HTTP: one name, a stored shipment, and the list versions in force."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import Field

from rigport.adapters.render.jsonable import to_jsonable
from rigport.domain.screening.match import DEFAULT_THRESHOLD
from rigport.entrypoints.api.auth import require
from rigport.entrypoints.api.cache import encode_json
from rigport.entrypoints.api.schemas import Input, answers
from rigport.services import screening
from rigport.services.auth import Principal

router = APIRouter(prefix="/api/v1", tags=["screening"])
viewer = require("viewer")
operator = require("operator")


class ScreenIn(Input):
    name: str = Field(min_length=1, max_length=300, description="Party or component name.")
    type: Literal["org", "person"] | None = None
    country: str | None = Field(None, min_length=2, max_length=60)
    threshold: float = Field(DEFAULT_THRESHOLD, gt=0, le=1)


class ShipmentScreenIn(Input):
    threshold: float = Field(DEFAULT_THRESHOLD, gt=0, le=1)


@router.post("/screen", responses=answers(screening.ScreenReport))
async def screen(request: Request, body: ScreenIn, _: Principal = Depends(viewer)) -> Any:
    """`{"query", "lists", "warnings", "same_party", "possible_affiliates", "matches", "dismissed"}` as
    `rigport screen NAME --json`: one match per listed party (`entry_ids`), each with its `relation`.

    The matching runs on the event loop (see `screening.screen_name_async`).
    """
    report = await screening.screen_name_async(
        body.name, kind=body.type, country=body.country, threshold=body.threshold, settings=request.app.state.settings
    )
    return Response(encode_json(report), media_type="application/json")


@router.post("/shipments/{reference}/screen", responses=answers(screening.ShipmentScreening))
async def screen_shipment(
    request: Request, reference: str, body: ShipmentScreenIn | None = None, who: Principal = Depends(operator)
) -> Any:
    """Screen every party and chip supplier of a shipment and store the results with the list versions."""
    threshold = body.threshold if body is not None else DEFAULT_THRESHOLD
    result = await run_in_threadpool(
        screening.screen_shipment, reference, actor=who.actor, threshold=threshold, settings=request.app.state.settings
    )
    return to_jsonable(result)


@router.get("/lists", responses=answers(screening.ListStatus))
async def lists(request: Request, _: Principal = Depends(viewer)) -> Any:
    """Every list in force with version, date, source, counts and staleness warnings."""
    return to_jsonable(await run_in_threadpool(screening.list_status, request.app.state.settings))
