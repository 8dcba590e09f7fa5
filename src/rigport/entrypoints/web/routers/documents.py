"""Evidence files on a shipment's page (issue #30): upload (operators, with the CSRF token) and download (any
signed-in role). Plain forms: the upload works without JavaScript and answers a whole page."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from rigport.adapters.render.downloads import download_response
from rigport.domain.customs.evidence_files import check_size
from rigport.entrypoints.web import forms
from rigport.entrypoints.web.pages import page
from rigport.entrypoints.web.routers.shipments import shipment_context
from rigport.entrypoints.web.security import settings_of, visitor, writer_form
from rigport.errors import InputError, NotFoundError, RigportError, TooLargeError
from rigport.services import evidence

router = APIRouter(include_in_schema=False)

# Room for the multipart wrapping (boundary, part headers, the small fields) around a file of the largest size.
ENVELOPE_BYTES = 64 * 1024
# the upload form's fields as the person sees them, for messages that use the service's names
UPLOAD_LABELS = {"kind": "Kind", "lab_name": "Lab", "file": "File", "reference": "Document number", "date": "Date"}


@router.post("/shipments/{reference}/documents", response_class=HTMLResponse)
async def upload_document(request: Request, reference: str) -> Response:
    """Attach a file; on success back to the shipment's evidence, else the page with the error and the inputs."""
    who = visitor(request)
    settings = settings_of(request)
    limit = settings.max_document_bytes
    declared = request.headers.get("content-length", "")
    kept: dict[str, str] = {}
    try:
        if declared.isdigit() and int(declared) > limit + ENVELOPE_BYTES:  # refused before the body is read
            raise TooLargeError(f"the upload is {int(declared):,} bytes, more than the {limit:,}-byte limit for "
                                "an evidence file", field="file")  # fmt: skip
        form = await writer_form(request, who)  # CSRF and the operator role, before anything is stored
        kept = {name: str(form.get(name) or "") for name in ("kind", "lab_name", "reference", "date")}
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputError("choose a PDF, PNG or JPEG file to upload", field="file")
        check_size(upload.filename, upload.size, limit)  # its real size, before reading it
        data = await upload.read(limit + 1)
        kind = forms.text(form, "kind", "Kind", max_length=40)
        when = forms.date(form, "date", "Date") if kept["date"].strip() else None
        name = upload.filename
        await run_in_threadpool(lambda: evidence.attach_document(
            reference, kind, name, data, who.principal.actor, lab_name=kept["lab_name"],
            doc_reference=kept["reference"], date=when, settings=settings,
        ))  # fmt: skip
    except NotFoundError:
        raise
    except RigportError as exc:
        if exc.http_status == 403:
            raise
        context = await run_in_threadpool(shipment_context, reference, settings)
        headers = {"Connection": "close"} if exc.http_status == 413 else {}
        response = page(request, "shipment.html", who, exc.http_status, form=None, form_error=None,
                        upload_error=forms.relabel(str(exc), UPLOAD_LABELS), upload=kept, **context)  # fmt: skip
        response.headers.update(headers)
        return response
    return RedirectResponse(f"/shipments/{quote(reference)}?attached=1#evidence", status_code=303)


@router.get("/shipments/{reference}/documents/{document_id}/file")
def download_document(request: Request, reference: str, document_id: int) -> FileResponse:
    """The uploaded file, as an attachment, for anyone signed in (viewer, operator, admin)."""
    visitor(request)
    return download_response(evidence.document_file(reference, document_id, settings_of(request)))
