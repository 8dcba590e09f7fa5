"""One shipment: its page, the printable packet, recording and voiding events, and screening its parties."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rigport.domain.customs.model import DOCUMENT_KINDS
from rigport.entrypoints.web import forms
from rigport.entrypoints.web.pages import SECURITY_HEADERS, is_htmx, page
from rigport.entrypoints.web.security import settings_of, visitor, writer_form
from rigport.errors import InputError, NotFoundError, RigportError
from rigport.services import shipments
from rigport.services.audit import AuditFilters, shipment_audit
from rigport.settings import Settings

router = APIRouter(include_in_schema=False)


# the event form's fields as the person sees them, for messages from below that use the API's names
EVENT_LABELS = {"quantity": "Units", "date": "Date", "event": "Event", "from_state": "From state"}


def _shipment_context(reference: str, settings: Settings) -> dict[str, Any]:
    from rigport.services.assess import assess_shipment
    from rigport.services.packet import landed_cost_for
    from rigport.services.screening import latest_shipment_screening

    shipment = shipments.get_shipment(reference, settings)
    return {
        "s": shipment,
        "landed": landed_cost_for(shipment),
        "risk": assess_shipment(reference, settings),
        "screening": latest_shipment_screening(reference, settings),
        "today": dt.date.today(),
        "present_states": [state for state, n in shipment["quantities"].items() if n > 0],
        "document_kinds": DOCUMENT_KINDS,  # the evidence upload form (routers/documents.py)
        "audit_recent": shipment_audit(reference, AuditFilters(), per_page=5, settings=settings),
        "max_document_bytes": settings.max_document_bytes,
    }


shipment_context = _shipment_context  # for the other routers that answer with the shipment's page (documents)


@router.get("/shipments/{reference}", response_class=HTMLResponse)
def shipment_page(request: Request, reference: str) -> HTMLResponse:
    who = visitor(request)
    context = _shipment_context(reference, settings_of(request))
    return page(request, "shipment.html", who, form=None, form_error=None, **context)


@router.get("/shipments/{reference}/packet", response_class=HTMLResponse)
def shipment_packet(request: Request, reference: str) -> HTMLResponse:
    """The printable entry packet (the same document as `rigport packet` and the API route)."""
    from rigport.services.packet import render_packet_html

    visitor(request)
    html = render_packet_html(reference, settings_of(request))
    strict = "default-src 'none'; style-src 'unsafe-inline'"  # a document: no scripts at all
    return HTMLResponse(html, headers={**SECURITY_HEADERS, "Content-Security-Policy": strict})


@router.post("/shipments/{reference}/events", response_class=HTMLResponse)
async def record_event(request: Request, reference: str) -> HTMLResponse:
    who = visitor(request)
    form = await writer_form(request, who)
    settings = settings_of(request)
    error, status, confirm = None, 201, None
    try:
        event = forms.text(form, "event", "Event", max_length=40)
        when = forms.date(form, "date", "Date")
        quantity = forms.optional_integer(form, "quantity", "Units", minimum=1, maximum=10_000_000)
        all_units = form.get("all_units") == "yes"
        if quantity is None and not all_units:
            raise InputError("Units: give a number of units, or tick \u201call units in that state\u201d")
        if quantity is not None and all_units:
            raise InputError("Units: give a number of units or tick \u201call units in that state\u201d, not both")
        source = forms.text(form, "from_state", "From state", required=False, max_length=32) or None
        note = forms.text(form, "note", "Note", required=False, max_length=500)
        version = forms.optional_integer(form, "version", "Version", minimum=1, maximum=2**31)
        if event in shipments.CONFIRM_EVENTS and form.get("confirm") != "yes":
            confirm = await run_in_threadpool(lambda: shipments.preview_event(
                reference, event, when, quantity=quantity, from_state=source, settings=settings
            ))  # fmt: skip
        else:
            await run_in_threadpool(
                shipments.record_event, reference, event, when, who.principal.actor, quantity=quantity,
                from_state=source, data={"note": note, "via": "dashboard"} if note else {"via": "dashboard"},
                expected_version=version, settings=settings,
            )  # fmt: skip
    except NotFoundError:
        raise
    except RigportError as exc:
        error, status = forms.relabel(str(exc), EVENT_LABELS), exc.http_status
    context = await run_in_threadpool(_shipment_context, reference, settings)
    template = "_shipment_body.html" if is_htmx(request) else "shipment.html"
    kept = dict(form) if error or confirm else None
    return page(request, template, who, status if error else 200, form=kept, form_error=error, confirm=confirm,
                **context)  # fmt: skip


@router.post("/shipments/{reference}/events/{event_id}/void", response_class=HTMLResponse)
async def void_event(request: Request, reference: str, event_id: int) -> HTMLResponse:
    """Void a mistaken event (operators): it stays in the timeline, struck through, with who, when and why."""
    who = visitor(request)
    form = await writer_form(request, who)
    settings = settings_of(request)
    error, status = None, 200
    try:
        reason = forms.text(form, "reason", "Reason", max_length=500)
        version = forms.optional_integer(form, "version", "Version", minimum=1, maximum=2**31)
        await run_in_threadpool(lambda: shipments.void_event(
            reference, event_id, reason, who.principal.actor, expected_version=version, settings=settings
        ))  # fmt: skip
    except NotFoundError:
        raise
    except RigportError as exc:
        error, status = str(exc), exc.http_status
    context = await run_in_threadpool(_shipment_context, reference, settings)
    template = "_shipment_body.html" if is_htmx(request) else "shipment.html"
    return page(request, template, who, status, form=None, form_error=None, void_error=error,
                void_event_id=event_id if error else None, **context)  # fmt: skip


@router.post("/shipments/{reference}/screen", response_class=HTMLResponse)
async def screen_shipment(request: Request, reference: str) -> Response:
    from rigport.services.screening import latest_shipment_screening
    from rigport.services.screening import screen_shipment as screen_it

    who = visitor(request)
    await writer_form(request, who)
    settings = settings_of(request)
    await run_in_threadpool(lambda: screen_it(reference, actor=who.principal.actor, settings=settings))
    if not is_htmx(request):
        return RedirectResponse(f"/shipments/{quote(reference)}#screening", status_code=303)
    result = await run_in_threadpool(latest_shipment_screening, reference, settings)
    shipment = await run_in_threadpool(shipments.get_shipment, reference, settings)
    return page(request, "_screening_results.html", who, screening=result, s=shipment)
