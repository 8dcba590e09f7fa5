"""The shipments page: filter, search, sort and page the list, and download the view (issue #30).

Everything lives in the URL's query (`?q=&port=&state=&importer=&due_within=&sort=&order=&page=&per_page=`), so
a view can be bookmarked and shared; the form is a plain GET and the sort and page controls are links, so the
page works without JavaScript (htmx, when present, swaps only the results). The downloads carry the same
filters: `/exports/{table}.{csv|xlsx}`, answered from the same store query as the API's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, StreamingResponse

from rigport.adapters.render import table_export
from rigport.domain.customs.model import State
from rigport.domain.customs.shipment_filter import MAX_DUE_WITHIN_DAYS, ShipmentFilter
from rigport.entrypoints.web.pages import page
from rigport.entrypoints.web.security import settings_of, visitor
from rigport.errors import InputError, RigportError
from rigport.services.shipment_search import TABLES, export_table, filter_choices, find_shipments

router = APIRouter(include_in_schema=False)

PAGE_SIZES = (25, 50, 100, 200)
MAX_PAGE = 1_000_000
# the table's columns: (sort key, heading, numeric)
COLUMNS = [
    ("reference", "Shipment", False), ("state", "State", False), ("port", "Port", False),
    ("arrival_date", "Arrived", False), ("importer_of_record", "Importer", False),
    ("transport_doc", "B/L or AWB", False), ("entry_number", "Entry", False), ("total_units", "Units", True),
    ("declared_value_usd", "Declared", True), ("next_deadline", "Next deadline", False),
]  # fmt: skip


def _whole(params: Mapping[str, str], name: str, label: str, default: int | None, low: int, high: int) -> int | None:
    """A whole number from the query, or InputError naming the field as the page labels it."""
    text = params.get(name, "").strip()
    if not text:
        return default
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 12:
        raise InputError(f"{label}: expected a whole number from {low} to {high:,}, got {text[:20]!r}")
    value = int(text)
    if not low <= value <= high:
        raise InputError(f"{label}: expected a whole number from {low} to {high:,}, got {value:,}")
    return value


def read_filter(params: Mapping[str, str]) -> ShipmentFilter:
    """The filter the URL carries, checked (a message naming the field when a value is wrong)."""
    due = _whole(params, "due_within", "Deadline within (days)", None, 0, MAX_DUE_WITHIN_DAYS)
    return ShipmentFilter(q=params.get("q", ""), port=params.get("port", ""), state=params.get("state", ""),
                          importer=params.get("importer", ""), client=params.get("client", ""), due_within=due,
                          sort=params.get("sort", "") or "arrival_date", order=params.get("order", "") or "asc",
                          ).checked()  # fmt: skip


def _href(path: str, query: Mapping[str, Any]) -> str:
    text = urlencode({k: v for k, v in query.items() if v not in (None, "")})
    return f"{path}?{text}" if text else path


@router.get("/shipments", response_class=HTMLResponse)
async def shipment_list(request: Request) -> HTMLResponse:
    who = visitor(request)
    settings = settings_of(request)
    params = request.query_params
    error, flt, result = None, ShipmentFilter(), None
    per_page, number = 50, 1
    try:
        flt = read_filter(params)
        per_page = _whole(params, "per_page", "Rows per page", 50, 1, max(PAGE_SIZES)) or 50
        number = _whole(params, "page", "Page", 1, 1, MAX_PAGE) or 1
        result = await run_in_threadpool(lambda: find_shipments(
            flt, limit=per_page, offset=(number - 1) * per_page, settings=settings
        ))  # fmt: skip
    except RigportError as exc:
        error = str(exc)
    choices = await run_in_threadpool(filter_choices, settings)
    kept = {**flt.as_query(), **({"per_page": per_page} if per_page != 50 else {})}
    total = result["total"] if result else 0
    pages = max(1, -(-total // per_page))
    headings = []
    for key, label, numeric in COLUMNS:
        current = flt.sort == key
        order = "desc" if current and flt.order == "asc" else "asc"
        headings.append({"key": key, "label": label, "numeric": numeric, "current": current,
                         "aria": ("ascending" if flt.order == "asc" else "descending") if current else None,
                         "href": _href("/shipments", {**kept, "sort": key, "order": order})})  # fmt: skip
    downloads = [(table, fmt, _href(f"/exports/{table}.{fmt}", flt.as_query())) for table in TABLES
                 for fmt in table_export.FORMATS]  # fmt: skip
    return page(
        request, "shipments.html", who, 422 if error else 200, error=error, flt=flt, result=result,
        choices=choices, states=list(State.__members__), headings=headings, downloads=downloads,
        per_page=per_page, page_sizes=PAGE_SIZES, number=number, pages=pages, total=total,
        first=(number - 1) * per_page + 1, last=min(total, number * per_page), today=dt.date.today(),
        prev_href=_href("/shipments", {**kept, "page": number - 1}) if number > 1 else None,
        next_href=_href("/shipments", {**kept, "page": number + 1}) if number < pages else None,
    )  # fmt: skip


@router.get("/exports/{table}.{fmt}")
def download(request: Request, table: str, fmt: str) -> StreamingResponse:
    """The current view's table as a file; the filters are checked before the first byte."""
    visitor(request)
    if fmt not in table_export.FORMATS:
        raise InputError(f"format: expected csv or xlsx, got {fmt!r}")
    today = dt.date.today()
    exported = export_table(table, read_filter(request.query_params), settings_of(request), today)
    name = f"rigport-{exported['name']}-{today.isoformat()}.{fmt}"
    body = table_export.chunks(fmt, exported["columns"], exported["rows"], sheet=exported["name"])
    return StreamingResponse(body, media_type=table_export.media_type(fmt), headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    })  # fmt: skip
