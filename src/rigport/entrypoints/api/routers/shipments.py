"""Shipments, their events, deadlines, line items, documents, audit trail, and manifest upload."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile as StarletteUpload

from rigport.adapters.render.downloads import download_response
from rigport.adapters.render.jsonable import to_jsonable
from rigport.domain.customs.evidence_files import check_size
from rigport.domain.customs.model import DOCUMENT_KINDS
from rigport.domain.customs.shipment_filter import ShipmentFilter
from rigport.entrypoints.api.auth import require
from rigport.entrypoints.api.cache import view_cache
from rigport.entrypoints.api.limits import ENVELOPE_BYTES
from rigport.entrypoints.api.routers.exports import FILE_RESPONSES, file_response, shipment_filter, wanted_format
from rigport.entrypoints.api.schemas import MAX_ID, DocumentIn, EventIn, ShipmentIn, ShipmentPatch, VoidIn, answers
from rigport.errors import InputError, RigportError, TooLargeError
from rigport.services import evidence, manifest, shipments
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


# The route takes JSON (a document recorded by hand) or multipart/form-data (an uploaded file, issue #30).
DOCUMENT_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": DocumentIn.model_json_schema()},
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["kind", "file"],
        "properties": {
            "kind": {"type": "string", "enum": list(DOCUMENT_KINDS)},
            "file": {"type": "string", "format": "binary", "description": "PDF, PNG or JPEG (checked by content); "
                     "at most RIGPORT_MAX_DOCUMENT_BYTES (413 above it)"},
            "lab_name": {"type": "string", "maxLength": 200, "description": "required for a test_report"},
            "reference": {"type": "string", "maxLength": 120},
            "date": {"type": "string", "format": "date"},
            "notes": {"type": "string", "maxLength": 2000},
        },
    }},
}}}  # fmt: skip


@router.post("/shipments/{reference}/documents", status_code=201, responses=answers(DocumentView, 201),
             openapi_extra=DOCUMENT_BODY)  # fmt: skip
async def add_document(request: Request, reference: str, who: Principal = Depends(operator)) -> Any:
    """Record a document: JSON for one described by hand, multipart with `file` to upload the evidence itself."""
    settings = settings_of(request)
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return to_jsonable(await _upload_document(request, reference, who, settings))
    try:
        body = DocumentIn.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    return to_jsonable(await run_in_threadpool(lambda: shipments.add_document(
        reference, body.kind, who.actor, date=body.date, doc_reference=body.reference, lab_name=body.lab_name,
        notes=body.notes, settings=settings,
    )))  # fmt: skip


async def _upload_document(request: Request, reference: str, who: Principal, settings: Any) -> Any:
    """The multipart upload: refused from its declared length before the body is read, then read to the limit."""
    limit: int = settings.max_document_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + ENVELOPE_BYTES:
        raise TooLargeError(f"request body of {int(declared):,} bytes: larger than the {limit:,}-byte limit for "
                            "an evidence file", field="file")  # fmt: skip
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    if not isinstance(upload, StarletteUpload):
        raise InputError("expected a file part named 'file' (PDF, PNG or JPEG)", field="file")
    check_size(upload.filename or "", upload.size, limit)  # its real size, before reading it
    data = await upload.read(limit + 1)
    fields = {name: str(form.get(name) or "") for name in ("kind", "lab_name", "reference", "date", "notes")}
    if len(fields["notes"]) > 2000:
        raise InputError(f"at most 2,000 characters, got {len(fields['notes']):,}", field="notes")
    when = None
    if fields["date"].strip():
        try:
            when = dt.date.fromisoformat(fields["date"].strip())
        except ValueError:
            raise InputError(f"expected a date YYYY-MM-DD, got {fields['date']!r}", field="date") from None
    return await run_in_threadpool(lambda: evidence.attach_document(
        reference, fields["kind"], upload.filename or "", data, who.actor, lab_name=fields["lab_name"],
        doc_reference=fields["reference"], date=when, notes=fields["notes"], settings=settings,
    ))  # fmt: skip


@router.get("/shipments/{reference}/documents/{document_id}/file", response_class=FileResponse,
            responses={200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}},
                             "description": "The uploaded file, as an attachment"}})  # fmt: skip
def document_file(
    request: Request, reference: str, document_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    _: Principal = Depends(viewer),
) -> FileResponse:
    """Download a document's uploaded file (viewer or above): sent as an attachment under its given name."""
    return download_response(evidence.document_file(reference, document_id, settings_of(request)))


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
