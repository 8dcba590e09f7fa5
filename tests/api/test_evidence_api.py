"""Evidence files through the API: multipart upload (201), its download (viewer+), and the hostile cases —
wrong content, oversized (413 from the declared length, before the body), a traversal name, a viewer, no token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rigport.adapters import evidence_files as files
from rigport.entrypoints.api.app import create_app
from rigport.services.auth import create_token
from rigport.settings import Settings

SHIPMENT = {"reference": "EVA-1", "mode": "air", "port": "Detroit", "arrival_date": "2026-11-02",
            "total_units": 10, "declared_value_usd": "34000.00"}  # fmt: skip
PDF = b"%PDF-1.7\n" + b"x" * 100
URL = "/api/v1/shipments/EVA-1/documents"
Api = tuple[TestClient, dict[str, dict[str, str]], Settings]


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    settings = Settings(data_dir=tmp_path, max_document_bytes=4096)
    client = TestClient(create_app(settings))
    headers = {}
    for role in ("viewer", "operator"):
        token, _ = create_token(role, settings=settings)
        headers[role] = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/shipments", json=SHIPMENT, headers=headers["operator"]).status_code == 201
    yield client, headers, settings


def _documents(client: TestClient, headers: dict[str, str]) -> list[dict[str, object]]:
    answer: list[dict[str, object]] = client.get(URL, headers=headers).json()
    return answer


def test_upload_then_download(api: Api) -> None:
    client, headers, settings = api
    answer = client.post(URL, headers=headers["operator"], data={"kind": "fcc_sdoc", "reference": "SDoC-1"},
                         files={"file": ("../../../etc/cron.d/sdoc.pdf", PDF, "text/plain")})  # fmt: skip
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["kind"] == "fcc_sdoc" and body["reference"] == "SDoC-1"
    assert body["file"]["filename"] == "sdoc.pdf"  # the path is gone; the type is the content's, not the header's
    assert body["file"]["media_type"] == "application/pdf" and body["file"]["size_bytes"] == len(PDF)
    assert [p.name for p in files.stored_files(settings.data_dir)] == [body["file"]["sha256"]]
    assert not (settings.data_dir.parent / "etc").exists()
    risk = client.get("/api/v1/shipments/EVA-1/risk", headers=headers["viewer"]).json()
    assert {e["item"]: e["status"] for e in risk["evidence"]}["fcc_sdoc"] == "present"
    got = client.get(f"{URL}/{body['id']}/file", headers=headers["viewer"])
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == 'attachment; filename="sdoc.pdf"'
    assert got.headers["x-content-type-options"] == "nosniff" and "sandbox" in got.headers["content-security-policy"]
    assert client.get(f"{URL}/{body['id']}/file").status_code == 401
    audit = client.get("/api/v1/shipments/EVA-1/audit", headers=headers["viewer"]).json()
    assert audit[-1]["action"] == "attach-document"


def test_json_documents_still_work(api: Api) -> None:
    client, headers, _ = api
    answer = client.post(URL, headers=headers["operator"], json={"kind": "commercial_invoice", "reference": "INV-9"})
    assert answer.status_code == 201 and answer.json()["file"] is None
    bad = client.post(URL, headers=headers["operator"], json={"kind": "commercial_invoice", "colour": "red"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(("name", "content", "status", "says"), [
    ("sdoc.pdf", b"MZ\x90\x00 not a pdf", 422, "file: 'sdoc.pdf' is not a PDF, PNG or JPEG file"),
    ("photo.png", PDF, 422, "is named .png but its content is application/pdf"),
    ("empty.pdf", b"", 422, "is empty"),
    ("big.pdf", PDF + b"0" * 4096, 413, "more than the 4,096-byte limit"),
])  # fmt: skip
def test_refused_uploads_store_nothing(api: Api, name: str, content: bytes, status: int, says: str) -> None:
    client, headers, settings = api
    answer = client.post(URL, headers=headers["operator"], data={"kind": "fcc_sdoc"},
                         files={"file": (name, content, "application/pdf")})  # fmt: skip
    assert answer.status_code == status, answer.text
    assert says in answer.json()["detail"]
    assert files.stored_files(settings.data_dir) == [] and _documents(client, headers["viewer"]) == []


def test_an_oversized_body_is_refused_from_its_length_before_it_is_read(api: Api) -> None:
    client, headers, _ = api
    # 1 MiB that is not even valid multipart: the answer comes from the declared length (this wording is the
    # route's check of the header; the service's own size check says "is N bytes" and names the file)
    answer = client.post(URL, headers={**headers["operator"], "Content-Type": "multipart/form-data; boundary=x"},
                         content=b"0" * (16 * 65536))  # fmt: skip
    assert answer.status_code == 413
    assert answer.json()["detail"] == ("file: request body of 1,048,576 bytes: larger than the 4,096-byte limit "
                                       "for an evidence file")  # fmt: skip


def test_roles_and_missing_parts(api: Api) -> None:
    client, headers, settings = api
    upload = {"data": {"kind": "fcc_sdoc"}, "files": {"file": ("sdoc.pdf", PDF, "application/pdf")}}
    assert client.post(URL, headers=headers["viewer"], **upload).status_code == 403  # type: ignore[arg-type]
    assert client.post(URL, **upload).status_code == 401  # type: ignore[arg-type]
    no_file = client.post(URL, headers=headers["operator"], data={"kind": "fcc_sdoc"},
                          files={"other": ("x", b"y", "text/plain")})  # fmt: skip
    assert no_file.status_code == 422 and no_file.json()["detail"].startswith("file: expected a file part named")
    unknown = client.post("/api/v1/shipments/NOPE/documents", headers=headers["operator"], **upload)  # type: ignore[arg-type]
    assert unknown.status_code == 404
    assert files.stored_files(settings.data_dir) == []


def test_the_openapi_document_offers_both_bodies(api: Api) -> None:
    client, _, _ = api
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/shipments/{reference}/documents"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert content["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
