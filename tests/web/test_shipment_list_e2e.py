"""Issue #30 in a real browser (Chromium via Playwright, `rigport serve` on the demo data): the shipments page is
driven by its URL, sorts and pages (htmx swapping the results, the URL following), and downloads its view as CSV;
without JavaScript the same form and links work as plain GETs."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from tests.helpers import browser as daily

server = daily.server  # the same fixtures: `rigport serve` on the demo data (plus EVIL-1), Debian's Chromium
browser = daily.browser
sync_api = daily.sync_api


def _shown(page: Any) -> list[str]:
    return page.locator("#shipment-list tbody tr").evaluate_all(  # type: ignore[no-any-return]
        "rows => rows.map(r => r.dataset.reference)")


def test_filter_by_url_sort_page_and_download(server: dict[str, str], browser: Any, tmp_path: Path) -> None:
    expect = sync_api.expect
    page = daily.watched_page(browser, server, accept_downloads=True)
    daily.sign_in(page, server)
    base = server["base"]
    page.goto(base + "/shipments?port=San%20Francisco&sort=reference")  # a shared link
    expect(page.locator("#shipment-count")).to_have_text("3 found")
    assert _shown(page) == ["DEMO-SFO-M60S", "DEMO-SFO-S21", "DEMO-SFO-S21PRO"]
    expect(page.get_by_label("Port", exact=True)).to_have_value("San Francisco")
    # sort by declared value, then flip it: htmx swaps the results and the address bar follows
    page.locator("a[data-sort=declared_value_usd]").click()
    expect(page.locator("th[aria-sort=ascending] a[data-sort=declared_value_usd]")).to_have_count(1)
    assert _shown(page) == ["DEMO-SFO-M60S", "DEMO-SFO-S21PRO", "DEMO-SFO-S21"]  # $4.5M, $5.04M, $8.5M
    page.locator("a[data-sort=declared_value_usd]").click()
    expect(page.locator("th[aria-sort=descending] a[data-sort=declared_value_usd]")).to_have_count(1)
    assert _shown(page) == ["DEMO-SFO-S21", "DEMO-SFO-S21PRO", "DEMO-SFO-M60S"]
    assert "sort=declared_value_usd" in page.url and "order=desc" in page.url and "port=San+Francisco" in page.url
    # the search form, then pages of three
    page.goto(base + "/shipments?per_page=3&sort=reference")
    expect(page.locator("#pager")).to_contain_text("Showing 1–3 of 7")
    first = _shown(page)
    page.get_by_role("link", name="Next →").click()
    expect(page.locator("#pager")).to_contain_text("Showing 4–6 of 7")
    assert "page=2" in page.url
    second = _shown(page)
    assert first + second == sorted(first + second) and not set(first) & set(second)
    page.get_by_label("Search", exact=False).fill("demo-dtw")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#shipment-count")).to_have_text("2 found")
    assert "q=demo-dtw" in page.url
    # the download carries the view's filters and holds every row of it
    with page.expect_download() as waiting:
        page.locator("#downloads a[data-table=shipments][data-format=csv]").click()
    download = waiting.value
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    assert target.name.startswith("rigport-shipments-") and target.suffix == ".csv"
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["reference", "mode", "port"]
    assert [r[0] for r in rows[1:]] == ["DEMO-DTW-A1566", "DEMO-DTW-T21"]
    assert page.outside == [] and daily.unexpected(page.problems) == []


def test_the_page_fits_a_phone_and_passes_axe(server: dict[str, str], browser: Any) -> None:
    page = daily.watched_page(browser, server, viewport=daily.PHONE, is_mobile=True, has_touch=True)
    daily.sign_in(page, server)
    problems: list[str] = []
    page.goto(server["base"] + "/shipments?sort=next_deadline")
    daily.check(page, "phone-shipments", problems)
    page.goto(server["base"] + "/shipments?sort=nope")
    sync_api.expect(page.locator("#filter-error")).to_contain_text("sort: expected one of")
    daily.check(page, "phone-shipments-error", problems)
    assert problems == []


def test_without_javascript(server: dict[str, str], browser: Any) -> None:
    expect = sync_api.expect
    page = daily.watched_page(browser, server, java_script_enabled=False)
    daily.sign_in(page, server)
    page.goto(server["base"] + "/shipments")
    page.get_by_label("Port", exact=True).select_option("Detroit")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#shipment-count")).to_have_text("2 found")
    assert "port=Detroit" in page.url
    page.locator("a[data-sort=reference]").click()
    expect(page.locator("th[aria-sort=ascending] a[data-sort=reference]")).to_have_count(1)
    assert _shown(page) == ["DEMO-DTW-A1566", "DEMO-DTW-T21"]
