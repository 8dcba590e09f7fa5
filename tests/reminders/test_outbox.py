"""Issue #29: deciding reminders writes the outbox once per key, in one transaction (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rigport.adapters.db.reminder_tables import OutboxRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.errors import ConflictError, InputError, NotFoundError
from rigport.services import reminders as svc
from rigport.settings import Settings
from tests.conftest import run_cli
from tests.reminders.conftest import make_shipment, seize

TODAY = dt.date.today()


def outbox(settings: Settings) -> list[OutboxRow]:
    with UnitOfWork(settings) as uow:
        rows = list(uow.session.scalars(select(OutboxRow).order_by(OutboxRow.key)))
        uow.session.expunge_all()  # loaded values stay readable after the unit of work rolls back
        return rows


def test_decide_queues_each_reminder_once(settings: Settings) -> None:
    make_shipment(settings, "LAX-1", arrival=TODAY - dt.timedelta(days=10))  # entry due in 5 days, GO in 6
    make_shipment(settings, "LAX-2", arrival=TODAY - dt.timedelta(days=40))
    seize(settings, "LAX-2", TODAY - dt.timedelta(days=30))  # petition due in 3 days
    svc.add_recipient("ops", "email", "ops@example.com", settings=settings)
    svc.add_recipient("hook", "webhook", "https://example.com/hook", before="2", digest=True, settings=settings)
    first = svc.decide(settings, TODAY)
    rows = outbox(settings)
    assert first["queued"] == first["decided"] == len(rows)
    by = {(r.shipment, r.clock, r.threshold) for r in rows if r.key.endswith(".r1")}
    assert by == {("LAX-1", "entry_due", "before-7"), ("LAX-1", "general_order_warehouse", "before-7"),
                  ("LAX-2", "petition_for_relief", "before-3")}
    hook = {(r.shipment, r.clock, r.threshold) for r in rows if r.key.endswith(".r2")}
    assert hook == {("", "*digest*", "digest")}  # nothing within 2 days: only the digest of the next 14
    assert all(r.status == "pending" and r.attempts == 0 for r in rows)
    again = svc.decide(settings, TODAY)
    assert again["decided"] == first["decided"] and again["queued"] == 0 and len(outbox(settings)) == len(rows)
    later = svc.decide(settings, TODAY + dt.timedelta(days=2))  # LAX-1 moves into the 3-day window
    assert later["queued"] >= 2 and len(outbox(settings)) == len(rows) + later["queued"]


def test_dry_run_writes_nothing(settings: Settings) -> None:
    make_shipment(settings, "LAX-1", arrival=TODAY - dt.timedelta(days=10))
    svc.add_recipient("ops", "email", "ops@example.com", settings=settings)
    dry = svc.run(settings, TODAY, dry_run=True)
    assert dry["queued"] == 2 and dry["sender"] == "dry-run" and outbox(settings) == []
    svc.decide(settings, TODAY)
    assert svc.run(settings, TODAY, dry_run=True)["queued"] == 0  # already in the outbox


def test_unique_key_holds_in_the_database(settings: Settings) -> None:
    make_shipment(settings, "LAX-1", arrival=TODAY - dt.timedelta(days=10))
    svc.add_recipient("ops", "email", "ops@example.com", settings=settings)
    svc.decide(settings, TODAY)
    row = outbox(settings)[0]
    with UnitOfWork(settings) as uow:
        copy = {c: getattr(row, c) for c in ("shipment", "clock", "due", "threshold", "recipient_id", "status",
                                             "subject", "message", "next_attempt_at", "attempts")}
        uow.session.add(OutboxRow(key=row.key + "x", **copy))
        with pytest.raises(ConflictError):
            uow.commit()
    with UnitOfWork(settings) as uow:
        assert uow.session.scalar(select(func.count()).select_from(OutboxRow)) == 2


def test_recipients_checked_and_removed(settings: Settings) -> None:
    with pytest.raises(InputError, match="address: expected an e-mail"):
        svc.add_recipient("a", "email", "not-an-address", settings=settings)
    with pytest.raises(InputError, match="webhook URL"):
        svc.add_recipient("a", "webhook", "ftp://example.com/x", settings=settings)
    with pytest.raises(InputError, match="channel"):
        svc.add_recipient("a", "pager", "x", settings=settings)
    with pytest.raises(NotFoundError, match="no dashboard user"):
        svc.add_recipient("a", "email", "a@example.com", username="nobody", settings=settings)
    made = svc.add_recipient("hook", "webhook", "https://example.com/h", settings=settings)
    assert len(made["secret"]) >= 32 and "secret" not in svc.list_recipients(settings)[0]
    with pytest.raises(ConflictError):
        svc.add_recipient("hook", "webhook", "https://example.com/h", settings=settings)
    make_shipment(settings, "LAX-1", arrival=TODAY - dt.timedelta(days=10))
    svc.decide(settings, TODAY)
    assert svc.remove_recipient("hook", settings=settings)["cancelled"] == 2
    assert {r.status for r in outbox(settings)} == {"cancelled"} and svc.list_recipients(settings) == []
    assert svc.add_recipient("hook", "email", "x@example.com", settings=settings)["name"] == "hook"  # name reusable


def test_recipients_cli(isolated_data_dir: Path) -> None:
    out = run_cli("notify", "recipients", "add", "team", "--channel", "webhook", "--address",
                  "https://example.com/h", "--before", "10,2", "--json")
    assert out.returncode == 0, out.stderr
    made = json.loads(out.stdout)
    assert made["before"] == [10, 2] and made["secret"]
    listed = json.loads(run_cli("notify", "recipients", "list", "--json").stdout)
    assert [r["name"] for r in listed] == ["team"] and "secret" not in listed[0]
    bad = run_cli("notify", "recipients", "add", "x", "--channel", "email", "--address", "nope")
    assert bad.returncode == 2 and "address" in bad.stderr and "Traceback" not in bad.stderr
    bad = run_cli("notify", "recipients", "add", "x", "--channel", "email", "--address", "a@b.co", "--before", "0")
    assert bad.returncode == 2 and "before" in bad.stderr
    changed = json.loads(run_cli("notify", "recipients", "set", "team", "--no-overdue", "--json").stdout)
    assert changed["overdue"] is False
    assert run_cli("notify", "recipients", "remove", "team").returncode == 0
    assert run_cli("notify", "recipients", "remove", "team").returncode == 2
    status = json.loads(run_cli("notify", "status", "--json").stdout)
    assert status["outbox"] == {"pending": 0, "sent": 0, "cancelled": 0, "failing": 0}
