"""Issue #30 through HTTP (no browser): forms answer a whole page without JavaScript, every field error at once,
warnings worded for the web, chart data as a table, a favicon, ISO date entry, field names as the form says."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient

from rigport.entrypoints.web.wording import for_web
from rigport.services.horizons import PRICE_HINT, REFRESH_HINT
from rigport.services.screening import UPDATE_HINT
from rigport.settings import Settings
from tests.helpers.web import sign_in

FLEET = {"model": "antminer-s21", "units": "100", "power_price": "0.05", "unit_price": "3400"}


def test_economics_without_javascript_gets_the_whole_page(site: tuple[TestClient, Settings]) -> None:  # noqa: F811
    client, settings = site
    csrf = sign_in(client, settings)
    plain = client.post("/economics/calc", data={**FLEET, "csrf_token": csrf})
    assert plain.status_code == 200
    assert plain.text.lstrip().lower().startswith("<!doctype html>") and 'id="fleet-form"' in plain.text
    facts = plain.text.index('id="economics-facts"')
    assert plain.text.index('id="economics-result"') < facts  # the result sits in its slot on the page
    assert 'value="3400"' in plain.text  # the fields show what was typed
    assert re.search(r'id="payback">[\d,]+ days', plain.text)
    htmx = client.post("/economics/calc", data={**FLEET, "csrf_token": csrf}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and "<html" not in htmx.text and 'id="economics-facts"' in htmx.text


def test_simulation_form_reports_every_error(site: tuple[TestClient, Settings]) -> None:  # noqa: F811
    client, settings = site
    csrf = sign_in(client, settings)
    data = {**FLEET, "units": "0", "paths": "abc", "days": "5", "hold_prob": "2", "csrf_token": csrf}
    for headers in ({"HX-Request": "true"}, {}):
        answer = client.post("/economics/simulate", data=data, headers=headers)
        assert answer.status_code == 422
        items = re.findall(r"<li>([^<]+)</li>", answer.text)
        assert [i.split(":")[0] for i in items] == ["Units", "Paths", "Days", "Hold probability"], items
        assert ("<html" in answer.text) == (not headers)


def test_web_warnings_name_no_terminal_command(site: tuple[TestClient, Settings]) -> None:  # noqa: F811
    client, settings = site
    sign_in(client, settings)
    for path in ("/screening", "/screening?q=Sophgo", "/economics", "/", "/shipments/DEMO-SFO-M60S"):
        html = client.get(path).text
        assert "rigport lists update" not in html and "rigport network refresh" not in html, path
    assert "ask your rigport operator to update the screening lists" in client.get("/screening?q=Sophgo").text
    cli_warning = f"ofac-sdn is 948 days old; older than 30 days: {UPDATE_HINT}"
    assert for_web(cli_warning).startswith("ofac-sdn is 948 days old; older than 30 days: ask your rigport")
    assert "`" not in for_web(f"x; {REFRESH_HINT}") and "rigport network refresh" in REFRESH_HINT  # the CLI keeps it
    assert for_web(f"x: {PRICE_HINT}") == "x: give the price you pay in Unit price"  # the form's label, not a field


def test_portfolio_charts_carry_their_data_as_a_table(site: tuple[TestClient, Settings]) -> None:  # noqa: F811
    client, settings = site
    sign_in(client, settings)
    html = client.get("/").text
    cost = html[html.index('id="chart-cost"'):]
    cost = cost[:cost.index("</table>")]
    for reference in ("DEMO-SFO-M60S", "DEMO-DTW-A1566"):
        assert f'<th scope="row">{reference}</th>' in cost
    assert 'role="img"' not in html  # no role=img around Plotly's interactive drawing (nested interactive)
    units = html[html.index('id="chart-units"'):]
    assert "<caption>Units by state over time" in units[:units.index("</table>")]


def test_favicon_and_iso_date_entry(site: tuple[TestClient, Settings]) -> None:  # noqa: F811
    client, settings = site
    sign_in(client, settings)
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/static/favicon.svg").status_code == 200
    html = client.get("/shipments/DEMO-SFO-M60S").text
    field = re.search(r'<input id="event-date"[^>]*>', html)
    assert field and 'type="text"' in field.group(0) and 'placeholder="YYYY-MM-DD"' in field.group(0)
    assert f'value="{dt.date.today().isoformat()}"' in field.group(0)


def test_event_error_names_the_units_field(site: tuple[TestClient, Settings]) -> None:  # noqa: F811
    client, settings = site
    csrf = sign_in(client, settings)
    answer = client.post("/shipments/DEMO-SFO-M60S/events", headers={"HX-Request": "true"}, data={
        "event": "release", "date": dt.date.today().isoformat(), "quantity": "99999", "csrf_token": csrf})
    assert answer.status_code == 422
    assert re.search(r"Units: 99999 units requested but only 1500 are in state DETAINED", answer.text), answer.text
    assert "quantity:" not in answer.text
