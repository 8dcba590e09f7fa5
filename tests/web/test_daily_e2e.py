"""Issue #30 in a real browser (Debian's Chromium via Playwright, `rigport serve` on the demo data): the API
reference works offline, pages fit a phone, forms work without JavaScript, axe-core finds no serious fault.

Screenshots go where tests/web/test_dashboard_e2e.py puts its own (SCREENSHOTS_DIR, else a temporary folder).
"""

from __future__ import annotations

from typing import Any

from tests.helpers import browser as browser_helpers
from tests.helpers.browser import PHONE, SCREENSHOTS, check, sign_in, sync_api, unexpected, watched_page

server = browser_helpers.server  # `rigport serve` on the demo data, Debian's Chromium
browser = browser_helpers.browser

def test_api_reference_works_offline(server: dict[str, str], browser: Any) -> None:
    page = watched_page(browser, server)
    expect = sync_api.expect
    page.goto(server["base"] + "/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() > 20  # every operation of the API is listed
    expect(page.locator(".swagger-ui .title")).to_contain_text("rigport")
    page.wait_for_load_state("networkidle")
    assert page.outside == [] and page.problems == []
    page.goto(server["base"] + "/redoc")  # no ReDoc asset is installable from packages: it leads to /docs
    assert page.url == server["base"] + "/docs"
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20_000)


def test_screening_index_is_built_at_server_start(server: dict[str, str], browser: Any) -> None:
    """`rigport serve` builds the screening index in the background as it starts, so the first /screening does
    not wait for the build (~6 s compiled, much longer in pure Python under load). Shown by the index's cache
    file appearing before anything asked for a screen; then the page loads from memory."""
    import time
    from pathlib import Path

    cache = Path(server["data_dir"]) / "cache"
    deadline = time.monotonic() + 240
    while not list(cache.glob("screening-index-*.pickle")) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert list(cache.glob("screening-index-*.pickle")), "no screening index built at start"
    page = watched_page(browser, server)
    sign_in(page, server)
    started = time.monotonic()
    page.goto(server["base"] + "/screening")
    sync_api.expect(page.locator("#list-versions tbody tr").first).to_be_visible()
    assert time.monotonic() - started < 5.0  # from memory: no load, no build


def visit_every_page(page: Any, server: dict[str, str], tag: str) -> list[str]:
    """Every page and every form result, checked as it is shown; returns what is wrong."""
    expect = sync_api.expect
    problems: list[str] = []
    base = server["base"]
    page.goto(base + "/login")
    check(page, f"{tag}login", problems)
    sign_in(page, server)
    expect(page.locator("#chart-cost[data-rendered]")).to_have_count(1)
    check(page, f"{tag}portfolio", problems)
    page.goto(base + "/shipments/DEMO-SFO-M60S")
    check(page, f"{tag}shipment", problems)
    page.get_by_label("Event", exact=True).select_option("release")
    page.get_by_label("Units", exact=True).fill("99999")
    page.get_by_role("button", name="Record event").click()
    expect(page.locator("#event-error")).to_contain_text("Units: 99999 units requested")
    check(page, f"{tag}shipment-error", problems)
    page.goto(base + "/shipments/DEMO-SFO-M60S/packet")
    check(page, f"{tag}packet", problems)
    page.goto(base + "/screening?q=Sophgo%20Technologies")
    check(page, f"{tag}screening", problems)
    page.goto(base + "/economics")
    page.get_by_role("button", name="Breakeven and payback").click()
    expect(page.locator("#payback")).to_contain_text("days")
    page.get_by_label("Paths (max").fill("1000")
    page.get_by_role("button", name="Run simulation").click()
    expect(page.locator("#chart-npv[data-rendered]")).to_have_count(1, timeout=30_000)
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#chart-compare[data-rendered]")).to_have_count(1, timeout=60_000)
    check(page, f"{tag}economics", problems)
    page.goto(base + "/reminders")
    check(page, f"{tag}reminders", problems)
    page.goto(base + "/shipments/NO-SUCH-SHIPMENT")
    check(page, f"{tag}not-found", problems)
    page.goto(base + "/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20_000)
    check(page, f"{tag}docs", problems)
    return problems


def test_every_page_fits_a_phone_and_passes_axe(server: dict[str, str], browser: Any) -> None:
    """At 390x844 (a phone) nothing scrolls sideways; axe-core finds nothing serious; screenshots phone-*.png."""
    page = watched_page(browser, server, viewport=PHONE, is_mobile=True, has_touch=True)
    problems = visit_every_page(page, server, "phone-")
    assert problems == []
    assert page.outside == []
    assert unexpected(page.problems) == []


def test_every_page_passes_axe_on_a_desktop(server: dict[str, str], browser: Any) -> None:
    page = watched_page(browser, server)
    assert visit_every_page(page, server, "desktop-") == []
    assert unexpected(page.problems) == []


def test_pages_work_without_javascript(server: dict[str, str], browser: Any) -> None:
    page = watched_page(browser, server, java_script_enabled=False)
    expect = sync_api.expect
    sign_in(page, server)
    # the portfolio charts show their data as tables
    expect(page.locator("#chart-cost table th[scope=row]", has_text="DEMO-SFO-M60S")).to_be_visible()
    expect(page.locator("#chart-units table caption")).to_contain_text("Units by state over time")
    page.goto(server["base"] + "/economics")
    page.get_by_label("Unit price (USD").fill("3400")
    page.get_by_role("button", name="Breakeven and payback").click()
    expect(page.locator("h1")).to_have_text("Economics and simulation")  # a whole page, not a fragment
    expect(page.locator("#payback")).to_contain_text("days")
    expect(page.get_by_label("Unit price (USD")).to_have_value("3400")
    page.locator("#units").fill("0")
    page.locator("#days").fill("abc")
    page.get_by_role("button", name="Run simulation").click()
    expect(page.locator("h1")).to_have_text("Economics and simulation")
    expect(page.locator("#simulation-result .error li")).to_have_count(2)
    page.locator("#units").fill("100")
    page.locator("#days").fill("365")
    page.locator("#paths").fill("500")
    page.get_by_role("button", name="Run simulation").click()
    expect(page.locator("#payback-probability")).to_contain_text("within 365 days")
    expect(page.locator("#chart-npv table")).to_be_visible()
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#compare-table tbody tr")).to_have_count(2, timeout=60_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "no-js-economics.png"), full_page=True)
    page.goto(server["base"] + "/shipments/DEMO-SFO-M60S")
    page.get_by_label("Event", exact=True).select_option("release")
    page.get_by_label("Units", exact=True).fill("99999")
    page.get_by_role("button", name="Record event").click()
    expect(page.locator("#event-error")).to_contain_text("Units: 99999 units requested")
    expect(page.locator("h1").first).to_contain_text("DEMO-SFO-M60S")

