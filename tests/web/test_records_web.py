"""Issue #25 in the dashboard: voiding an event, safe event forms, numbers as people type them."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient

from rigport.services import shipments
from rigport.settings import Settings
from tests.web.test_web import sign_in, site  # noqa: F401 - the fixture

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
    assert ("overdue", "detention_notice", "DEMO-SFO-M60S") in [r[:3] for r in rows]
    soon = re.findall(r'data-clock="([^"]+)" data-shipment="([^"]+)"', client.get("/?deadlines=soon").text)
    assert ("petition_for_relief", "DEMO-SFO-S21") not in soon and ("detention_notice", "DEMO-SFO-M60S") in soon
    book = client.get("/api/v1/portfolio", headers={"Authorization": f"Bearer {_token(settings)}"}).json()
    petition = next(d for d in book["open_deadlines"] if d["clock"] == "petition_for_relief")
    assert petition["days_left"] == 21 and petition["within_horizon"] is False
    assert all(d["within_horizon"] for d in book["deadlines"])  # the 14-day list keeps its meaning


def _token(settings: Settings) -> str:
    from rigport.services.auth import create_token

    return create_token("viewer", settings=settings)[0]
