"""Evidence upload on the shipment page, without JavaScript: operators upload with the CSRF token and come back to
the checklist; refusals answer the whole page with the error and the inputs kept, and store nothing."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from rigport.adapters import evidence_files as files
from rigport.services import shipments
from rigport.settings import Settings
from tests.helpers import run_cli
from tests.helpers.web import sign_in

PAGE = "/shipments/DEMO-SFO-S21"
PDF = b"%PDF-1.4\n" + b"scan" * 50


def _status(html: str, item: str) -> str:
    match = re.search(rf'data-evidence="{item}"><td>[^<]*</td><td><span class="badge ev-(\w+)"', html)
    assert match, item
    return match.group(1)


def _files(settings: Settings) -> list[Path]:
    return files.stored_files(settings.data_dir)


def test_an_operator_uploads_and_the_checklist_updates(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    csrf = sign_in(client, settings)
    page = client.get(PAGE).text
    assert 'enctype="multipart/form-data"' in page and 'name="csrf_token"' in page.split('id="upload-form"')[1]
    assert _status(page, "test_report") == "missing"
    sent = client.post(f"{PAGE}/documents", data={"csrf_token": csrf, "kind": "test_report", "lab_name": "CAICT"},
                       files={"file": ("..\\..\\report.pdf", PDF, "application/pdf")}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == f"{PAGE}?attached=1#evidence"
    page = client.get(sent.headers["location"]).text
    assert 'id="upload-done"' in page
    assert _status(page, "test_report") == "weak"  # CAICT lost its recognition: the risk factors say so too
    assert "CAICT" in page and "report.pdf" in page
    link = re.search(rf'href="({PAGE}/documents/(\d+)/file)"', page)
    assert link
    got = client.get(link.group(1))
    assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == 'attachment; filename="report.pdf"'
    packet = client.get(f"{PAGE}/packet").text
    assert 'id="attachments"' in packet and f'href="{link.group(1)}"' in packet and files.digest(PDF) in packet


def test_a_refused_upload_shows_the_page_with_the_error_and_keeps_the_inputs(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    csrf = sign_in(client, settings)
    before = len(shipments.get_shipment("DEMO-SFO-S21", settings)["documents"])
    answer = client.post(f"{PAGE}/documents", data={"csrf_token": csrf, "kind": "fcc_sdoc", "reference": "SDoC-42"},
                         files={"file": ("sdoc.pdf", b"<script>alert(1)</script>", "application/pdf")})  # fmt: skip
    assert answer.status_code == 422
    assert answer.text.lstrip().lower().startswith("<!doctype html>")
    error = re.search(r'id="upload-error">([^<]+)<', answer.text)
    assert error and error.group(1).startswith("File: &#39;sdoc.pdf&#39; is not a PDF, PNG or JPEG file")
    assert 'value="SDoC-42"' in answer.text and '<option value="fcc_sdoc" selected>' in answer.text
    missing_lab = client.post(f"{PAGE}/documents", data={"csrf_token": csrf, "kind": "test_report"},
                              files={"file": ("r.pdf", PDF, "application/pdf")})  # fmt: skip
    assert missing_lab.status_code == 422 and "Lab: a test report needs the name of the lab" in missing_lab.text
    no_file = client.post(f"{PAGE}/documents", data={"csrf_token": csrf, "kind": "fcc_sdoc"})
    assert no_file.status_code == 422 and "File: choose a PDF, PNG or JPEG file" in no_file.text
    assert _files(settings) == []
    assert len(shipments.get_shipment("DEMO-SFO-S21", settings)["documents"]) == before


def test_hostile_uploads_are_refused_and_store_nothing(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient as Client

    from rigport.entrypoints.api.app import create_app
    from rigport.services.demo import seed

    settings = Settings(data_dir=tmp_path, max_document_bytes=2048)
    seed(settings)
    client = Client(create_app(settings), base_url="https://testserver")
    upload = {"file": ("sdoc.pdf", PDF, "application/pdf")}
    assert client.post(f"{PAGE}/documents", data={"kind": "fcc_sdoc"}, files=upload,
                       follow_redirects=False).status_code == 303  # not signed in: to the login page  # fmt: skip
    csrf = sign_in(client, settings, "viewer")
    page = client.get(PAGE).text
    assert 'id="upload-form"' not in page and 'id="upload-read-only"' in page
    viewer = client.post(f"{PAGE}/documents", data={"csrf_token": csrf, "kind": "fcc_sdoc"}, files=upload)
    assert viewer.status_code == 403 and "needs the operator role" in viewer.text
    csrf = sign_in(client, settings, "operator")
    no_csrf = client.post(f"{PAGE}/documents", data={"kind": "fcc_sdoc"}, files=upload)
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text
    forged = client.post(f"{PAGE}/documents", data={"kind": "fcc_sdoc", "csrf_token": "x" * 43}, files=upload)
    assert forged.status_code == 403
    big = client.post(f"{PAGE}/documents", data={"csrf_token": csrf, "kind": "fcc_sdoc"},
                      files={"file": ("big.pdf", PDF + b"0" * 70_000, "application/pdf")})  # fmt: skip
    assert big.status_code == 413 and "more than the 2,048-byte limit" in big.text
    over = client.post(f"{PAGE}/documents", data={"csrf_token": csrf, "kind": "fcc_sdoc"},
                       files={"file": ("big.pdf", PDF + b"0" * 2048, "application/pdf")})  # fmt: skip
    assert over.status_code == 413 and "&#39;big.pdf&#39; is 2,257 bytes, more than the 2,048-byte limit" in over.text
    assert _files(settings) == []
    assert all(d["file"] is None for d in shipments.get_shipment("DEMO-SFO-S21", settings)["documents"])
    client.cookies.clear()
    assert client.get(f"{PAGE}/documents/1/file", follow_redirects=False).status_code == 303


def test_the_cli_attaches_a_file(tmp_path: Path, isolated_data_dir: Path) -> None:
    assert run_cli("demo", "--no-serve").returncode == 0
    scan = tmp_path / "SDoC scan.pdf"
    scan.write_bytes(PDF)
    done = run_cli("shipments", "attach", "DEMO-SFO-S21", str(scan), "--kind", "fcc_sdoc", "--json")
    assert done.returncode == 0, done.stderr
    assert '"filename": "SDoC scan.pdf"' in done.stdout and '"media_type": "application/pdf"' in done.stdout
    fake = tmp_path / "sdoc.pdf"
    fake.write_text("not a pdf")
    refused = run_cli("shipments", "attach", "DEMO-SFO-S21", str(fake), "--kind", "fcc_sdoc")
    assert refused.returncode == 2
    assert refused.stderr.strip() == "error: FILE: 'sdoc.pdf' is not a PDF, PNG or JPEG file (its content does " \
        "not begin like one, whatever its name says)"
    no_lab = run_cli("shipments", "attach", "DEMO-SFO-S21", str(scan), "--kind", "test_report")
    assert no_lab.returncode == 2 and no_lab.stderr.startswith("error: --lab: a test report needs")
    assert len(files.stored_files(isolated_data_dir)) == 1
    out = tmp_path / "packet"
    packet = run_cli("packet", "DEMO-SFO-S21", "--output", str(out), "--no-pdf", "--json")
    assert packet.returncode == 0, packet.stderr
    copied = list((out / "packet-DEMO-SFO-S21-files").iterdir())
    assert [p.read_bytes() for p in copied] == [PDF]
    assert f'href="packet-DEMO-SFO-S21-files/{copied[0].name}"' in (out / "packet-DEMO-SFO-S21.html").read_text()


def test_a_missing_item_links_to_the_upload_form_with_its_kind(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    sign_in(client, settings)
    page = client.get(PAGE).text
    row = page.split('data-evidence="certificate_of_origin"')[1].split("</tr>")[0]
    link = re.search(r'href="([^"]+)" class="small">Upload it</a>', row)
    assert link and link.group(1) == f"{PAGE}?kind=certificate_of_origin#upload-form"
    chosen = client.get(f"{PAGE}?kind=certificate_of_origin").text
    assert '<option value="certificate_of_origin" selected>' in chosen
    assert "Upload it" not in page.split('data-evidence="us_responsible_party"')[1].split("</tr>")[0]  # a party


def test_the_cli_creates_a_shipment_with_its_manifest_or_nothing(tmp_path: Path, isolated_data_dir: Path) -> None:
    good = tmp_path / "invoice.csv"
    good.write_text("line,model,quantity,unit_value,hts_code,origin,serials\n1,antminer-s21,2,3400,8471.50.0150,MY,\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("line,model,quantity,unit_value,hts_code,origin\n1,antminer-s21,two,3400,8471.50.0150,MY\n")
    args = ("shipments", "create", "--mode", "air", "--port", "Detroit", "--arrival", "2026-11-20", "--units", "2",
            "--value", "6800")  # fmt: skip
    refused = run_cli(*args, "CLI-BAD", "--manifest", str(bad))
    assert refused.returncode == 2 and "row 2, column quantity" in refused.stderr
    assert run_cli("shipments", "show", "CLI-BAD").returncode == 2  # not created
    made = run_cli(*args, "CLI-OK", "--manifest", str(good))
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "created CLI-OK for Default (ARRIVED, 1 line item)"
