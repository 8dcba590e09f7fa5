"""End to end in a real browser: Debian's Chromium driven by Playwright against `rigport serve` with the demo data.

Takes the screenshots that README and docs/dashboard.md show. `make screenshots` writes them to docs/screenshots/
(SCREENSHOTS_DIR names the folder); an ordinary test run writes them to a temporary folder, so that running the
tests leaves the work tree as it found it.
"""

from __future__ import annotations

from tests.helpers import browser as browser_helpers
from tests.helpers.browser import EVIL, SCREENSHOTS, sync_api

server = browser_helpers.server  # `rigport serve` on the demo data (plus EVIL-1), Debian's Chromium
browser = browser_helpers.browser


def new_page(browser: object) -> object:
    context = browser.new_context(viewport={"width": 1360, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    return page


def shot(page: object, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def sign_in(page: object, server: dict[str, str]) -> None:
    page.goto(server["base"] + "/")  # type: ignore[attr-defined]
    assert "/login" in page.url  # type: ignore[attr-defined]
    page.get_by_label("Username").fill(server["user"])  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(server["password"])  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    page.wait_for_url(server["base"] + "/")  # type: ignore[attr-defined]


def test_operator_works_a_detained_shipment(server: dict[str, str], browser: object) -> None:
    page = new_page(browser)
    expect = sync_api.expect
    sign_in(page, server)
    # an FCC hold: the passed detention-notice clock may not apply (19 CFR 151.16(a)) and is not flagged overdue
    overdue_row = page.locator('#deadlines tr[data-shipment="DEMO-SFO-M60S"][data-clock="detention_notice"]')
    expect(overdue_row).to_have_class("may-not-apply")
    expect(page.locator("#chart-units[data-rendered]")).to_have_count(1)
    expect(page.locator("#chart-cost[data-rendered]")).to_have_count(1)
    shot(page, "portfolio")

    page.get_by_role("link", name="DEMO-SFO-M60S").first.click()
    expect(page.locator("#shipment-state")).to_have_text("Detained")
    shot(page, "shipment")

    # bad input: more units than are detained -> the reason is shown, nothing recorded
    page.get_by_label("Event", exact=True).select_option("release")
    page.get_by_label("Units", exact=True).fill("99999")
    page.get_by_role("button", name="Record event").click()
    expect(page.locator("#event-error")).to_contain_text("only 1500 are in state DETAINED")
    expect(page.locator("#shipment-state")).to_have_text("Detained")
    shot(page, "shipment-validation-error")

    # record the seizure notice: units move to SEIZED, the petition clock starts
    # (all units is an explicit choice, and a seizure asks for confirmation with units and value)
    page.get_by_label("Event", exact=True).select_option("seizure-notice-mailed")
    page.get_by_label("Units", exact=True).fill("")
    page.get_by_label("All units in that state").check()
    page.get_by_role("button", name="Record event").click()
    expect(page.locator("#event-confirm")).to_contain_text("1,500 of 1,500 units")
    expect(page.locator("#shipment-state")).to_have_text("Detained")
    page.get_by_role("button", name="Yes, record seizure-notice-mailed for 1,500 units").click()
    expect(page.locator("#shipment-state")).to_have_text("Seized")
    expect(page.locator('#clocks tr[data-clock="petition_for_relief"]')).to_have_count(1)
    expect(page.locator("#timeline li").first).to_contain_text("seizure-notice-mailed")
    expect(page.locator("#landed-cost")).to_contain_text("Duties and fees")

    # the entry packet now carries a petition worksheet (19 CFR 171.1)
    packet = page.context.new_page()  # type: ignore[attr-defined]
    packet.goto(server["base"] + page.locator("#packet-link").get_attribute("href"))  # type: ignore[operator]
    expect(packet.get_by_role("heading", name="Petition", exact=False).first).to_be_visible()
    shot(packet, "packet")
    packet.close()

    # the portfolio's deadline list changed: the passed detention-notice clock is gone
    page.get_by_role("link", name="Portfolio", exact=True).click()
    expect(overdue_row).to_have_count(0)
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_screening_search_and_simulation(server: dict[str, str], browser: object) -> None:
    page = new_page(browser)
    expect = sync_api.expect
    sign_in(page, server)
    page.get_by_role("link", name="Screening").click()
    page.get_by_label("Company or person name (any script)").fill("Sophgo Technologies")
    expect(page.locator("#search-results")).to_contain_text("SOPHGO", ignore_case=True)
    expect(page.locator("#list-versions tbody tr").first).to_be_visible()
    shot(page, "screening")

    page.get_by_role("link", name="Economics & simulation").click()
    page.get_by_role("button", name="Breakeven and payback").click()
    expect(page.locator("#payback")).to_contain_text("days")
    page.get_by_label("Paths (max").fill("2000")
    page.get_by_role("button", name="Run simulation").click()
    expect(page.locator("#payback-probability")).to_contain_text("%")
    expect(page.locator("#chart-npv[data-rendered]")).to_have_count(1, timeout=20_000)
    expect(page.locator("#chart-price[data-rendered] .main-svg").first).to_be_visible()
    shot(page, "economics")
    page.locator("#days").fill("abc")
    page.get_by_role("button", name="Run simulation").click()
    expect(page.locator("#simulation-result .error")).to_contain_text("Days: expected a whole number")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#compare-table tbody tr")).to_have_count(2, timeout=30_000)
    expect(page.locator("#chart-compare[data-rendered]")).to_have_count(1)
    shot(page, "economics-compare")


def test_viewer_sees_no_write_forms_and_html_is_escaped(server: dict[str, str], browser: object) -> None:
    page = new_page(browser)
    expect = sync_api.expect
    page.goto(server["base"] + "/login")  # type: ignore[attr-defined]
    page.get_by_label("Token (from").fill(server["viewer_token"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".role")).to_have_text("viewer")
    page.goto(server["base"] + "/shipments/EVIL-1")  # type: ignore[attr-defined]
    expect(page.locator("#read-only-note")).to_be_visible()
    expect(page.locator("form[hx-post$='/events']")).to_have_count(0)
    expect(page.locator("#parties")).to_contain_text(EVIL)  # shown as text, not run
    assert page.dialogs == []  # type: ignore[attr-defined]
    cookies = page.context.cookies()  # type: ignore[attr-defined]
    session = next(c for c in cookies if c["name"] == "rigport_session")
    assert session["httpOnly"] and session["secure"] and session["sameSite"] == "Strict"
