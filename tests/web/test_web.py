"""Dashboard behaviour through HTTP (no browser): sessions, CSRF, roles, escaping, rate limits, validation."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient

from rigport.services import shipments
from rigport.services.auth import create_token, disable_user, revoke_token, set_user
from rigport.settings import Settings
from tests.helpers.web import sign_in

EVIL = "<script>alert(1)</script>"


def test_pages_need_a_session(site: tuple[TestClient, Settings]) -> None:
    client, _ = site
    for path in ("/", "/shipments/DEMO-SFO-M60S", "/screening", "/economics"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    assert client.get("/", headers={"HX-Request": "true"}, follow_redirects=False).headers["HX-Redirect"]


def test_session_cookie_is_secure_httponly_samesite(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    set_user("ops", "correct horse battery", "operator", settings)
    response = client.post("/login", data={"username": "ops", "password": "correct horse battery"},
                           follow_redirects=False)  # fmt: skip
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
    assert "correct horse" not in cookie


def test_login_with_token_and_wrong_password(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    set_user("ops", "correct horse battery", "operator", settings)
    bad = client.post("/login", data={"username": "ops", "password": "wrong password!"}, follow_redirects=False)
    assert bad.status_code == 401 and "Sign-in failed" in bad.text
    token, _ = create_token("viewer", "t", settings=settings)
    ok = client.post("/login", data={"token": token}, follow_redirects=False)
    assert ok.status_code == 303
    assert "viewer" in client.get("/").text


def test_open_redirect_after_login_is_refused(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    set_user("ops", "correct horse battery", "operator", settings)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post("/login", data={"username": "ops", "password": "correct horse battery",
                                               "next": target}, follow_redirects=False)  # fmt: skip
        assert response.headers["location"] == "/"


def test_failed_logins_are_rate_limited(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    set_user("ops", "correct horse battery", "operator", settings)
    for _ in range(settings.login_attempts_per_minute):
        assert client.post("/login", data={"username": "ops", "password": "guess-guess"}).status_code == 401
    blocked = client.post("/login", data={"username": "ops", "password": "correct horse battery"})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1


def test_revoked_token_and_disabled_user_end_the_session(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    token, record = create_token("operator", "t", settings=settings)
    client.post("/login", data={"token": token})
    assert client.get("/", follow_redirects=False).status_code == 200
    revoke_token(record["id"], settings)
    assert client.get("/", follow_redirects=False).status_code == 303
    sign_in(client, settings, "viewer")
    disable_user("viewer-user", settings)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_forged_cookie_is_ignored(site: tuple[TestClient, Settings]) -> None:
    client, _ = site
    client.cookies.set("rigport_session", "eyJrIjoidXNlciIsImkiOjEsImMiOiJ4In0.forged.signature")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_event_needs_csrf_and_operator(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    csrf = sign_in(client, settings, "viewer")
    page = client.get("/shipments/DEMO-SFO-M60S").text
    assert 'id="read-only-note"' in page and 'name="event"' not in page
    form = {"event": "release", "date": dt.date.today().isoformat(), "quantity": "10"}
    assert client.post("/shipments/DEMO-SFO-M60S/events", data={**form, "csrf_token": csrf}).status_code == 403
    client.cookies.clear()
    csrf = sign_in(client, settings, "operator")
    assert client.post("/shipments/DEMO-SFO-M60S/events", data=form).status_code == 403
    assert shipments.get_shipment("DEMO-SFO-M60S", settings)["quantities"] == {"DETAINED": 1500}
    ok = client.post("/shipments/DEMO-SFO-M60S/events", data={**form, "csrf_token": csrf},
                     headers={"HX-Request": "true"})  # fmt: skip
    assert ok.status_code == 200
    stored = shipments.get_shipment("DEMO-SFO-M60S", settings)
    assert stored["quantities"] == {"DETAINED": 1490, "RELEASED": 10}
    assert stored["events"][-1]["actor"] == "user:operator-user"


def test_bad_event_shows_the_reason_and_changes_nothing(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    csrf = sign_in(client, settings)
    before = shipments.get_shipment("DEMO-SFO-M60S", settings)
    cases = {
        "99999": "only 1500 are in state DETAINED",
        "ten": "Units: expected a whole number",
    }
    for quantity, message in cases.items():
        response = client.post("/shipments/DEMO-SFO-M60S/events", headers={"HX-Request": "true"}, data={
            "event": "release", "date": dt.date.today().isoformat(), "quantity": quantity, "csrf_token": csrf,
        })  # fmt: skip
        assert response.status_code == 422
        assert message in response.text
        assert 'id="event-error"' in response.text
    stale = client.post("/shipments/DEMO-SFO-M60S/events", headers={"HX-Request": "true"}, data={
        "event": "release", "date": dt.date.today().isoformat(), "version": str(before["version"] - 1),
        "all_units": "yes", "csrf_token": csrf,
    })  # fmt: skip
    assert stale.status_code == 409 and "reload it" in stale.text
    after = shipments.get_shipment("DEMO-SFO-M60S", settings)
    assert after["quantities"] == before["quantities"] and len(after["events"]) == len(before["events"])


def test_html_in_names_is_escaped(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    draft = shipments.ShipmentDraft(
        reference="EVIL-1", mode="air", port=EVIL, arrival_date=dt.date.today(), total_units=5,
        declared_value_usd=shipments.Decimal("1000"), parties=[{"role": "seller", "name": EVIL, "country": "CN"}],
    )  # fmt: skip
    shipments.create_shipment(draft, "test", settings)
    sign_in(client, settings)
    for path in ("/", "/shipments/EVIL-1", f"/screening?q={EVIL}"):
        html = client.get(path).text
        assert EVIL not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_portfolio_figures_match_the_records(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    sign_in(client, settings, "viewer")
    html = client.get("/").text
    # demo: 1,500 detained + 1,000 seized S21 + 1,200 petitioned S21 Pro + 1,000 protested A1566 held
    from rigport.services.portfolio import portfolio

    book = portfolio(settings)
    assert f"${float(book['value_at_risk_usd']):,.0f}" in html
    assert book["by_state"]["detained"]["units"] + book["by_state"]["seized"]["units"] == 4700
    assert 'data-shipment="DEMO-SFO-M60S"' in html  # its detention-notice clock has passed
    # ... but the hold is the FCC's, so 19 CFR 151.16(a): the clock may not apply and is not flagged overdue
    assert 'class="may-not-apply" data-clock="detention_notice" data-shipment="DEMO-SFO-M60S"' in html
    assert 'class="overdue" data-clock="detention_notice" data-shipment="DEMO-SFO-M60S"' not in html
    # costs per day are priced from the bundled snapshot of 2025-02-15: the page says it is past its horizon
    assert 'data-warning="horizon"' in html and "refresh the network snapshot" in html
    assert "rigport network refresh" not in html  # worded for the web (issue #30)


def test_economics_and_simulation_partials(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    sign_in(client, settings, "viewer")
    calc = client.post("/economics/calc", data={"model": "antminer-s21", "units": "100", "power_price": "0.05"})
    assert calc.status_code == 200 and 'id="payback"' in calc.text
    form = {"model": "antminer-s21", "units": "100", "power_price": "0.05", "paths": "500", "days": "365",
            "hold_prob": "0", "hold_days_mean": "0", "seed": "7"}  # fmt: skip
    sim = client.post("/economics/simulate", data=form)
    assert sim.status_code == 200 and 'id="chart-npv"' in sim.text
    too_big = client.post("/economics/simulate", data={**form, "paths": str(settings.web_max_paths + 1)})
    assert too_big.status_code == 422 and "Paths: expected 100 to" in too_big.text
    unknown = client.post("/economics/calc", data={**form, "model": "antminer-nope"})
    assert unknown.status_code == 404 and "antminer-nope" in unknown.text


def test_security_headers_on_pages(site: tuple[TestClient, Settings]) -> None:
    client, _ = site
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_api_errors_stay_problem_details(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    token, _ = create_token("viewer", settings=settings)
    response = client.get("/api/v1/shipments/NOPE", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_shipment_page_shows_landed_cost_and_links_the_packet(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    assert client.get("/shipments/DEMO-SFO-S21/packet", follow_redirects=False).status_code == 303
    sign_in(client, settings, "viewer")
    html = client.get("/shipments/DEMO-SFO-S21").text
    assert 'id="landed-cost"' in html and "19 USC 58c" in html  # MPF with its citation
    assert 'href="/shipments/DEMO-SFO-S21/packet"' in html
    packet = client.get("/shipments/DEMO-SFO-S21/packet")
    assert packet.status_code == 200 and "DEMO-SFO-S21" in packet.text
    assert packet.headers["content-security-policy"].startswith("default-src 'none'")


def test_units_over_time_replays_the_events(tmp_path: Path) -> None:
    """One point per day something moved (plus today); totals add up to the units on record."""
    from rigport.services.portfolio import portfolio

    settings = Settings(data_dir=tmp_path)
    draft = shipments.ShipmentDraft("OLD-1", "air", "Miami", dt.date(1990, 1, 2), 40, shipments.Decimal("4000"))
    shipments.create_shipment(draft, "test", settings)
    for event, day in (("entry-filed", 3), ("exam-presented", 4), ("detention", 5)):
        shipments.record_event("OLD-1", event, dt.date(1990, 1, day), "test", settings=settings)
    shipments.record_event("OLD-1", "release", dt.date(1990, 1, 9), "test", quantity=15, settings=settings)
    history = portfolio(settings, today=dt.date(2026, 11, 25))["units_over_time"]
    assert history["dates"] == [dt.date(1990, 1, d) for d in (2, 3, 4, 5, 9)] + [dt.date(2026, 11, 25)]
    assert history["series"]["detained"] == [0, 0, 0, 40, 25, 25]
    assert history["series"]["released"] == [0, 0, 0, 0, 15, 15]
    assert history["series"]["at_port"] == [40, 40, 40, 0, 0, 0]


def test_background_simulation_runs_from_the_dashboard(site: tuple[TestClient, Settings]) -> None:
    import time

    client, settings = site
    csrf = sign_in(client, settings, "operator")
    form = {"model": "antminer-s21", "units": "100", "power_price": "0.05", "paths": "1000", "days": "365",
            "hold_prob": "0.2", "hold_days_mean": "30", "seed": "3", "csrf_token": csrf}  # fmt: skip
    assert client.post("/economics/runs", data={**form, "csrf_token": "forged"}).status_code == 403
    started = client.post("/economics/runs", data=form)
    assert started.status_code == 200
    run_id = re.search(r'id="run-([0-9a-f-]+)"', started.text)
    assert run_id, started.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        polled = client.get(f"/economics/runs/{run_id.group(1)}")
        if 'id="chart-npv"' in polled.text:
            break
        assert 'hx-trigger="load delay:1s"' in polled.text  # still queued/running: the partial keeps polling
        time.sleep(0.2)
    else:
        raise AssertionError("background run did not finish")
    assert 'id="payback-probability"' in polled.text
    from rigport.services.simulation_runs import get_simulation

    stored = get_simulation(run_id.group(1), settings)
    assert stored["status"] == "succeeded" and stored["params"]["paths"] == 1000
    assert f"{stored['result']['payback_probability'] * 100:.1f}%" in polled.text
    assert run_id.group(1)[:8] in client.get("/economics").text  # listed among stored runs


def test_screening_page_shows_each_lists_date_age_and_staleness(site: tuple[TestClient, Settings]) -> None:
    """The bundled copies are dated as published (SDN 2024-05-03, CSL 2022-04-21) and shown as not current."""
    client, settings = site
    sign_in(client, settings, "viewer")
    html = client.get("/screening").text
    table = html[html.index('id="list-versions"') : html.index("</table>", html.index('id="list-versions"'))]
    row = re.compile(r"<tr><td>([\w-]+)</td><td>([\d-]+)</td><td class=\"num\">([\d,]+)</td>")
    rows = {m[0]: m for m in row.findall(table)}
    today = dt.date.today()
    for list_id, as_of in (("ofac-sdn", "2024-05-03"), ("csl", "2022-04-21"), ("restricted-components", "2025-01-16")):
        age = (today - dt.date.fromisoformat(as_of)).days
        assert rows[list_id][1:] == (as_of, f"{age:,}")
    assert table.count("not current:") == 2 and "curated: dated by its entries" in table
    assert "no add.csv/alt.csv of that date was found" in table  # the SDN copy's date note says what it lacks
