"""`POST /api/v1/assess`: hold risk of a shipment draft before anything is stored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from rigport.adapters.render.jsonable import to_jsonable
from rigport.domain.customs.model import LineItem
from rigport.entrypoints.api.auth import require
from rigport.entrypoints.api.schemas import AssessIn
from rigport.services.auth import Principal

router = APIRouter(prefix="/api/v1", tags=["risk"])
viewer = require("viewer")


@router.post("/assess")
def assess_draft(request: Request, body: AssessIn, _: Principal = Depends(viewer)) -> Any:
    """Same JSON as `GET /shipments/{ref}/risk`; read-only, so a viewer may ask (sync route: runs in the pool)."""
    from rigport.services.assess import AssessmentDraft, assess_draft

    items = [
        LineItem(line_no=li.line_no or n, quantity=li.quantity, unit_value_usd=li.unit_value_usd,
                 hts_code=li.hts_code, origin=li.origin, model_id=li.model_id.lower() if li.model_id else None,
                 description=li.description, chip_supplier=li.chip_supplier)
        for n, li in enumerate(body.line_items, start=1)
    ]  # fmt: skip
    draft = AssessmentDraft(
        reference=body.reference, items=items, documents={d.kind: d.lab_name for d in body.documents},
        parties=[p.model_dump() for p in body.parties], us_responsible_party=body.us_responsible_party,
        port=body.port, importer_of_record=body.importer_of_record,
        storage_usd_per_unit_day=body.storage_usd_per_unit_day, declared_value_usd=body.declared_value_usd,
        total_units=body.total_units,
    )  # fmt: skip
    return to_jsonable(assess_draft(draft, request.app.state.settings))
