"""The audit trail, filtered and paged (issue #30): operators and admins; account entries for admins only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from rigport.adapters.render.jsonable import to_jsonable
from rigport.entrypoints.api.auth import require
from rigport.entrypoints.api.schemas import IsoDate, answers
from rigport.services import audit
from rigport.services.auth import Principal

router = APIRouter(prefix="/api/v1", tags=["audit"])
operator = require("operator")


@router.get("/audit", responses=answers(audit.AuditPage))
def audit_trail(
    request: Request,
    actor: str | None = Query(None, max_length=200, description="Who (exact, any case)."),
    action: str | None = Query(None, max_length=200, description="What: the action begins with this, e.g. event."),
    entity: str | None = Query(None, max_length=40, description=f"One of {', '.join(audit.ENTITIES)}."),
    ref: str | None = Query(None, max_length=200, description="The record: a shipment reference, a user name..."),
    since: IsoDate | None = Query(None, description="From this UTC day (inclusive)."),
    until: IsoDate | None = Query(None, description="To this UTC day (inclusive)."),
    page: int = Query(1, ge=1, le=10**6),
    per_page: int = Query(50, ge=1, le=audit.MAX_PER_PAGE),
    who: Principal = Depends(operator),
) -> Any:
    """Newest first; entries about users and API tokens only for admins."""
    filters = audit.AuditFilters(actor=actor, action=action, entity=entity, entity_id=ref, since=since, until=until)
    return to_jsonable(audit.search_audit(filters, page=page, per_page=per_page, accounts=who.can("admin"),
                                          settings=request.app.state.settings))  # fmt: skip
