"""Issue #25 in the dashboard: voiding an event, safe event forms, numbers as people type them."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient

from rigport.services import shipments
from rigport.settings import Settings
from tests.helpers.web import sign_in

REF = "DEMO-SFO-M60S"


def test_operator_voids_an_event_with_a_reason(site: tuple[TestClient, Settings]) -> None:  # noqa: F811
    client, settings = site
    csrf = sign_in(client, settings)
    view = shipments.record_event(REF, "release", dt.date.today(), "clerk", quantity=10, settings=settings)
    release = view["events"][-1]["id"]
    page = client.get(f"/shipments/{REF}").text
    assert f'action="/shipments/{REF}/events/{release}/void"' in page
    # no reason: refused in the form, nothing changes
    refused = client.post(f"/shipments/{REF}/events/{release}/void", headers={"HX-Request": "true"},
                          data={"csrf_token": csrf, "reason": ""})  # fmt: skip
    assert refused.status_code == 422 and 'id="void-error"' in refused.text and "Reason: required" in refused.text
    assert shipments.get_shipment(REF, settings)["quantities"] == {"DETAINED": 1490, "RELEASED": 10}
    ok = client.post(f"/shipments/{REF}/events/{release}/void", headers={"HX-Request": "true"},
                     data={"csrf_token": csrf, "reason": "released the wrong container"})  # fmt: skip
    assert ok.status_code == 200
    assert f'id="event-{release}" class="voided"' in ok.text and "released the wrong container" in ok.text
    stored = shipments.get_shipment(REF, settings)
    assert stored["quantities"] == {"DETAINED": 1500}
    assert stored["events"][-1]["voided_by"] == "user:operator-user"


def test_viewer_cannot_void(site: tuple[TestClient, Settings]) -> None:  # noqa: F811
    client, settings = site
    csrf = sign_in(client, settings, "viewer")
    event_id = shipments.get_shipment(REF, settings)["events"][-1]["id"]
    assert "Void this event" not in client.get(f"/shipments/{REF}").text
    response = client.post(f"/shipments/{REF}/events/{event_id}/void", data={"csrf_token": csrf, "reason": "x"})
    assert response.status_code == 403
    assert not shipments.get_shipment(REF, settings)["events"][-1]["voided"]


def test_economics_reads_a_decimal_comma(site: tuple[TestClient, Settings]) -> None:  # noqa: F811
    """Issue #25: power price "0,05" is 0.05 USD/kWh (it was read as 5.0); an ambiguous "1,234" is refused."""
    client, settings = site
    sign_in(client, settings, "viewer")
    form = {"model": "antminer-s21", "units": "100"}
    dot = client.post("/economics/calc", data={**form, "power_price": "0.05"})
    comma = client.post("/economics/calc", data={**form, "power_price": "0,05"})
    assert dot.status_code == comma.status_code == 200
    assert _payback(dot.text) == _payback(comma.text) and "does not pay back" not in comma.text
    ambiguous = client.post("/economics/calc", data={**form, "power_price": "1,234"})
    assert ambiguous.status_code == 422 and "ambiguous" in ambiguous.text
    units = client.post("/economics/calc", data={**form, "units": "1,5", "power_price": "0.05"})
    assert units.status_code == 422 and "Units: expected a whole number" in units.text


def _payback(html: str) -> str:
    match = re.search(r'id="payback"[^>]*>(.*?)<', html, re.S)
    assert match, html[:2000]
    return match.group(1)


