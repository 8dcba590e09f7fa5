"""Issue #29, never lost: SIGKILL the sender at many points, restart it, count at the receiving end.

Kills land during start-up and deciding (random early delays) and inside the send loop (right after the
receiver got a delivery, at a random fraction of its response delay): during the request, between the
channel's acceptance and the outbox record, and during that record's commit. Every due key must arrive,
and a kill may cost at most one repeat (the sender delivers one reminder at a time).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from rigport.adapters.db.engine import get_engine
from rigport.adapters.db.leases import sender_lock
from rigport.adapters.db.reminder_tables import OutboxRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.services import reminders as svc
from rigport.settings import Settings
from tests.conftest import fresh_database, run_cli
from tests.reminders.conftest import make_shipment
from tests.reminders.servers import http_receiver

TODAY = dt.date.today()
SECRET = "crash-test-secret-0123456789abcdef"


def _env(settings: Settings) -> dict[str, str]:
    env = {**os.environ, "RIGPORT_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env["RIGPORT_DATABASE_URL"] = settings.database_url
    return env


def _outbox(settings: Settings) -> dict[str, str]:
    with UnitOfWork(settings) as uow:
        return {str(k): str(s) for k, s in uow.session.execute(select(OutboxRow.key, OutboxRow.status))}


def _wait_for(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.005)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_sigkill_at_many_points_loses_nothing(request: pytest.FixtureRequest, kind: str, tmp_path: Path) -> None:
    settings = fresh_database(request, kind, tmp_path)
    for i in range(12):  # entry due in 5 days and GO warehouse in 6: two reminders each
        make_shipment(settings, f"K-{i:02d}", arrival=TODAY - dt.timedelta(days=10))
    rng = random.Random(29)
    kills, mid_send_kills = 0, 0
    with http_receiver(SECRET) as (url, received):
        received.delay_s = 0.08
        svc.add_recipient("hook", "webhook", url, secret=SECRET, settings=settings)
        for round_no in range(14):
            before = len(received.ids)
            proc = subprocess.Popen([sys.executable, "-m", "rigport", "notify", "run", "--json"], env=_env(settings),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            if round_no % 3 == 0:
                time.sleep(rng.uniform(0.05, 2.5))  # anywhere: start-up, deciding, sending
            else:  # inside the send loop: after the n-th delivery of this run, a random part of a response
                target = before + rng.randint(1, 3)
                _wait_for(lambda t=target, p=proc: len(received.ids) >= t or p.poll() is not None, 60)
                time.sleep(rng.uniform(0, received.delay_s * 1.5))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills += 1
                mid_send_kills += len(received.ids) > before
            if set(_outbox(settings).values()) == {"sent"}:
                break
        received.delay_s = 0
        for _ in range(20):  # the restart that finishes the job (a dead holder's lock may take a moment to go)
            final = run_cli("notify", "run", "--json", env=_env(settings))
            assert final.returncode == 0, final.stderr
            if set(_outbox(settings).values()) == {"sent"}:
                break
            time.sleep(0.25)
        outbox = _outbox(settings)
        ids = received.ids
    assert len(outbox) == 24 and set(outbox.values()) == {"sent"}
    assert set(ids) == set(outbox)  # every due key arrived
    assert len(ids) <= len(outbox) + kills  # a kill costs at most one repeat
    assert kills >= 5 and mid_send_kills >= 3, (kills, mid_send_kills)
    print(f"{kind}: {kills} kills ({mid_send_kills} mid-send), {len(ids)} deliveries of {len(outbox)} reminders")


def test_one_sender_at_a_time(settings: Settings) -> None:
    for i in range(3):
        make_shipment(settings, f"L-{i}", arrival=TODAY - dt.timedelta(days=10))
    with http_receiver(SECRET) as (url, received):
        svc.add_recipient("hook", "webhook", url, secret=SECRET, settings=settings)
        svc.decide(settings, TODAY)
        with sender_lock(get_engine(settings)) as held:
            assert held
            assert svc.send_pending(settings)["sender"] == "busy"  # another holder in this process
            other = run_cli("notify", "run", "--json", env=_env(settings))  # and in another process
            assert other.returncode == 0, other.stderr
            assert '"sender": "busy"' in other.stdout and received.ids == []
        received.delay_s = 0.05
        results: list[dict[str, object]] = []
        threads = [threading.Thread(target=lambda: results.append(svc.send_pending(settings))) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(received.ids) == sorted(_outbox(settings)) and len(received.ids) == 6  # no key twice
    assert sum(int(str(r["sent"])) for r in results) == 6
