"""The sign-in limit is atomic, per address and per account (issue #26, item 5), against a real server."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rigport.services.auth import set_user
from rigport.settings import Settings
from tests.trust.support import Server, rigport_server

LIMIT = 5  # the default: RIGPORT_LOGIN_ATTEMPTS_PER_MINUTE
PASSWORD = "correct horse battery"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    settings = Settings(data_dir=tmp_path / "data")
    for name in ("ops", "ann", "bob"):
        set_user(name, PASSWORD, "operator", settings)
    with rigport_server(settings.data_dir) as running:
        yield running


def post_login(server: Server, username: str, password: str, address: str = "127.0.0.1") -> int:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(transport=transport, timeout=60) as client:
        return client.post(f"{server.url}/login", data={"username": username, "password": password},
                           follow_redirects=False).status_code  # fmt: skip


def test_forty_wrong_passwords_at_once_get_five_checks(server: Server) -> None:
    barrier = threading.Barrier(40)
    codes: list[int] = []

    def attempt() -> None:
        barrier.wait()
        codes.append(post_login(server, "ops", "wrong password"))

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert Counter(codes) == {401: LIMIT, 429: 40 - LIMIT}, Counter(codes)
    assert post_login(server, "ops", PASSWORD) == 429  # the right password waits out the minute too


def test_limit_per_account_across_addresses(server: Server) -> None:
    """Wrong passwords for one account from five addresses lock that account, not the addresses' other uses."""
    for n in range(LIMIT):
        assert post_login(server, "ops", "wrong password", f"127.0.0.{n + 2}") == 401
    assert post_login(server, "ops", PASSWORD, "127.0.0.20") == 429
    assert post_login(server, "ann", PASSWORD, "127.0.0.2") == 303


def test_limit_per_address_across_accounts(server: Server) -> None:
    """One address guessing at many accounts is held to the limit too; a good sign-in does not reset it."""
    for n in range(LIMIT - 1):
        assert post_login(server, f"nobody{n}", "wrong password") == 401
    assert post_login(server, "ann", PASSWORD) == 303
    assert post_login(server, "nobody9", "wrong password") == 401
    assert post_login(server, "bob", PASSWORD) == 429
    assert post_login(server, "bob", PASSWORD, "127.0.0.9") == 303
