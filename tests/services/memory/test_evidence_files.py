"""Evidence files in memory: an upload becomes a document of the shipment (file kept under the data directory by
its digest, audited, the version moved on); a refused one (not a PDF, PNG or JPEG, too big, a bad field, no such
shipment) leaves neither a row nor a file. The checklist and hold risk, backups, and a disk that refuses the file
stay on the databases (tests/services/test_evidence.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from rigport.adapters import evidence_files as files
from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.adapters.db.scope import Scope
from rigport.adapters.db.tables import ClientRow
from rigport.errors import InputError, NotFoundError, TooLargeError
from rigport.services import evidence, shipments
from rigport.settings import Settings

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-scan"


@pytest.fixture
def small(isolated_data_dir: Path) -> MemoryUnitOfWork:
    """A store whose shipments take files of at most 2 KiB."""
    return MemoryUnitOfWork(Settings(data_dir=isolated_data_dir, max_document_bytes=2048))


def _shipment(uow: MemoryUnitOfWork, reference: str = "EV-1") -> str:
    draft = shipments.ShipmentDraft(reference=reference, mode="air", port="Detroit", arrival_date=dt.date(2026, 11, 2),
                                    total_units=10, declared_value_usd=Decimal("34000"))  # fmt: skip
    return shipments.create_shipment(draft, "test", uow=uow)["reference"]


def _stored(uow: MemoryUnitOfWork, reference: str = "EV-1") -> tuple[list[str | None], int, list[str]]:
    """Read back in a unit of work of its own: the shipment's documents (their files' digests), version, audit."""
    with MemoryUnitOfWork(uow.settings, uow.store) as fresh:
        row = fresh.shipments.get(reference)
        assert row is not None
        actions = [a.action for a in fresh.audit.for_entity("shipment", reference)]
        return [d.sha256 for d in row.documents], row.version, actions


def test_an_upload_is_a_document_with_its_file(uow: MemoryUnitOfWork) -> None:
    reference = _shipment(uow)
    view = evidence.attach_document(reference, "fcc_sdoc", "../../etc/sdoc.pdf", PDF, "ops@example",
                                    doc_reference="SDoC-7", date=dt.date(2026, 10, 30), uow=uow)  # fmt: skip
    stored = view["file"]
    assert stored is not None and view["id"] is not None
    assert (view["kind"], view["reference"], view["date"]) == ("fcc_sdoc", "SDoC-7", dt.date(2026, 10, 30))
    assert (stored["filename"], stored["media_type"], stored["size_bytes"]) == ("sdoc.pdf", "application/pdf", len(PDF))
    assert stored["sha256"] == files.digest(PDF) and stored["uploaded_by"] == "ops@example"
    assert _stored(uow) == ([files.digest(PDF)], 2, ["create", "attach-document"])
    assert files.stored_files(uow.settings.data_dir) == [files.path_for(uow.settings.data_dir, files.digest(PDF))]
    download = evidence.document_file(reference, view["id"], uow=uow)
    assert (download.path.read_bytes(), download.filename, download.media_type) == (PDF, "sdoc.pdf",
                                                                                     "application/pdf")  # fmt: skip
    detail = shipments.get_shipment(reference, uow=uow)
    assert [d["file"]["sha256"] for d in detail["documents"] if d["file"]] == [files.digest(PDF)]
    trail = shipments.audit_trail(reference, uow=uow)
    assert trail[-1]["after"] is not None and trail[-1]["after"]["file"]["sha256"] == files.digest(PDF)


@pytest.mark.parametrize(
    ("kind", "name", "data", "fields", "error", "message"),
    [
        ("fcc_sdoc", "sdoc.pdf", b"#!/bin/sh\nrm -rf /", {}, InputError, "^file: 'sdoc.pdf' is not a PDF, PNG or JPEG"),
        ("fcc_sdoc", "big.pdf", PDF + b"0" * 2048, {}, TooLargeError, "^file: 'big.pdf' is 2,078 bytes, more than"),
        ("fcc_sdoc", "sdoc.pdf", b"", {}, InputError, "^file: 'sdoc.pdf' is empty"),
        ("selfie", "me.png", PNG, {}, InputError, "^kind: expected one of"),
        ("test_report", "r.pdf", PDF, {}, InputError, "^lab_name: a test report needs the name of the lab"),
        ("fcc_sdoc", "s.pdf", PDF, {"doc_reference": "R" * 121}, InputError, "^reference: at most 120 characters"),
        ("fcc_sdoc", "s.pdf", PDF, {"date": dt.date(2099, 1, 1)}, InputError, "^date: "),
    ],
)
def test_a_refused_upload_leaves_no_row_and_no_file(
    small: MemoryUnitOfWork, kind: str, name: str, data: bytes, fields: dict[str, object],
    error: type[Exception], message: str,
) -> None:  # fmt: skip
    reference = _shipment(small)
    with pytest.raises(error, match=message):
        evidence.attach_document(reference, kind, name, data, "ops", uow=small, **fields)  # type: ignore[arg-type]
    assert _stored(small) == ([], 1, ["create"])
    assert files.stored_files(small.settings.data_dir) == []


def test_a_file_stored_for_no_shipment_is_taken_back(uow: MemoryUnitOfWork) -> None:
    reference = _shipment(uow)
    with pytest.raises(NotFoundError, match="'NO-SUCH' not found"):  # stored first, then the row fails
        evidence.attach_document("NO-SUCH", "fcc_sdoc", "sdoc.pdf", PDF, "ops", uow=uow)
    assert files.stored_files(uow.settings.data_dir) == [] and _stored(uow, reference) == ([], 1, ["create"])


def test_the_same_content_is_stored_once_and_goes_with_its_last_document(uow: MemoryUnitOfWork) -> None:
    first, second = _shipment(uow, "EV-1"), _shipment(uow, "EV-2")
    a = evidence.attach_document(first, "packing_list", "list.png", PNG, "ops", uow=uow)
    b = evidence.attach_document(second, "packing_list", "copy.png", PNG, "ops", uow=uow)
    assert len(files.stored_files(uow.settings.data_dir)) == 1
    with pytest.raises(NotFoundError):  # a failed upload of the same content keeps the file the others hold
        evidence.attach_document("NO-SUCH", "packing_list", "again.png", PNG, "ops", uow=uow)
    assert len(files.stored_files(uow.settings.data_dir)) == 1
    shipments.remove_document(first, a["id"] or 0, "ops", uow=uow)
    assert len(files.stored_files(uow.settings.data_dir)) == 1  # EV-2's document still refers to it
    assert evidence.document_file(second, b["id"] or 0, uow=uow).path.read_bytes() == PNG
    shipments.remove_document(second, b["id"] or 0, "ops", uow=uow)
    assert files.stored_files(uow.settings.data_dir) == []
    assert _stored(uow, "EV-2") == ([], 3, ["create", "attach-document", "remove-document"])
    with pytest.raises(NotFoundError, match=r"document \d+ not found on shipment 'EV-2'"):
        evidence.document_file(second, b["id"] or 0, uow=uow)


def test_a_document_recorded_by_hand_has_no_file_to_fetch(uow: MemoryUnitOfWork) -> None:
    reference = _shipment(uow)
    doc = shipments.add_document(reference, "commercial_invoice", "ops", uow=uow)
    assert doc["file"] is None
    with pytest.raises(NotFoundError, match="has no uploaded file"):
        evidence.document_file(reference, doc["id"] or 0, uow=uow)


def test_a_file_another_clients_document_holds_is_kept(uow: MemoryUnitOfWork) -> None:
    """Whether a file is still referred to is counted across every client (`uow.rescoped(Scope())`), not in the scope
    of the identity that removed a document: it cannot see the other client's document, but must keep its file."""
    uow.store.clients[2] = ClientRow(id=2, name="Acme Hosting", created_at=dt.datetime.now(dt.UTC))
    _shipment(uow, "EV-1")  # the Default client's
    draft = shipments.ShipmentDraft(reference="AC-1", mode="air", port="Detroit", arrival_date=dt.date(2026, 11, 2),
                                    total_units=10, declared_value_usd=Decimal("34000"))  # fmt: skip
    shipments.create_shipment(draft, "test", client="Acme Hosting", uow=uow)
    held = evidence.attach_document("EV-1", "packing_list", "list.png", PNG, "ops", uow=uow)
    acme = MemoryUnitOfWork(uow.settings, uow.store, scope=Scope.of([2]))
    mine = evidence.attach_document("AC-1", "packing_list", "mine.png", PNG, "acme", uow=acme)
    with pytest.raises(NotFoundError):  # EV-1 is not Acme's: to its identity it does not exist
        evidence.attach_document("EV-1", "packing_list", "x.png", PNG, "acme", uow=acme)
    assert evidence.references_to(files.digest(PNG), acme.settings, uow=acme) == 2
    shipments.remove_document("AC-1", mine["id"] or 0, "acme", uow=acme)
    assert evidence.document_file("EV-1", held["id"] or 0, uow=uow).path.read_bytes() == PNG
