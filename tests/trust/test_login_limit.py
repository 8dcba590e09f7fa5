"""The sign-in limit is atomic, per address and per account, and shared by every worker (issue #26, item 5).

Against a real `rigport serve --workers 3` on SQLite and on PostgreSQL: each attempt opens its own
connection, so the kernel spreads them over the workers' sockets. Before the count moved into the
database, each worker kept its own, so 40 simultaneous wrong passwords got up to 3 x 5 checks.

A 401 is only ever answered after the password was checked, a 429 before it: the 401s are the checks.
The database's own count (rows of `login_attempts`) is checked as well. Each test uses its own loopback
addresses and accounts, so the tests share one server per database without touching each other's counts.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from rigport.adapters.db.login_attempts import recent
from rigport.services.auth import set_user
from rigport.services.login_limit import WINDOW_S, account_key, address_key
from rigport.settings import Settings
from tests.conftest import fresh_database
from tests.trust.support import Server, rigport_server

LIMIT = 5  # the default: RIGPORT_LOGIN_ATTEMPTS_PER_MINUTE
PASSWORD = "correct horse battery"
WORKERS = 3


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Settings]]:
    settings = fresh_database(request, request.param, tmp_path_factory.mktemp("login") / "data")
    for name in ("ops", "ann", "bob", "cat", "dan"):
        set_user(name, PASSWORD, "operator", settings)
    with rigport_server(settings.data_dir, settings.database_url, workers=WORKERS) as running:
        yield running, settings


def post_login(server: Server, username: str, password: str, address: str) -> httpx.Response:
    """One sign-in on a fresh connection from a given loopback address."""
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(transport=transport, timeout=120) as client:
        return client.post(f"{server.url}/login", data={"username": username, "password": password},
                           follow_redirects=False)  # fmt: skip


def at_once(server: Server, attempts: list[tuple[str, str, str]]) -> Counter[int]:
    """Fire every (username, password, address) attempt from its own thread, released together."""
    barrier = threading.Barrier(len(attempts))
    codes: list[int] = []

    def attempt(username: str, password: str, address: str) -> None:
        barrier.wait()
        codes.append(post_login(server, username, password, address).status_code)

    threads = [threading.Thread(target=attempt, args=a) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert len(codes) == len(attempts), server.output()[-3000:]
    return Counter(codes)


def test_forty_wrong_passwords_at_once_get_five_checks(served: tuple[Server, Settings]) -> None:
    server, settings = served
    codes = at_once(server, [("ops", "wrong password", "127.0.1.1")] * 40)
    assert codes == {401: LIMIT, 429: 40 - LIMIT}, codes
    assert recent(settings, account_key("ops"), WINDOW_S) == LIMIT
    assert recent(settings, address_key("127.0.1.1"), WINDOW_S) == LIMIT
    refused = post_login(server, "ops", PASSWORD, "127.0.1.2")  # the right password waits out the minute too
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= WINDOW_S
    assert "Too many failed sign-ins" in refused.text


def test_forty_accounts_from_one_address_at_once_get_five_checks(served: tuple[Server, Settings]) -> None:
    server, settings = served
    codes = at_once(server, [(f"guess{n}", "wrong password", "127.0.2.1") for n in range(40)])
    assert codes == {401: LIMIT, 429: 40 - LIMIT}, codes
    assert recent(settings, address_key("127.0.2.1"), WINDOW_S) == LIMIT
    assert sum(recent(settings, account_key(f"guess{n}"), WINDOW_S) for n in range(40)) == LIMIT
    assert post_login(server, "cat", PASSWORD, "127.0.2.1").status_code == 429
    assert post_login(server, "cat", PASSWORD, "127.0.2.2").status_code == 303  # another address is not held


def test_limit_per_account_across_addresses(served: tuple[Server, Settings]) -> None:
    """Wrong passwords for one account from five addresses lock that account, not the addresses' other uses."""
    server, _ = served
    for n in range(LIMIT):
        assert post_login(server, "ann", "wrong password", f"127.0.3.{n + 2}").status_code == 401
    assert post_login(server, "ann", PASSWORD, "127.0.3.20").status_code == 429
    assert post_login(server, "bob", PASSWORD, "127.0.3.2").status_code == 303


def test_limit_per_address_across_accounts(served: tuple[Server, Settings]) -> None:
    """One address guessing at many accounts is held to the limit too; a good sign-in neither counts nor
    resets the count (of its own address or another's)."""
    server, settings = served
    assert post_login(server, "nobody", "wrong password", "127.0.4.9").status_code == 401
    for n in range(LIMIT - 1):
        assert post_login(server, f"nobody{n}", "wrong password", "127.0.4.1").status_code == 401
    assert post_login(server, "dan", PASSWORD, "127.0.4.1").status_code == 303
    assert recent(settings, address_key("127.0.4.1"), WINDOW_S) == LIMIT - 1
    assert post_login(server, "nobody9", "wrong password", "127.0.4.1").status_code == 401
    assert post_login(server, "dan", PASSWORD, "127.0.4.1").status_code == 429
    assert post_login(server, "dan", PASSWORD, "127.0.4.9").status_code == 303
    assert recent(settings, address_key("127.0.4.9"), WINDOW_S) == 1  # its failure still counts
