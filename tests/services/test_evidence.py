"""Evidence files on SQLite and PostgreSQL: the checklist and hold risk count an upload; a failed upload leaves
neither a file nor a row; a file is stored once by its digest, and goes when no document refers to it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from rigport.adapters import evidence_files as files
from rigport.errors import InputError, NotFoundError
from rigport.services import evidence, shipments
from rigport.services.assess import assess_shipment
from rigport.settings import Settings

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-scan"


def _shipment(settings: Settings, reference: str = "EV-1") -> str:
    draft = shipments.ShipmentDraft(reference=reference, mode="air", port="Detroit", arrival_date=dt.date(2026, 11, 2),
                                    total_units=10, declared_value_usd=Decimal("34000"))  # fmt: skip
    return shipments.create_shipment(draft, "test", settings)["reference"]


def _status(settings: Settings, reference: str) -> dict[str, str]:
    return {e["item"]: e["status"] for e in assess_shipment(reference, settings)["evidence"]}


def test_an_upload_is_a_document_the_checklist_and_risk_count(settings: Settings) -> None:
    reference = _shipment(settings)
    before = assess_shipment(reference, settings)
    assert _status(settings, reference)["fcc_sdoc"] == "missing"
    view = evidence.attach_document(reference, "fcc_sdoc", "../../etc/sdoc.pdf", PDF, "ops@example",
                                    doc_reference="SDoC-7", settings=settings)  # fmt: skip
    assert view["kind"] == "fcc_sdoc" and view["reference"] == "SDoC-7"
    stored = view["file"]
    assert stored is not None
    assert (stored["filename"], stored["media_type"], stored["size_bytes"]) == ("sdoc.pdf", "application/pdf", len(PDF))
    assert stored["sha256"] == files.digest(PDF) and stored["uploaded_by"] == "ops@example"
    assert _status(settings, reference)["fcc_sdoc"] == "present"
    after = assess_shipment(reference, settings)
    assert "missing_sdoc" in {f["code"] for f in before["factors"]} - {f["code"] for f in after["factors"]}
    assert after["probability"] < before["probability"]
    # the one source of truth: the shipment's documents list the upload, the file is on disk by its digest
    detail = shipments.get_shipment(reference, settings)
    assert [d["file"]["sha256"] for d in detail["documents"] if d["file"]] == [stored["sha256"]]
    assert files.stored_files(settings.data_dir) == [files.path_for(settings.data_dir, stored["sha256"])]
    download = evidence.document_file(reference, view["id"] or 0, settings)
    assert download.path.read_bytes() == PDF and download.filename == "sdoc.pdf"
    trail = shipments.audit_trail(reference, settings)
    assert trail[-1]["action"] == "attach-document" and trail[-1]["actor"] == "ops@example"
    assert trail[-1]["after"] is not None and trail[-1]["after"]["file"]["sha256"] == stored["sha256"]


def test_a_test_report_needs_its_lab_and_a_withdrawn_lab_is_weak(settings: Settings) -> None:
    reference = _shipment(settings)
    with pytest.raises(InputError, match="^lab_name: a test report needs the name of the lab"):
        evidence.attach_document(reference, "test_report", "r.pdf", PDF, "ops", settings=settings)
    assert files.stored_files(settings.data_dir) == []
    evidence.attach_document(reference, "test_report", "r.pdf", PDF, "ops", lab_name="CAICT", settings=settings)
    assert _status(settings, reference)["test_report"] == "weak"  # a lab that lost its FCC recognition
    assert "weak_test_report" in {f["code"] for f in assess_shipment(reference, settings)["factors"]}


def test_a_failed_upload_leaves_no_file_and_no_row(settings: Settings) -> None:
    reference = _shipment(settings)
    with pytest.raises(NotFoundError):  # the file is stored first, then the row fails: the file is taken back
        evidence.attach_document("NO-SUCH", "fcc_sdoc", "sdoc.pdf", PDF, "ops", settings=settings)
    with pytest.raises(InputError, match="^kind: expected one of"):
        evidence.attach_document(reference, "selfie", "sdoc.pdf", PDF, "ops", settings=settings)
    with pytest.raises(InputError, match="is not a PDF, PNG or JPEG"):
        evidence.attach_document(reference, "fcc_sdoc", "sdoc.pdf", b"#!/bin/sh\nrm -rf /", "ops", settings=settings)
    assert files.stored_files(settings.data_dir) == []
    assert shipments.get_shipment(reference, settings)["documents"] == []
    assert [a["action"] for a in shipments.audit_trail(reference, settings)] == ["create"]


def test_a_disk_that_refuses_the_file_leaves_no_row(settings: Settings) -> None:
    reference = _shipment(settings)
    files.root(settings.data_dir).write_text("a file where the folder should be")  # mkdir under it fails
    with pytest.raises(Exception, match="cannot store the file"):
        evidence.attach_document(reference, "fcc_sdoc", "sdoc.pdf", PDF, "ops", settings=settings)
    assert shipments.get_shipment(reference, settings)["documents"] == []


def test_the_same_content_is_stored_once_and_removed_with_its_last_document(settings: Settings) -> None:
    first, second = _shipment(settings, "EV-1"), _shipment(settings, "EV-2")
    a = evidence.attach_document(first, "packing_list", "list.png", PNG, "ops", settings=settings)
    b = evidence.attach_document(second, "packing_list", "copy.png", PNG, "ops", settings=settings)
    assert len(files.stored_files(settings.data_dir)) == 1
    with pytest.raises(NotFoundError):  # but a failed upload of the same content keeps the stored file
        evidence.attach_document("NO-SUCH", "packing_list", "again.png", PNG, "ops", settings=settings)
    assert len(files.stored_files(settings.data_dir)) == 1
    shipments.remove_document(first, a["id"] or 0, "ops", settings)
    assert len(files.stored_files(settings.data_dir)) == 1  # the other shipment's document still refers to it
    assert evidence.document_file(second, b["id"] or 0, settings).path.read_bytes() == PNG
    shipments.remove_document(second, b["id"] or 0, "ops", settings)
    assert files.stored_files(settings.data_dir) == []
    with pytest.raises(NotFoundError, match="document .* not found"):
        evidence.document_file(second, b["id"] or 0, settings)


def test_a_document_recorded_by_hand_has_no_file(settings: Settings) -> None:
    reference = _shipment(settings)
    doc = shipments.add_document(reference, "commercial_invoice", "ops", settings=settings)
    assert doc["file"] is None
    with pytest.raises(NotFoundError, match="has no uploaded file"):
        evidence.document_file(reference, doc["id"] or 0, settings)


def test_a_backup_carries_the_files_and_a_restore_brings_them_back(settings: Settings, tmp_path: Path) -> None:
    import shutil

    from rigport.services import db
    from tests.pg import skip_or_fail

    if settings.database_url and not shutil.which("pg_dump"):
        skip_or_fail("pg_dump not installed")
    reference = _shipment(settings)
    view = evidence.attach_document(reference, "fcc_sdoc", "sdoc.pdf", PDF, "ops", settings=settings)
    target = tmp_path / "backups" / "rigport.backup"
    assert db.backup(target, settings)["documents"] == 1
    assert (files.companion(target) / files.digest(PDF)[:2] / files.digest(PDF)).read_bytes() == PDF
    shutil.rmtree(files.root(settings.data_dir))  # the disk lost them
    restored = db.restore(target, settings)
    assert restored["documents"] == 1
    assert evidence.document_file(reference, view["id"] or 0, settings).path.read_bytes() == PDF
    damaged = files.companion(target) / files.digest(PDF)[:2] / files.digest(PDF)
    damaged.write_bytes(PDF + b"tampered")
    shutil.rmtree(files.root(settings.data_dir))
    evidence.attach_document(reference, "packing_list", "list.png", PNG, "ops", settings=settings)
    with pytest.raises(Exception, match="does not match its SHA-256 name"):  # refused before the database changes
        db.restore(target, settings)
    assert [d["kind"] for d in shipments.get_shipment(reference, settings)["documents"]] == ["fcc_sdoc", "packing_list"]
