"""Issue #29: the dashboard's reminders page — sent/failing/pending for everyone, recipients edited by admins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rigport.entrypoints.api.app import create_app
from rigport.entrypoints.web.security import login_limiter
from rigport.services import reminders as svc
from rigport.settings import Settings
from tests.conftest import fresh_database
from tests.reminders.conftest import make_shipment
from tests.web.test_web import sign_in

TODAY = dt.date.today()
EVIL = "<script>alert(1)</script>"


@pytest.fixture
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[TestClient, Settings]]:
    settings = fresh_database(request, "sqlite", tmp_path)
    login_limiter._failures.clear()
    yield TestClient(create_app(settings), base_url="https://testserver"), settings
    login_limiter._failures.clear()


def test_page_shows_sent_failing_and_recipients(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    make_shipment(settings, "LAX-1", arrival=TODAY - dt.timedelta(days=10), port=f"Port {EVIL}")
    svc.add_recipient("ops", "email", "ops@example.com", settings=settings)
    svc.run(settings, TODAY)  # no SMTP host: one try fails, both reminders wait
    sign_in(client, settings, "viewer")
    page = client.get("/reminders")
    assert page.status_code == 200
    assert "<strong>2</strong> pending (1 failing)" in page.text
    assert "RIGPORT_SMTP_HOST is not set" in page.text and "ops@example.com" in page.text
    assert EVIL not in page.text  # the port name comes from a record: escaped
    assert 'id="add-recipient"' not in page.text  # viewers see, admins edit


def test_admin_adds_edits_and_removes(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    csrf = sign_in(client, settings, "operator")
    refused = client.post("/reminders/recipients", data={"csrf_token": csrf, "name": "x", "channel": "email",
                                                         "address": "x@example.com"})
    assert refused.status_code == 403 and svc.list_recipients(settings) == []
    csrf = sign_in(client, settings, "admin")
    assert client.post("/reminders/recipients", data={"name": "x", "channel": "email",
                                                      "address": "x@example.com"}).status_code == 403  # no CSRF
    added = client.post("/reminders/recipients", data={
        "csrf_token": csrf, "name": "team hook", "channel": "webhook", "address": "https://example.com/h",
        "before": "10,2", "overdue": "yes"})
    assert added.status_code == 201 and "shown once" in added.text
    made = svc.list_recipients(settings)[0]
    assert (made["before"], made["on_day"], made["overdue"], made["digest"]) == ([10, 2], False, True, False)
    bad = client.post("/reminders/recipients/team%20hook", data={"csrf_token": csrf, "address": "ftp://x",
                                                                 "before": "3", "action": "save"})
    assert bad.status_code == 422 and "webhook URL" in bad.text
    saved = client.post("/reminders/recipients/team%20hook", data={
        "csrf_token": csrf, "address": "https://example.com/new", "before": "5", "digest": "yes", "action": "save"})
    assert saved.status_code == 200
    made = svc.list_recipients(settings)[0]
    assert (made["address"], made["before"], made["overdue"], made["digest"]) == (
        "https://example.com/new", [5], False, True)
    gone = client.post("/reminders/recipients/team%20hook", data={"csrf_token": csrf, "action": "remove"})
    assert gone.status_code == 200 and svc.list_recipients(settings) == []
    assert client.post("/reminders/recipients/nobody", data={"csrf_token": csrf, "action": "remove"}).status_code \
        == 404
