"""End to end in a real browser: Debian's Chromium driven by Playwright against `rigport serve` with the demo data.

Takes the screenshots that README and docs/dashboard.md show. `make screenshots` writes them to docs/screenshots/
(SCREENSHOTS_DIR names the folder); an ordinary test run writes them to a temporary folder, so that running the
tests leaves the work tree as it found it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.pg import _free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "rigport-e2e-screenshots")
EVIL = "<script>alert(1)</script>"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: scripts/install-system-deps installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def rigport(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rigport", *args], env=env, capture_output=True, text=True,
                          check=True, timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """`rigport demo --no-serve` then `rigport serve` on a free loopback port, as a user would."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = {**os.environ, "RIGPORT_DATA_DIR": str(data_dir)}
    env.pop("RIGPORT_DATABASE_URL", None)
    seeded = json.loads(rigport(env, "demo", "--no-serve", "--json").stdout)
    viewer = json.loads(rigport(env, "tokens", "create", "--role", "viewer", "--json").stdout)["token"]
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rigport", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError(f"rigport serve did not start: {proc.stdout.read() if proc.stdout else ''}")
    created = httpx.post(f"{base}/api/v1/shipments", headers={"Authorization": f"Bearer {seeded['operator_token']}"},
                         json={"reference": "EVIL-1", "mode": "air", "port": "Chicago", "total_units": 5,
                               "arrival_date": dt.date.today().isoformat(), "declared_value_usd": "1000",
                               "parties": [{"role": "seller", "name": EVIL, "country": "CN"}]})  # fmt: skip
    assert created.status_code == 201, created.text
    yield {"base": base, "user": seeded["dashboard_user"], "password": seeded["dashboard_password"],
           "viewer_token": viewer, "data_dir": str(data_dir)}  # fmt: skip
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


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
