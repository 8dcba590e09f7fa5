"""Create a shipment from the dashboard (issue #30): the record's fields, and its line items pasted (CSV, or
tab-separated as copied from a spreadsheet) or a manifest uploaded (CSV or XLSX) — all or nothing.

The lines are read and checked by the manifest rules (`domain/customs/manifest.py`, through `services.manifest`)
before anything is written, and the shipment and its lines go in one transaction (`shipments.create_shipment`
with `lines`). A refusal answers the whole form again, every problem listed (by row and column for the lines) and
every input kept. A plain form: it works without JavaScript. Registered before the shipment page, whose path
`/shipments/{reference}` would otherwise take `/shipments/new`.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from rigport.domain.customs.evidence_files import display_name
from rigport.domain.numbers import parse_decimal
from rigport.entrypoints.web import forms
from rigport.entrypoints.web.pages import page
from rigport.entrypoints.web.security import Forbidden, Visitor, settings_of, visitor, writer_form
from rigport.errors import InputError, RigportError
from rigport.services import manifest, shipments
from rigport.settings import Settings

router = APIRouter(include_in_schema=False)

TEXT_FIELDS = ("reference", "mode", "port", "arrival_date", "total_units", "declared_value_usd", "importer_of_record",
               "importer_country", "carrier", "transport_doc", "entry_number", "storage_facility",
               "storage_usd_per_unit_day", "other_agency_hold", "lines")  # fmt: skip
# the API's field names as the form labels them, for messages from below
LABELS = {"reference": "Reference", "mode": "Mode", "port": "Port", "arrival_date": "Arrival date",
          "total_units": "Units", "declared_value_usd": "Declared value", "storage_usd_per_unit_day": "Storage rate",
          "parties[1].name": "Importer", "parties[1].role": "Importer"}  # fmt: skip
COLUMNS = ",".join(("line", "model", *manifest.REQUIRED_COLUMNS, "chip_supplier", "serials"))
MAX_PASTED = 2_000_000  # characters of pasted lines; a longer list is a file to upload


def _operator(request: Request) -> Visitor:
    who = visitor(request)
    if not who.can_write:
        raise Forbidden(f"creating a shipment needs the operator role; you are signed in as {who.principal.role}")
    return who


@router.get("/shipments/new", response_class=HTMLResponse)
def new_shipment_form(request: Request) -> HTMLResponse:
    who = _operator(request)
    return page(request, "shipment_new.html", who, form={"mode": "vessel"}, errors=[], problems=[], columns=COLUMNS)


def _money(form: forms.FormData, field: str, label: str) -> Decimal | None:
    raw = str(form.get(field) or "").strip()
    return parse_decimal(raw, label) if raw else None


def tabs_to_csv(text: str) -> str:
    """Lines copied from a spreadsheet come tab-separated: the same rows as CSV (a header with a tab and no comma
    is read as tab-separated; anything else is left as typed)."""
    header = text.lstrip().split("\n", 1)[0]
    if "\t" not in header or "," in header:
        return text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(csv.reader(io.StringIO(text), delimiter="\t"))
    return out.getvalue()


async def _manifest(form: Any, settings: Settings) -> tuple[bytes, str] | None:
    """The line items given: an uploaded manifest file, else the pasted text, else none."""
    upload = form.get("manifest")
    pasted = str(form.get("lines") or "")
    if isinstance(upload, UploadFile) and upload.filename:
        if pasted.strip():
            raise InputError("Line items: paste the lines or upload a manifest file, not both")
        if upload.size is not None and upload.size > settings.max_upload_bytes:
            raise InputError(f"Manifest file: {upload.size:,} bytes, more than the {settings.max_upload_bytes:,}-byte "
                             "upload limit")  # fmt: skip
        return await upload.read(settings.max_upload_bytes + 1), display_name(upload.filename)
    if pasted.strip():
        if len(pasted) > MAX_PASTED:
            raise InputError(f"Line items: {len(pasted):,} characters pasted, more than {MAX_PASTED:,}; upload the "
                             "manifest as a file instead")  # fmt: skip
        return tabs_to_csv(pasted).encode("utf-8"), "pasted line items"
    return None


def _draft(form: Any, lines: Any) -> shipments.ShipmentDraft:
    """The shipment's fields as typed, every field's error collected; units and value default to the lines'."""
    fields = forms.Fields(form)
    reference = fields.read(forms.text, "reference", "Reference", max_length=64)
    mode = fields.read(forms.text, "mode", "Mode", max_length=8)
    port = fields.read(forms.text, "port", "Port", max_length=80)
    arrival = fields.read(forms.date, "arrival_date", "Arrival date")
    units = fields.read(forms.optional_integer, "total_units", "Units", minimum=1, maximum=shipments.MAX_UNITS)
    value = fields.read(_money, "declared_value_usd", "Declared value")
    storage = fields.read(_money, "storage_usd_per_unit_day", "Storage rate")
    importer = fields.read(forms.text, "importer_of_record", "Importer", required=False, max_length=200)
    country = fields.read(forms.text, "importer_country", "Importer country", required=False, max_length=2)
    texts = {name: fields.read(forms.text, name, label, required=False, max_length=size) for name, label, size in (
        ("carrier", "Carrier", 120), ("transport_doc", "Bill of lading / air waybill", 80),
        ("entry_number", "Entry number", 40), ("storage_facility", "Storage facility", 120),
    )}  # fmt: skip
    said = {m.partition(":")[0] for m in fields.messages}
    if units is None and lines is None and "Units" not in said:
        fields.messages.append("Units: required (or give the line items, whose units are counted)")
    if value is None and lines is None and "Declared value" not in said:
        fields.messages.append("Declared value: required (or give the line items, whose values are added up)")
    fields.check()
    parties = [{"role": "importer", "name": importer, "country": (country or "").upper()}] if importer else []
    return shipments.ShipmentDraft(
        reference=reference, mode=mode, port=port, arrival_date=arrival,
        total_units=units if units is not None else lines.units,
        declared_value_usd=value if value is not None else lines.value_usd,
        importer_of_record=importer or "", other_agency_hold=form.get("other_agency_hold") == "yes",
        storage_usd_per_unit_day=storage if storage is not None else Decimal(0), parties=parties, **texts,
    )  # fmt: skip


