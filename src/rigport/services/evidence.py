"""Use cases of evidence files (issue #30): attach a PDF/PNG/JPEG to a shipment, fetch it back, forget it.

An uploaded file is a document of the shipment like one recorded by hand (kind, lab, reference): the same row
of the `documents` table, with its file described (name, media type, size, SHA-256, who, when). So the evidence
checklist and the hold-risk factors (services.assess reads `documents` kind -> lab) change as soon as a file is
attached, and the packet lists it: one source of truth. The bytes are kept under the data directory by their
digest (`adapters.evidence_files`), keyed in the database on the shipment's id.

All or nothing: the file is checked (type by its first bytes, size) before anything is written; it is stored,
then the row and its audit entry are written in one transaction; if that transaction fails the file is taken
back, so a failed upload leaves neither a file nor a row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rigport.adapters import evidence_files as files
from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.scope import Scope
from rigport.adapters.db.shipment_mapping import DocumentView, document_view
from rigport.adapters.db.shipment_reads import get_row
from rigport.adapters.db.tables import DocumentRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.domain.customs.evidence_files import check_upload
from rigport.domain.customs.model import DOCUMENT_KINDS, check_record_date
from rigport.errors import InputError, NotFoundError
from rigport.services._unit import settings_of, unit
from rigport.settings import Settings

MAX_LAB = 200
MAX_REFERENCE = 120


@dataclass(frozen=True)
class Download:
    """A stored evidence file as an entry point hands it out: where it is, and the name and type to send."""

    path: Path
    filename: str
    media_type: str
    size_bytes: int


def _check_fields(kind: str, lab_name: str, doc_reference: str, date: dt.date | None) -> None:
    if kind not in DOCUMENT_KINDS:
        raise InputError(f"expected one of {', '.join(DOCUMENT_KINDS)}, got {kind!r}", field="kind")
    if kind == "test_report" and not lab_name.strip():
        raise InputError("a test report needs the name of the lab that issued it (the checklist checks the "
                         "lab's FCC recognition)", field="lab_name")  # fmt: skip
    if len(lab_name) > MAX_LAB:
        raise InputError(f"at most {MAX_LAB} characters, got {len(lab_name)}", field="lab_name")
    if len(doc_reference) > MAX_REFERENCE:
        raise InputError(f"at most {MAX_REFERENCE} characters, got {len(doc_reference)}", field="reference")
    if date is not None:
        check_record_date(date, "date", dt.date.today())


def attach_document(
    reference: str,
    kind: str,
    filename: str,
    data: bytes,
    actor: str,
    *,
    lab_name: str = "",
    doc_reference: str = "",
    date: dt.date | None = None,
    notes: str = "",
    settings: Settings | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> DocumentView:
    """Attach an evidence file to a shipment as a document of `kind`; audited as `attach-document`. `uow`: the
    caller's unit of work (the fast tests' in-memory one), else the database's of `settings`; the file goes under
    the data directory of the settings either way."""
    settings = settings_of(settings, uow)
    lab_name, doc_reference = lab_name.strip(), doc_reference.strip()
    _check_fields(kind, lab_name, doc_reference, date)
    checked = check_upload(filename, data, settings.max_document_bytes)
    stored = files.put(settings.data_dir, data)
    try:
        with unit(settings, uow) as work:
            row = get_row(work, reference)
            doc = DocumentRow(kind=kind, date=date, reference=doc_reference, lab_name=lab_name, notes=notes,
                              filename=checked.filename, media_type=checked.media_type,
                              size_bytes=checked.size_bytes, sha256=stored.sha256, uploaded_by=actor,
                              uploaded_at=dt.datetime.now(dt.UTC))  # fmt: skip
            row.documents.append(doc)
            row.updated_at = dt.datetime.now(dt.UTC)  # the shipment's version moves on: cached views renew
            work.flush()
            view = document_view(doc)
            work.audit.record(actor, "attach-document", "shipment", row.reference, None, view)
            work.commit()
            return view
    except BaseException:
        _take_back(stored, settings, uow)
        raise



def _take_back(stored: files.Stored, settings: Settings, uow: AbstractUnitOfWork | None = None) -> None:
    """Remove a file this upload created, unless a committed document refers to the same content meanwhile."""
    if not stored.created:
        return
    try:
        if references_to(stored.sha256, settings, uow=uow) == 0:
            files.discard(stored)
    except Exception:  # the database is down too: the file has no row, so removing it loses nothing
        files.discard(stored)


def references_to(sha256: str, settings: Settings, *, uow: AbstractUnitOfWork | None = None) -> int:
    """Documents of any client referring to the content: counted broker-wide, never in the caller's client
    scope (issue #28), or a scoped upload that failed would delete a file another client's document holds.
    With `uow`, on a broker-wide unit of work of the same store (`uow.rescoped(Scope())`)."""
    with (uow.rescoped(Scope()) if uow is not None else UnitOfWork(settings, scope=Scope())) as work:
        return work.shipments.documents_with_file(sha256)


def document_file(
    reference: str, document_id: int, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> Download:
    """The stored file of one document of a shipment (NotFoundError for a document without a file)."""
    settings = settings_of(settings, uow)
    with unit(settings, uow) as uow:
        row = get_row(uow, reference)
        doc = next((d for d in row.documents if d.id == document_id), None)
        if doc is None:
            raise NotFoundError(f"document {document_id} not found on shipment {row.reference!r}")
        if doc.sha256 is None:
            raise NotFoundError(f"document {document_id} of shipment {row.reference!r} has no uploaded file")
        path = files.path_for(settings.data_dir, doc.sha256)
        if not path.is_file():
            raise NotFoundError(f"the file of document {document_id} ({doc.filename}) is missing from "
                                f"{files.root(settings.data_dir)}: restore it from a backup")  # fmt: skip
        return Download(path, doc.filename or "document", doc.media_type or "application/octet-stream",
                        doc.size_bytes or 0)  # fmt: skip


def forget_file(sha256: str | None, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None) -> None:
    """After a document was removed: delete its stored content if no other document refers to it."""
    settings = settings_of(settings, uow)
    if sha256 and references_to(sha256, settings, uow=uow) == 0:
        files.remove_unreferenced(settings.data_dir, sha256)
