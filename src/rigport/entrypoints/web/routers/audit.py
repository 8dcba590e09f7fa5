"""The audit trail in the dashboard (issue #30): overall at /audit, and per shipment at /shipments/{ref}/audit.

Filters live in the URL query (actor, action, entity, ref, since, until, page) so a view can be bookmarked
and shared; the repository's query does the filtering and the paging. Who may see what is the service's rule
(`services.audit`): a shipment's trail for any signed-in role, the overall trail for operators and admins,
account entries for admins.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from rigport.entrypoints.web.pages import page
from rigport.entrypoints.web.security import Forbidden, settings_of, visitor
from rigport.errors import InputError, NotFoundError
from rigport.services import audit

router = APIRouter(include_in_schema=False)
FILTERS = ("actor", "action", "entity", "ref", "since", "until")
PER_PAGE = 50


def _query(request: Request) -> dict[str, str]:
    return {name: request.query_params.get(name, "").strip()[:200] for name in FILTERS}


def _filters(query: dict[str, str]) -> audit.AuditFilters:
    return audit.AuditFilters(
        actor=query["actor"] or None, action=query["action"] or None, entity=query["entity"] or None,
        entity_id=query["ref"] or None, since=audit.parse_day(query["since"], "since"),
        until=audit.parse_day(query["until"], "until"),
    )  # fmt: skip


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 10**6:
        raise InputError(f"expected a page number from 1, got {raw!r}", field="page")
    return int(raw)


def _link(base: str, query: dict[str, str], page_number: int) -> str:
    kept = {k: v for k, v in query.items() if v}
    return f"{base}?{urlencode({**kept, 'page': page_number})}"


def _answer(request: Request, who: Any, base: str, search: Any, **context: Any) -> HTMLResponse:
    query = _query(request)
    error, found, status = None, None, 200
    try:
        found = search(_filters(query), _page_number(request))
    except NotFoundError:
        raise
    except InputError as exc:
        error, status = str(exc), exc.http_status
    links = {}
    if found:
        if found["page"] > 1:
            links["prev"] = _link(base, query, found["page"] - 1)
        if found["page"] < found["pages"]:
            links["next"] = _link(base, query, found["page"] + 1)
    return page(request, "audit.html", who, status, query=query, found=found, error=error, links=links, base=base,
                changes=audit.changes, entities=audit.ENTITIES, **context)  # fmt: skip


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request) -> HTMLResponse:
    who = visitor(request)
    if not who.can_write:
        raise Forbidden(f"the overall audit trail is for operators and admins; you are signed in as "
                        f"{who.principal.role} (a shipment's own trail is on its page)")  # fmt: skip
    accounts = who.principal.can("admin")
    settings = settings_of(request)

    def search(filters: audit.AuditFilters, number: int) -> audit.AuditPage:
        return audit.search_audit(filters, page=number, per_page=PER_PAGE, accounts=accounts, settings=settings)

    return await run_in_threadpool(_answer, request, who, "/audit", search, shipment=None, accounts=accounts)


@router.get("/shipments/{reference}/audit", response_class=HTMLResponse)
async def shipment_audit_page(request: Request, reference: str) -> HTMLResponse:
    who = visitor(request)
    settings = settings_of(request)

    def search(filters: audit.AuditFilters, number: int) -> audit.AuditPage:
        return audit.shipment_audit(reference, filters, page=number, per_page=PER_PAGE, settings=settings)

    return await run_in_threadpool(_answer, request, who, f"/shipments/{reference}/audit", search,
                                   shipment=reference, accounts=False)  # fmt: skip
