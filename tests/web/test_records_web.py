"""Issue #25 in the dashboard: voiding an event, safe event forms, numbers as people type them."""

from __future__ import annotations

import datetime as dt

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