@router.post("/shipments/new", response_class=HTMLResponse)
async def create_shipment(request: Request) -> Response:
    who = visitor(request)
    form = await writer_form(request, who)  # CSRF and the operator role first
    settings = settings_of(request)
    kept = {name: str(form.get(name) or "") for name in TEXT_FIELDS}
    errors: list[str] = []
    problems: list[str] = []
    status = 422
    try:
        given = await _manifest(form, settings)
        lines, source = None, "line items"
        if given is not None:
            data, source = given
            lines = await run_in_threadpool(manifest.check_manifest, data, source, settings)
        draft = _draft(form, lines)
        created = await run_in_threadpool(lambda: shipments.create_shipment(
            draft, who.principal.actor, settings, lines=lines, lines_source=source,
        ))  # fmt: skip
    except manifest.ManifestError as exc:
        errors, problems = [f"Line items ({exc.source}): {len(exc.problems):,} problem(s); nothing was saved"], \
            exc.problems[:200]  # fmt: skip
    except forms.FormErrors as exc:
        errors = [forms.relabel(m, LABELS) for m in exc.messages]
    except RigportError as exc:
        if exc.http_status == 403:
            raise
        errors, status = [forms.relabel(str(exc), LABELS)], exc.http_status
    else:
        return RedirectResponse(f"/shipments/{quote(created['reference'])}?created=1", status_code=303)
    return page(request, "shipment_new.html", who, status, form=kept, errors=errors, problems=problems,
                columns=COLUMNS)  # fmt: skip
