"""Shipments, their events, deadlines, line items, documents, audit trail, and manifest upload."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from rigport.adapters.render.jsonable import to_jsonable
from rigport.domain.customs.shipment_filter import ShipmentFilter
from rigport.entrypoints.api.auth import require
from rigport.entrypoints.api.cache import view_cache
from rigport.entrypoints.api.routers.exports import FILE_RESPONSES, file_response, shipment_filter, wanted_format
from rigport.entrypoints.api.schemas import MAX_ID, DocumentIn, EventIn, ShipmentIn, ShipmentPatch, VoidIn, answers
from rigport.errors import RigportError
from rigport.services import manifest, shipments
from rigport.services.assess import ShipmentAssessment
from rigport.services.auth import Principal
from rigport.services.shipment_views import (
    ClockView,
    DocumentView,
    EventView,
    LineItemView,
    ShipmentDetail,
    ShipmentListRow,
)
from rigport.services.shipments import AuditEntry

router = APIRouter(prefix="/api/v1", tags=["shipments"])
viewer = require("viewer")
operator = require("operator")


def settings_of(request: Request) -> Any:
    return request.app.state.settings


@router.get("/shipments", responses={200: {"model": list[ShipmentListRow], "content": FILE_RESPONSES[200]["content"]}})
async def list_shipments(
    request: Request,
    flt: ShipmentFilter = Depends(shipment_filter),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_ID),
    format: Literal["json", "csv", "xlsx"] | None = Query(
        None, description="json (the default) or a file of the whole filtered list (every page); also by Accept."
    ),
    _: Principal = Depends(viewer),
) -> Any:
    """Shipments with their next deadline: filtered, searched and sorted (issue #30), a page at a time."""
    fmt = wanted_format(request, format)
    if fmt is not None:
        return await run_in_threadpool(file_response, "shipments", flt, fmt, request)
    settings, today = settings_of(request), dt.date.today()
    view = ("shipments", flt, limit, offset)
    key = (*await shipments.list_key(settings, today), *view)
    return await view_cache(request).respond(request, view, key, lambda: (
        shipments.list_shipments(flt=flt, limit=limit, offset=offset, settings=settings, today=today)
    ))  # fmt: skip


@router.post("/shipments", status_code=201, responses=answers(ShipmentDetail, 201))
def create_shipment(request: Request, body: ShipmentIn, who: Principal = Depends(operator)) -> Any:
    draft = shipments.ShipmentDraft(
        **body.model_dump(exclude={"parties", "client"}), parties=[p.model_dump() for p in body.parties]
    )
    return to_jsonable(shipments.create_shipment(draft, who.actor, settings_of(request), client=body.client))


@router.get("/shipments/{reference}", responses=answers(ShipmentDetail))
async def get_shipment(request: Request, reference: str, _: Principal = Depends(viewer)) -> Any:
    settings, today = settings_of(request), dt.date.today()
    key = await shipments.detail_key(reference, settings, today)
    return await view_cache(request).respond(
        request, ("shipment", reference), key, lambda: shipments.get_shipment(reference, settings, today)
    )


@router.patch("/shipments/{reference}", responses=answers(ShipmentDetail))
def update_shipment(request: Request, reference: str, body: ShipmentPatch, who: Principal = Depends(operator)) -> Any:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    return to_jsonable(shipments.update_shipment(reference, changes, who.actor, body.version, settings_of(request)))


@router.post("/shipments/{reference}/events", status_code=201, responses=answers(ShipmentDetail, 201))
def record_event(request: Request, reference: str, body: EventIn, who: Principal = Depends(operator)) -> Any:
    return to_jsonable(shipments.record_event(
        reference, body.event, body.date, who.actor, quantity=body.quantity, from_state=body.from_state,
        data=body.data, expected_version=body.version, settings=settings_of(request),
    ))  # fmt: skip


@router.post("/shipments/{reference}/events/{event_id}/void", responses=answers(ShipmentDetail))
def void_event(
    request: Request, reference: str, event_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: VoidIn,
    who: Principal = Depends(operator),
) -> Any:
    """Void a mistaken event (kept in the history with who, when, why); 409 when a later event depends on it."""
    return to_jsonable(shipments.void_event(
        reference, event_id, body.reason, who.actor, expected_version=body.version, settings=settings_of(request),
    ))  # fmt: skip


@router.get("/shipments/{reference}/events", responses=answers(list[EventView]))
def list_events(request: Request, reference: str, _: Principal = Depends(viewer)) -> Any:
    return to_jsonable(shipments.get_shipment(reference, settings_of(request))["events"])


@router.get("/shipments/{reference}/deadlines", responses=answers(list[ClockView]))
def deadlines(request: Request, reference: str, _: Principal = Depends(viewer)) -> Any:
    return to_jsonable(shipments.get_shipment(reference, settings_of(request))["clocks"])


@router.get("/shipments/{reference}/line-items", responses=answers(list[LineItemView]))
def line_items(request: Request, reference: str, _: Principal = Depends(viewer)) -> Any:
    return to_jsonable(shipments.get_shipment(reference, settings_of(request))["line_items"])


@router.get("/shipments/{reference}/documents", responses=answers(list[DocumentView]))
def documents(request: Request, reference: str, _: Principal = Depends(viewer)) -> Any:
    return to_jsonable(shipments.get_shipment(reference, settings_of(request))["documents"])


@router.post("/shipments/{reference}/documents", status_code=201, responses=answers(DocumentView, 201))
def add_document(request: Request, reference: str, body: DocumentIn, who: Principal = Depends(operator)) -> Any:
    return to_jsonable(shipments.add_document(
        reference, body.kind, who.actor, date=body.date, doc_reference=body.reference, lab_name=body.lab_name,
        notes=body.notes, settings=settings_of(request),
    ))  # fmt: skip


@router.get("/shipments/{reference}/audit", responses=answers(list[AuditEntry]))
def audit(request: Request, reference: str, _: Principal = Depends(viewer)) -> Any:
    return to_jsonable(shipments.audit_trail(reference, settings_of(request)))


@router.post("/import", status_code=201, responses=answers(manifest.ManifestImported, 201))
async def import_manifest(
    request: Request,
    shipment: str = Form(..., max_length=64),
    file: UploadFile = File(...),
    client: str | None = Form(None, max_length=120, description="The shipment's client; refused if it is another's."),
    who: Principal = Depends(operator),
) -> Any:
    settings = settings_of(request)
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise RigportUploadTooLarge(f"file: larger than the {settings.max_upload_bytes:,}-byte upload limit")
    name = (file.filename or "manifest.csv").replace("/", "_").replace("\\", "_")
    try:
        result = await run_in_threadpool(lambda: manifest.import_manifest(data, name, shipment, who.actor, settings,
                                                                          client=client))  # fmt: skip
    except manifest.ManifestError as exc:
        raise ManifestProblems(exc) from None
    return to_jsonable(result)


class RigportUploadTooLarge(RigportError):
    exit_code = 2
    http_status = 413
    title = "Upload too large"


class ManifestProblems(RigportError):
    exit_code = 2
    http_status = 422
    title = "Manifest rejected"

    def __init__(self, error: manifest.ManifestError) -> None:
        super().__init__(str(error))
        self.problems = error.problems


@router.get("/shipments/{reference}/risk", tags=["risk"], responses=answers(ShipmentAssessment))
def shipment_risk(request: Request, reference: str, _: Principal = Depends(viewer)) -> Any:
    """Hold risk with reasons, the evidence checklist and the expected cost of a hold."""
    from rigport.services.assess import assess_shipment

    return to_jsonable(assess_shipment(reference, settings_of(request)))
