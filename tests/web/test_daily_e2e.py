"""Issue #30 in a real browser (Debian's Chromium via Playwright, `rigport serve` on the demo data): the API
reference works offline, pages fit a phone, forms work without JavaScript, axe-core finds no serious fault.

Screenshots go where tests/web/test_dashboard_e2e.py puts its own (SCREENSHOTS_DIR, else a temporary folder).
"""

from __future__ import annotations

from typing import Any

from tests.web import test_dashboard_e2e as e2e

server = e2e.server  # the same fixtures: `rigport serve` on the demo data, Debian's Chromium
browser = e2e.browser
sync_api = e2e.sync_api
SCREENSHOTS = e2e.SCREENSHOTS

PHONE = {"width": 390, "height": 844}


def watched_page(browser: Any, server: dict[str, str], **context: Any) -> Any:
    """A page whose requests to anything but the server are aborted (as offline), with every console error,
    page error and failed response (4xx/5xx) recorded."""
    ctx = browser.new_context(**{"viewport": {"width": 1360, "height": 900}, **context})
    page = ctx.new_page()
    page.set_default_timeout(60_000)  # two cores shared with other work: loads can be slow, never wrong
    page.set_default_navigation_timeout(90_000)
    page.outside, page.problems = [], []
    base = server["base"]

    def route(r: Any) -> None:
        if r.request.url.startswith(base) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            page.outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status} {r.url}"))
    return page


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


def sign_in(page: Any, server: dict[str, str]) -> None:
    page.goto(server["base"] + "/login")
    page.get_by_label("Username").fill(server["user"])
    page.get_by_label("Password").fill(server["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server["base"] + "/")


def serious_axe_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in found if v["impact"] in ("serious", "critical")]  # fmt: skip


def fits(page: Any) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")  # type: ignore[no-any-return]


def check(page: Any, name: str, problems: list[str]) -> None:
    """No sideways scroll, no serious or critical axe-core finding; a full-page screenshot either way."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # Plotly's responsive resize runs after the load
    width = page.viewport_size["width"]
    if width < 600:  # the phone views (the desktop ones are test_dashboard_e2e.py's screenshots)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    scroll, inner = fits(page)
    if scroll > inner:
        problems.append(f"{name}: page is {scroll} px wide in a {inner} px window")
    problems.extend(f"{name}: {v}" for v in serious_axe_violations(page))


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


def unexpected(problems: list[str]) -> list[str]:
    """What went wrong besides the two answers the visit asks for: a 404 page and a 422 form error (the
    browser logs each as a failed resource too; their responses are matched by URL, so a 404 favicon counts)."""
    expected = ("NO-SUCH-SHIPMENT", "/events", "status of 404 (Not Found)", "status of 422 (Unprocessable Entity)")
    return [p for p in problems if not any(e in p for e in expected)]


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