def test_portfolio_lists_every_open_deadline_with_a_14_day_filter(site: tuple[TestClient, Settings]) -> None:  # noqa: F811
    """Issue #25: the demo's petition for relief due in 21 days was on no portfolio view."""
    client, settings = site
    sign_in(client, settings, "viewer")
    rows = re.findall(r'<tr class="([^"]*)" data-clock="([^"]+)" data-shipment="([^"]+)">\s*<td>([\d-]+)</td>',
                      client.get("/").text)  # fmt: skip
    assert ("", "petition_for_relief", "DEMO-SFO-S21") in [r[:3] for r in rows]
    assert [r[3] for r in rows] == sorted(r[3] for r in rows)  # soonest first
    # (an FCC hold: its 19 CFR 151.16 detention notice may not apply, never overdue, issue #24)
    assert ("may-not-apply", "detention_notice", "DEMO-SFO-M60S") in [r[:3] for r in rows]
    soon = re.findall(r'data-clock="([^"]+)" data-shipment="([^"]+)"', client.get("/?deadlines=soon").text)
    assert ("petition_for_relief", "DEMO-SFO-S21") not in soon and ("detention_notice", "DEMO-SFO-M60S") in soon
    book = client.get("/api/v1/portfolio", headers={"Authorization": f"Bearer {_token(settings)}"}).json()
    petition = next(d for d in book["open_deadlines"] if d["clock"] == "petition_for_relief")
    assert petition["days_left"] == 21 and petition["within_horizon"] is False
    assert all(d["within_horizon"] for d in book["deadlines"])  # the 14-day list keeps its meaning


def _token(settings: Settings) -> str:
    from rigport.services.auth import create_token

    return create_token("viewer", settings=settings)[0]


def test_event_form_is_safe(site: tuple[TestClient, Settings]) -> None:  # noqa: F811
    """No event preselected, "all units" explicit, and a seizure confirmed with its units and value first."""
    client, settings = site
    csrf = sign_in(client, settings)
    page = client.get(f"/shipments/{REF}").text
    assert '<option value="" disabled selected>Choose an event' in page
    assert re.search(r'<option value="[a-z-]+" selected>', page) is None
    before = shipments.get_shipment(REF, settings)
    post = {"csrf_token": csrf, "date": dt.date.today().isoformat()}
    nothing = client.post(f"/shipments/{REF}/events", headers={"HX-Request": "true"}, data=post)
    assert nothing.status_code == 422 and "Event: required" in nothing.text
    blank = client.post(f"/shipments/{REF}/events", headers={"HX-Request": "true"},
                        data={**post, "event": "release"})  # fmt: skip
    assert blank.status_code == 422 and "Units: give a number of units, or tick" in blank.text
    asked = client.post(f"/shipments/{REF}/events", headers={"HX-Request": "true"},
                        data={**post, "event": "seizure-notice-mailed", "all_units": "yes"})  # fmt: skip
    assert asked.status_code == 200 and 'id="event-confirm"' in asked.text
    assert "1,500 of 1,500 units" in asked.text and "$4,500,000" in asked.text  # the demo's $3,000 a unit
    assert shipments.get_shipment(REF, settings)["version"] == before["version"]  # nothing written yet
    confirmed = {**post, "event": "seizure-notice-mailed", "all_units": "yes", "confirm": "yes"}
    done = client.post(f"/shipments/{REF}/events", headers={"HX-Request": "true"}, data=confirmed)
    assert done.status_code == 200
    assert shipments.get_shipment(REF, settings)["quantities"] == {"SEIZED": 1500}


def test_risk_is_for_units_not_yet_held(site: tuple[TestClient, Settings]) -> None:  # noqa: F811
    """A shipment whose units are all seized or released shows its cost so far, not a risk of a hold."""
    from rigport.services.assess import assess_shipment

    client, settings = site
    sign_in(client, settings, "viewer")
    risk = assess_shipment("DEMO-SFO-S21", settings)
    assert (risk["units_not_yet_held"], risk["units_held"]) == (0, 1000)
    assert risk["expected_hold_cost_usd"] == risk["cost_if_held_usd"] == 0
    html = client.get("/shipments/DEMO-SFO-S21").text
    cost = shipments.get_shipment("DEMO-SFO-S21", settings)["cost_of_delay"]
    assert 'id="expected-hold-cost"' not in html and 'id="held-cost"' in html
    assert f"${cost['cost_to_date_usd']:,.0f}" in html and f"${cost['cost_per_day_usd']:,.0f}" in html
