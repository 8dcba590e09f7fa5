"""Tables of the shipment list's current view as CSV or XLSX files: shipments, deadlines, costs, screening.

The filters are the list's (`GET /api/v1/shipments`); the file holds every shipment they keep (all pages),
written as it is read (`services.shipment_search.export_table`, `adapters.render.table_export`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse

from rigport.adapters.render import table_export
from rigport.domain.customs.shipment_filter import (
    DEFAULT_SORT,
    MAX_DUE_WITHIN_DAYS,
    MAX_TEXT,
    SORT_KEYS,
    ShipmentFilter,
)
from rigport.entrypoints.api.auth import require
from rigport.errors import InputError
from rigport.services.auth import Principal
from rigport.services.shipment_search import TABLES, export_table

router = APIRouter(prefix="/api/v1", tags=["exports"])
viewer = require("viewer")
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The table as a file.", "content": {table_export.CSV_MEDIA_TYPE: {},
                                                               table_export.XLSX_MEDIA_TYPE: {}}},
}  # fmt: skip


def shipment_filter(
    q: str = Query("", max_length=MAX_TEXT, description="Part of a reference, bill of lading or air waybill, "
                   "entry number, importer, carrier, party name or serial number (any case)."),
    port: str = Query("", max_length=MAX_TEXT, description="Port of entry (whole name, any case)."),
    state: str = Query("", max_length=32, description="Only shipments with units in this state."),
    importer: str = Query("", max_length=MAX_TEXT, description="Importer of record (whole name, any case)."),
    client: str = Query("", max_length=120, description="Only this client's shipments (id or name)."),
    due_within: int | None = Query(None, ge=0, le=MAX_DUE_WITHIN_DAYS,
                                   description="Next deadline within N days of today (overdue included)."),
    due_within_days: int | None = Query(None, ge=0, le=MAX_DUE_WITHIN_DAYS, description="Older name of due_within."),
    sort: str = Query(DEFAULT_SORT, max_length=40, description=f"One of {', '.join(SORT_KEYS)}."),
    order: str = Query("asc", max_length=8, description="asc or desc."),
) -> ShipmentFilter:
    """The list's filters from the query string, checked: a bad value is a 422 naming the parameter."""
    if due_within is not None and due_within_days is not None and due_within != due_within_days:
        raise InputError("due_within: given twice (due_within and due_within_days) with different values")
    days = due_within if due_within is not None else due_within_days
    return ShipmentFilter(q=q, port=port, state=state, importer=importer, client=client, due_within=days, sort=sort,
                          order=order).checked()  # fmt: skip


def file_response(table: str, flt: ShipmentFilter, fmt: str, request: Request) -> StreamingResponse:
    """The table streamed as a download named after it and the day."""
    today = dt.date.today()
    exported = export_table(table, flt, request.app.state.settings, today)  # checks everything before a byte
    body = table_export.chunks(fmt, exported["columns"], exported["rows"], sheet=exported["name"])
    name = f"rigport-{exported['name']}-{today.isoformat()}.{fmt}"
    return StreamingResponse(body, media_type=table_export.media_type(fmt), headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
    })  # fmt: skip


def wanted_format(request: Request, fmt: str | None) -> str | None:
    """csv or xlsx when asked by `?format=` or by the Accept header (text/csv, the XLSX type); None for JSON."""
    if fmt is not None:
        return None if fmt == "json" else fmt
    accept = request.headers.get("accept", "")
    if table_export.XLSX_MEDIA_TYPE in accept:
        return "xlsx"
    if "text/csv" in accept:
        return "csv"
    return None


@router.get("/exports/{table}", responses=FILE_RESPONSES, response_class=StreamingResponse)
def export(
    request: Request,
    table: Annotated[Literal["shipments", "deadlines", "costs", "screening"], Path(description=", ".join(TABLES))],
    flt: ShipmentFilter = Depends(shipment_filter),
    format: Literal["csv", "xlsx"] | None = Query(None, description="File type; else from Accept, else csv."),
    _: Principal = Depends(viewer),
) -> StreamingResponse:
    """A table of the shipments the filters keep, as CSV or XLSX; text that a spreadsheet would run as a formula
    is neutralised (docs/api.md)."""
    return file_response(table, flt, wanted_format(request, format) or "csv", request)
