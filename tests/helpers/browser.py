"""The browser tests' shared pieces: `rigport serve` on the demo data and Debian's Chromium (module fixtures,
bound by each e2e module as `server = browser_helpers.server`), a page that records what goes wrong, and the
phone-width and axe-core checks of issue #30.

Screenshots go to SCREENSHOTS_DIR (`make screenshots` points it at docs/screenshots/), else a temporary folder, so
that running the tests leaves the work tree as it found it.
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
from typing import Any

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


def unexpected(problems: list[str]) -> list[str]:
    """What went wrong besides the two answers the visit asks for: a 404 page and a 422 form error (the
    browser logs each as a failed resource too; their responses are matched by URL, so a 404 favicon counts)."""
    expected = ("NO-SUCH-SHIPMENT", "/events", "status of 404 (Not Found)", "status of 422 (Unprocessable Entity)")
    return [p for p in problems if not any(e in p for e in expected)]
