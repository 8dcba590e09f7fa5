"""Clients: the importers a broker works for (issue #28). A scoped token lists and reads its own clients only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from rigport.adapters.render.jsonable import to_jsonable
from rigport.entrypoints.api.auth import require
from rigport.entrypoints.api.schemas import ClientIn, answers
from rigport.services import clients
from rigport.services.auth import Principal
from rigport.services.clients import ClientView

router = APIRouter(prefix="/api/v1", tags=["clients"])
viewer = require("viewer")
admin = require("admin")


@router.get("/clients", responses=answers(list[ClientView]))
def list_clients(
    request: Request,
    include_archived: bool = Query(False, description="Also the archived clients."),
    _: Principal = Depends(viewer),
) -> Any:
    """The clients the caller may see (all of them for a broker-wide token), with their shipment counts."""
    return to_jsonable(clients.list_clients(include_archived, request.app.state.settings))


@router.post("/clients", status_code=201, responses=answers(ClientView, 201))
def create_client(request: Request, body: ClientIn, who: Principal = Depends(admin)) -> Any:
    """A new client; broker-wide admins only (a scoped token cannot widen its own scope)."""
    return to_jsonable(clients.create_client(body.name, who.actor, request.app.state.settings))


@router.get("/clients/{client}", responses=answers(ClientView))
def get_client(
    request: Request,
    client: Annotated[str, Path(min_length=1, max_length=120, description="The client's id or name.")],
    _: Principal = Depends(viewer),
) -> Any:
    return to_jsonable(clients.show_client(client, request.app.state.settings))
