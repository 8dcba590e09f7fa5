"""The sign-in limit's shared count (adapters/db/login_attempts.py) on SQLite and PostgreSQL (issue #26, item 5).

Threads in one process and separate processes race for places; the count in the database decides, so
exactly `limit` attempts get one, however they interleave. The window slides, refused attempts count for
nothing, a given-back place is only the attempt's own, and old rows are pruned.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import threading
import time

from sqlalchemy import func, select

from rigport.adapters.db.login_attempts import Reservation, give_back, recent, reserve
from rigport.adapters.db.tables import LoginAttemptRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.settings import Settings
from tests.trust.support import ROOT, env_for

LIMIT = 5
WINDOW = 60.0


def rows(settings: Settings) -> int:
    with UnitOfWork(settings) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(LoginAttemptRow)) or 0)


def test_forty_threads_get_five_places(settings: Settings) -> None:
    barrier = threading.Barrier(40)
    results: list[Reservation] = []

    def attempt() -> None:
        barrier.wait()
        results.append(reserve(settings, ["account:ops", "address:a"], LIMIT, WINDOW))

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    allowed = [r for r in results if r.allowed]
    assert len(results) == 40
    assert len(allowed) == LIMIT
    assert all(len(r.ids) == 2 for r in allowed)
    assert all(1 <= r.wait_s <= WINDOW and not r.ids for r in results if not r.allowed)
    assert recent(settings, "account:ops", WINDOW) == recent(settings, "address:a", WINDOW) == LIMIT
    assert rows(settings) == 2 * LIMIT  # refused attempts wrote nothing


RACER = """
import sys, threading, time
from rigport.adapters.db.login_attempts import reserve
from rigport.settings import get_settings
start, settings, allowed = float(sys.argv[1]), get_settings(), []
def attempt():
    time.sleep(max(0.0, start - time.time()))
    allowed.append(reserve(settings, ["account:ops"], 5, 60.0).allowed)
threads = [threading.Thread(target=attempt) for _ in range(15)]
[t.start() for t in threads]
[t.join() for t in threads]
print(sum(allowed))
"""


def test_three_processes_share_five_places(settings: Settings) -> None:
    """Separate processes (as server workers are) share one count: 3 x 15 attempts, 5 places in all."""
    start = time.time() + 4  # every process imported and waiting before the first attempt
    env = {**env_for(settings.data_dir, settings.database_url), "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-c", textwrap.dedent(RACER), str(start)]
    racers = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(3)]  # fmt: skip
    outputs = [racer.communicate(timeout=120) for racer in racers]
    assert all(racer.returncode == 0 for racer in racers), outputs
    assert sum(int(out.strip()) for out, _ in outputs) == LIMIT, outputs
    assert recent(settings, "account:ops", WINDOW) == LIMIT


def test_window_slides_and_a_refusal_counts_nothing(settings: Settings) -> None:
    t0 = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    for n in range(LIMIT):
        assert reserve(settings, ["account:ops"], LIMIT, WINDOW, t0 + dt.timedelta(seconds=n)).allowed
    refused = reserve(settings, ["account:ops", "address:b"], LIMIT, WINDOW, t0 + dt.timedelta(seconds=10))
    assert (refused.allowed, refused.wait_s, refused.ids) == (False, 50, ())  # the t0 attempt leaves at t0 + 60
    assert recent(settings, "address:b", WINDOW) == 0  # refused by the account: the address is not charged
    assert not reserve(settings, ["account:ops"], LIMIT, WINDOW, t0 + dt.timedelta(seconds=59.5)).allowed
    later = reserve(settings, ["account:ops"], LIMIT, WINDOW, t0 + dt.timedelta(seconds=60.5))
    assert later.allowed  # one place freed by the oldest attempt, not the whole window
    after = reserve(settings, ["account:ops"], LIMIT, WINDOW, t0 + dt.timedelta(seconds=60.6))
    assert (after.allowed, after.wait_s) == (False, 1)  # the t0 + 1 s attempt leaves at t0 + 61


def test_a_full_address_refuses_every_account(settings: Settings) -> None:
    for n in range(LIMIT):
        assert reserve(settings, ["address:c", f"account:u{n}"], LIMIT, WINDOW).allowed
    assert not reserve(settings, ["address:c", "account:new"], LIMIT, WINDOW).allowed
    assert reserve(settings, ["address:d", "account:new"], LIMIT, WINDOW).allowed


def test_giving_back_returns_only_the_attempts_own_places(settings: Settings) -> None:
    failed = reserve(settings, ["address:e", "account:ops"], LIMIT, WINDOW)
    good = reserve(settings, ["address:f", "account:ops"], LIMIT, WINDOW)
    assert failed.allowed and good.allowed
    give_back(settings, good.ids)
    assert recent(settings, "account:ops", WINDOW) == 1
    assert recent(settings, "address:e", WINDOW) == 1
    assert recent(settings, "address:f", WINDOW) == 0


def test_old_attempts_are_pruned(settings: Settings) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=300)
    for n in range(30):
        assert reserve(settings, [f"address:old{n}", "account:x"], 100, WINDOW, old).allowed
    assert rows(settings) == 60
    assert reserve(settings, ["address:g"], LIMIT, WINDOW).allowed
    assert rows(settings) == 1
