"""Issue #29: GET /calendar/{secret}.ics — one secret URL per user, rotatable, revocable, read-only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select

from rigport.adapters.db.reminder_tables import CalendarFeedRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.entrypoints.api.app import create_app
from rigport.services import auth
from rigport.services.calendar_feed import calendar_url
from rigport.settings import Settings
from tests.helpers import run_cli
from tests.reminders.conftest import make_shipment

TODAY = dt.date.today()


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_feed_serves_rotates_and_revokes(settings: Settings) -> None:
    make_shipment(settings, "LAX-1", arrival=TODAY - dt.timedelta(days=10))
    auth.set_user("ann", "a long enough password", "viewer", settings)
    made = calendar_url("ann", settings=settings)
    assert made["url"].startswith("http://127.0.0.1:8000/calendar/") and made["active"]
    client = TestClient(create_app(settings))
    first = client.get(path_of(made["url"]))
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/calendar")
    summaries = {str(e["SUMMARY"]) for e in Calendar.from_ical(first.content).walk("VEVENT")}
    assert summaries == {"LAX-1 (Los Angeles): entry due", "LAX-1 (Los Angeles): general order warehouse"}
    secret = made["url"].rsplit("/", 1)[1].removesuffix(".ics")
    with UnitOfWork(settings) as uow:  # only the hash is stored
        stored = list(uow.session.scalars(select(CalendarFeedRow.secret_hash)))
    assert len(stored) == 1 and secret not in stored[0] and len(stored[0]) == 64
    # the secret opens nothing else: not the API, not the dashboard
    assert client.get("/api/v1/shipments", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert client.get("/api/v1/portfolio", params={"token": secret}).status_code == 401
    assert client.get("/", headers={"Authorization": f"Bearer {secret}"}, follow_redirects=False).status_code in (
        302, 303, 307, 401)
    again = calendar_url("ann", settings=settings)
    assert again["url"] is None and again["active"]  # not shown twice: only its hash is kept
    rotated = calendar_url("ann", rotate=True, settings=settings)
    assert rotated["url"] != made["url"]
    assert client.get(path_of(made["url"])).status_code == 404
    assert client.get(path_of(rotated["url"])).status_code == 200
    assert calendar_url("ann", revoke=True, settings=settings)["active"] is False
    assert client.get(path_of(rotated["url"])).status_code == 404
    renewed = calendar_url("ann", settings=settings)["url"]
    assert client.get(path_of(renewed)).status_code == 200
    auth.disable_user("ann", settings)
    assert client.get(path_of(renewed)).status_code == 404  # a disabled user's feed ends with the user
    for unknown in ("/calendar/" + "A" * 43 + ".ics", "/calendar/x.ics", "/calendar/..%2F..%2Fetc.ics"):
        assert client.get(unknown).status_code == 404
    assert client.post(path_of(renewed)).status_code == 405  # read-only


def test_cli_calendar_url(isolated_data_dir: Path) -> None:
    auth.set_user("bob", "a long enough password", "viewer", Settings(data_dir=isolated_data_dir))
    out = run_cli("users", "calendar-url", "bob", "--json", env={"RIGPORT_PUBLIC_URL": "https://rp.example.com/"})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["url"].startswith("https://rp.example.com/calendar/")
    out = run_cli("users", "calendar-url", "bob")
    assert out.returncode == 0 and "--rotate" in out.stdout
    missing = run_cli("users", "calendar-url", "nobody")
    assert missing.returncode == 2 and "not found" in missing.stderr
    both = run_cli("users", "calendar-url", "bob", "--rotate", "--revoke")
    assert both.returncode == 2 and "--rotate and --revoke: give one or the other" in both.stderr
