"""The entry packet of a shipment as a printable HTML page (the dashboard links to it)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from rigport.entrypoints.api.auth import require
from rigport.services.auth import Principal

router = APIRouter(prefix="/api/v1", tags=["packet"])
viewer = require("viewer")


@router.get("/shipments/{reference}/packet", response_class=HTMLResponse)
def shipment_packet(request: Request, reference: str, _: Principal = Depends(viewer)) -> HTMLResponse:
    """Summary, line items, evidence, screening with list versions, landed cost, deadlines, petition worksheet.

    A sync route, so FastAPI runs it in its thread pool: rendering reads the database and may screen names.
    """
    from rigport.services.packet import render_packet_html

    html = render_packet_html(reference, request.app.state.settings)
    return HTMLResponse(html, headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})
