"""Dashboard sessions end server-side (issue #26, item 6): a copy of the cookie taken before logout, a
password change, a role change or disable no longer works. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from rigport.entrypoints.api.app import create_app
from rigport.entrypoints.web.session import COOKIE
from rigport.services.auth import create_token, disable_user, set_user
from rigport.settings import Settings

PASSWORD = "correct horse battery"


@pytest.fixture
def site(db_settings: Settings) -> Iterator[tuple[TestClient, Settings]]:
    yield TestClient(create_app(db_settings), base_url="https://testserver"), db_settings


def sign_in(client: TestClient, data: dict[str, str]) -> str:
    """Sign in; the cookie's value (what a thief would copy)."""
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert client.get("/", follow_redirects=False).status_code == 200
    return str(client.cookies[COOKIE])


def works(settings: Settings, cookie: str) -> bool:
    other = TestClient(create_app(settings), base_url="https://testserver", cookies={COOKIE: cookie})
    response = other.get("/", follow_redirects=False)
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


def log_out(client: TestClient) -> None:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
    assert match
    response = client.post("/logout", data={"csrf_token": match.group(1)}, follow_redirects=False)
    assert response.status_code == 303


@pytest.mark.parametrize("how", ["password", "token"])
def test_a_copied_cookie_stops_working_after_logout(site: tuple[TestClient, Settings], how: str) -> None:
    client, settings = site
    set_user("ops", PASSWORD, "operator", settings)
    token, _ = create_token("operator", "t", settings=settings)
    data = {"username": "ops", "password": PASSWORD} if how == "password" else {"token": token}
    copied = sign_in(client, data)
    assert works(settings, copied)
    log_out(client)
    assert not works(settings, copied)
    again = sign_in(client, data)  # signing in again gives a working session
    assert works(settings, again) and not works(settings, copied)


@pytest.mark.parametrize("change", ["password", "role", "disable"])
def test_account_changes_end_existing_sessions(site: tuple[TestClient, Settings], change: str) -> None:
    client, settings = site
    set_user("ops", PASSWORD, "operator", settings)
    copied = sign_in(client, {"username": "ops", "password": PASSWORD})
    if change == "password":
        set_user("ops", "a new long password", "operator", settings)
    elif change == "role":
        set_user("ops", PASSWORD, "viewer", settings)
    else:
        disable_user("ops", settings)
    assert not works(settings, copied)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_another_users_logout_leaves_my_session(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    set_user("ops", PASSWORD, "operator", settings)
    set_user("ann", PASSWORD, "viewer", settings)
    mine = sign_in(TestClient(create_app(settings), base_url="https://testserver"), {"username": "ann",
                                                                                      "password": PASSWORD})
    sign_in(client, {"username": "ops", "password": PASSWORD})
    log_out(client)
    assert works(settings, mine)
