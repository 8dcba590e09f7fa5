"""Corrections to a shipment's parties and documents: add, edit, remove — each audited, each a new version."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from rigport.adapters.render.jsonable import to_jsonable
from rigport.entrypoints.api.auth import require
from rigport.entrypoints.api.schemas import MAX_ID, DocumentPatch, PartyIn, PartyPatch
from rigport.services import shipments
from rigport.services.auth import Principal

Id = Annotated[int, Path(ge=1, le=MAX_ID)]

router = APIRouter(prefix="/api/v1/shipments/{reference}", tags=["shipments"])
operator = require("operator")


@router.post("/parties", status_code=201)
def add_party(request: Request, reference: str, body: PartyIn, who: Principal = Depends(operator)) -> Any:
    return to_jsonable(shipments.add_party(
        reference, body.role, body.name, who.actor, country=body.country, address=body.address,
        settings=request.app.state.settings,
    ))  # fmt: skip


@router.patch("/parties/{party_id}")
def update_party(
    request: Request, reference: str, party_id: Id, body: PartyPatch, who: Principal = Depends(operator)
) -> Any:
    changes = body.model_dump(exclude_unset=True)
    return to_jsonable(shipments.update_party(reference, party_id, changes, who.actor, request.app.state.settings))


@router.delete("/parties/{party_id}", status_code=204)
def remove_party(request: Request, reference: str, party_id: Id, who: Principal = Depends(operator)) -> Response:
    shipments.remove_party(reference, party_id, who.actor, request.app.state.settings)
    return Response(status_code=204)


@router.patch("/documents/{document_id}")
def update_document(
    request: Request, reference: str, document_id: Id, body: DocumentPatch, who: Principal = Depends(operator)
) -> Any:
    changes = body.model_dump(exclude_unset=True)
    return to_jsonable(
        shipments.update_document(reference, document_id, changes, who.actor, request.app.state.settings)
    )


@router.delete("/documents/{document_id}", status_code=204)
def remove_document(request: Request, reference: str, document_id: Id, who: Principal = Depends(operator)) -> Response:
    shipments.remove_document(reference, document_id, who.actor, request.app.state.settings)
    return Response(status_code=204)
