"""The dashboard as a signed-in person uses it: a user of a role, signed in, with the page's CSRF token."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from rigport.services.auth import set_user
from rigport.settings import Settings


def sign_in(client: TestClient, settings: Settings, role: str = "operator") -> str:
    set_user(f"{role}-user", "correct horse battery", role, settings)
    response = client.post("/login", data={"username": f"{role}-user", "password": "correct horse battery"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match
    return match.group(1)
