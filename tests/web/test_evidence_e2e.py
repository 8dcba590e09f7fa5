"""Issue #30's evidence, new-shipment and audit pages in a real browser (Debian's Chromium, `rigport serve` on
the demo data): a shipment created with pasted lines, a PDF uploaded through the file input and downloaded,
the audit trail filtered; at 390x844 with no sideways scroll and no serious axe-core finding; and without
JavaScript. Screenshots as in tests/web/test_daily_e2e.py (phone-*.png)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import browser as daily

server = daily.server  # the same fixtures: `rigport serve` on the demo data, Debian's Chromium
browser = daily.browser
sync_api = daily.sync_api

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LINES = ("line,model,quantity,unit_value,hts_code,origin,serials\n"
         "1,antminer-s21,2,3400,8471.50.0150,MY,E2E-A;E2E-B\n")  # fmt: skip


def create_upload_and_audit(page: Any, server: dict[str, str], reference: str, tag: str) -> list[str]:
    """The three pages used as a person would, each checked (fit, axe-core) when JavaScript runs."""
    expect = sync_api.expect
    base = server["base"]
    problems: list[str] = []
    checking = tag != "no-js-"

    def check(name: str) -> None:
        if checking:
            daily.check(page, f"{tag}{name}", problems)

    daily.sign_in(page, server)
    page.get_by_role("link", name="New shipment").click()
    expect(page.locator("h1")).to_have_text("New shipment")
    check("new-shipment")
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Port of entry").fill("Los Angeles")
    page.get_by_label("Arrival date").fill("2026-11-20")
    page.get_by_label("Pasted line items").fill(LINES.replace("0150,MY", "0150,ZZ"))
    page.get_by_role("button", name="Create shipment").click()
    expect(page.locator("#line-problems li").first).to_contain_text("row 2, column origin")
    expect(page.get_by_label("Reference")).to_have_value(reference)  # the inputs are kept
    check("new-shipment-error")
    page.get_by_label("Pasted line items").fill(LINES)
    page.get_by_role("button", name="Create shipment").click()
    page.wait_for_url(f"{base}/shipments/{reference.upper()}?created=1")
    expect(page.locator("#evidence tr[data-evidence=fcc_sdoc] .badge")).to_have_text("missing")
    page.get_by_label("Kind").select_option("fcc_sdoc")
    page.get_by_label("File (PDF").set_input_files(files=[{"name": "../sdoc.pdf", "mimeType": "application/pdf",
                                                           "buffer": PDF}])  # fmt: skip
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-done")).to_be_visible()
    expect(page.locator("#evidence tr[data-evidence=fcc_sdoc] .badge")).to_have_text("present")
    check("shipment-with-evidence")
    link = page.locator("#documents a", has_text="sdoc.pdf")
    with page.expect_download() as download:
        link.click()
    saved = download.value.path()
    assert saved is not None and Path(saved).read_bytes() == PDF
    assert download.value.suggested_filename == "sdoc.pdf"
    page.get_by_label("File (PDF").set_input_files(files=[{"name": "sdoc.pdf", "mimeType": "application/pdf",
                                                           "buffer": b"MZ not a pdf"}])  # fmt: skip
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-error")).to_contain_text("is not a PDF, PNG or JPEG file")
    page.get_by_role("link", name="All ").click()  # the shipment's own trail
    expect(page.locator("h1")).to_contain_text(f"Audit trail of {reference.upper()}")
    expect(page.locator("#audit tbody tr")).to_have_count(3)  # create, import-manifest, attach-document
    check("shipment-audit")
    page.goto(f"{base}/audit?action=attach-document")
    expect(page.locator("#audit tbody tr").first).to_contain_text(reference.upper())
    page.locator("#audit details summary").first.click()
    expect(page.locator("#audit .changes").first).to_contain_text("sdoc.pdf")
    check("audit")
    return problems


def expected_only(problems: list[str]) -> list[str]:
    """Besides the refusals the visit asks for (422 on the bad lines and the bad file)."""
    return [p for p in problems if "422" not in p and "Unprocessable" not in p]


def test_on_a_phone_with_axe(server: dict[str, str], browser: Any) -> None:
    page = daily.watched_page(browser, server, viewport=daily.PHONE, is_mobile=True, has_touch=True,
                              accept_downloads=True)  # fmt: skip
    assert create_upload_and_audit(page, server, "e2e-phone-1", "phone-") == []
    assert page.outside == [] and expected_only(page.problems) == []


def test_without_javascript(server: dict[str, str], browser: Any) -> None:
    page = daily.watched_page(browser, server, java_script_enabled=False, accept_downloads=True)
    assert create_upload_and_audit(page, server, "e2e-nojs-1", "no-js-") == []
    assert expected_only(page.problems) == []
