"""Issue #29: the sender inside `rigport serve --workers 2`: both workers try every second, one sends."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from rigport.adapters.db.reminder_tables import OutboxRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.services import reminders as svc
from rigport.settings import Settings
from tests.reminders.conftest import make_shipment
from tests.reminders.servers import http_receiver
from tests.trust.support import rigport_server

TODAY = dt.date.today()
SECRET = "serve-test-secret-0123456789abcdef"


def statuses(settings: Settings) -> list[str]:
    with UnitOfWork(settings) as uow:
        return list(uow.session.scalars(select(OutboxRow.status)))


@pytest.mark.slow
def test_two_workers_one_sender(settings: Settings, tmp_path: Path) -> None:
    for i in range(4):
        make_shipment(settings, f"W-{i}", arrival=TODAY - dt.timedelta(days=10))
    with http_receiver(SECRET) as (url, received):
        received.delay_s = 0.05
        svc.add_recipient("hook", "webhook", url, secret=SECRET, settings=settings)
        env = {"RIGPORT_NOTIFY_INTERVAL_S": "1"}
        with rigport_server(settings.data_dir, settings.database_url, workers=2, extra_env=env, timeout=120):
            deadline = time.monotonic() + 90
            while len(received.ids) < 8:
                assert time.monotonic() < deadline, received.ids
                time.sleep(0.2)
            for i in range(4, 8):  # new clocks while the server runs: decided and sent by the one sender
                make_shipment(settings, f"W-{i}", arrival=TODAY - dt.timedelta(days=10))
            while len(received.ids) < 16:
                assert time.monotonic() < deadline, received.ids
                time.sleep(0.2)
            time.sleep(3)  # a few more passes of both workers: nothing is sent twice
        ids = received.ids
    assert len(ids) == len(set(ids)) == 16
    assert statuses(settings) == ["sent"] * 16
