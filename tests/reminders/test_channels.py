"""Issue #29: reminders through real channels — an aiosmtpd server and an HTTP receiver checking the HMAC."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select

from rigport.adapters.db.reminder_tables import AttemptRow, OutboxRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.services import reminders as svc
from rigport.settings import Settings
from tests.helpers import run_cli
from tests.reminders.conftest import make_shipment
from tests.reminders.servers import free_port, http_receiver, smtp_server

TODAY = dt.date.today()
LATER = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)  # past any backoff


def rows(settings: Settings) -> list[tuple[str, str, int, str | None]]:
    with UnitOfWork(settings) as uow:
        found = uow.session.execute(select(OutboxRow.key, OutboxRow.status, OutboxRow.attempts, OutboxRow.last_error)
                                    .order_by(OutboxRow.key))
        return [(k, s, a, e) for k, s, a, e in found]


def attempts(settings: Settings) -> list[tuple[bool, str | None]]:
    with UnitOfWork(settings) as uow:
        found = uow.session.execute(select(AttemptRow.ok, AttemptRow.error).order_by(AttemptRow.id))
        return [(ok, e) for ok, e in found]


def test_email_over_smtp(settings: Settings) -> None:
    make_shipment(settings, "LAX-1", arrival=TODAY - dt.timedelta(days=10), port="Long Beach, CA")
    svc.add_recipient("ops", "email", "ops@example.com", settings=settings)
    with smtp_server() as (port, box):
        mail = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False,
                                           "smtp_from": "rigport@example.com"})
        result = svc.run(mail, TODAY)
    assert result["sent"] == 2 and result["failed"] == 0 and result["outbox"]["pending"] == 0
    keys = {k for k, status, n, _ in rows(settings) if status == "sent" and n == 1}
    assert len(keys) == 2 and len(box.messages) == 2
    assert {m["Message-ID"] for m in box.messages} == {f"<{k}@rigport>" for k in keys}
    entry = next(m for m in box.messages if "entry due" in m["Subject"])
    assert entry["Subject"] == f"[rigport] LAX-1: entry due in 5 days ({TODAY + dt.timedelta(days=5)})"
    assert entry["To"] == "ops@example.com" and entry["X-Envelope-To"] == "ops@example.com"
    text = entry.get_body(("plain",))
    html = entry.get_body(("html",))
    assert text is not None and html is not None
    assert "19 CFR 142.2(a)" in text.get_content() and "<strong>LAX-1</strong> (Long Beach, CA)" in html.get_content()
    assert attempts(settings) == [(True, None), (True, None)]


def test_webhook_signed_and_slack(settings: Settings) -> None:
    make_shipment(settings, "LAX-1", arrival=TODAY - dt.timedelta(days=10))
    made = svc.add_recipient("hook", "webhook", "http://127.0.0.1:1/", settings=settings)
    with http_receiver(made["secret"]) as (url, received):
        svc.update_recipient("hook", address=url, settings=settings)
        slack = svc.add_recipient("chat", "slack", url, secret=made["secret"], settings=settings)
        assert "secret" not in slack  # given, not generated: not echoed
        result = svc.run(settings, TODAY)
    assert result["sent"] == 4 and received.refused == []
    sent = {k for k, status, _, _ in rows(settings) if status == "sent"}
    assert set(received.ids) == sent and len(received.ids) == 4
    hook = [d for d in received.deliveries if d["id"].endswith(".r1")]
    assert {d["clock"] for d in hook} == {"entry_due", "general_order_warehouse"}
    assert hook[0]["shipment"] == "LAX-1" and hook[0]["units"] == 100 and hook[0]["threshold"] == "before-7"
    chat = [d for d in received.deliveries if d["id"].endswith(".r2")]
    assert all(set(d) == {"id", "text"} and "LAX-1" in d["text"] for d in chat)


def test_forged_signature_is_refused_by_the_receiver(settings: Settings) -> None:
    make_shipment(settings, "LAX-1", arrival=TODAY - dt.timedelta(days=10))
    svc.add_recipient("hook", "webhook", "http://127.0.0.1:1/", secret="s" * 32, settings=settings)
    with http_receiver("another secret entirely") as (url, received):
        svc.update_recipient("hook", address=url, settings=settings)
        result = svc.run(settings, TODAY)
    assert result["failed"] == 2 and received.refused == ["bad signature"] * 2
    assert all(status == "pending" and "HTTP 401" in (error or "") for _, status, _, error in rows(settings))


def test_bad_settings_then_outage_then_delivery(settings: Settings) -> None:
    """Unset host: a settings error, the reminders wait; closed port: an outage, they wait; then they arrive."""
    make_shipment(settings, "LAX-1", arrival=TODAY - dt.timedelta(days=10))
    svc.add_recipient("ops", "email", "ops@example.com", settings=settings)
    first = svc.run(settings, TODAY)  # the channel is down: one try, the other reminder waits untried
    assert first["config_error"] and (first["failed"], first["deferred"]) == (1, 1)
    assert "RIGPORT_SMTP_HOST is not set" in first["errors"][0]
    closed = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_starttls": False})
    early = svc.send_pending(closed, now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))  # nothing due yet
    assert early["sent"] == early["failed"] == early["deferred"] == 0
    second = svc.send_pending(closed, now=LATER)
    assert (second["failed"], second["deferred"]) == (1, 1) and not second["config_error"]
    assert "cannot connect" in second["errors"][0]
    with smtp_server() as (port, box):
        starttls = closed.model_copy(update={"smtp_port": port, "smtp_starttls": True})
        third = svc.send_pending(starttls, now=LATER + dt.timedelta(days=1))
        assert third["config_error"] and "STARTTLS" in third["errors"][0] and box.messages == []
        working = starttls.model_copy(update={"smtp_starttls": False})
        fourth = svc.send_pending(working, now=LATER + dt.timedelta(days=2))
    assert fourth["sent"] == 2 and len(box.messages) == 2
    assert [s for _, s, _, _ in rows(settings)] == ["sent", "sent"] and sum(n for _, _, n, _ in rows(settings)) == 5
    assert [ok for ok, _ in attempts(settings)] == [False] * 3 + [True] * 2


def test_notify_cli_exit_codes(isolated_data_dir: Path) -> None:
    settings = Settings(data_dir=isolated_data_dir)
    make_shipment(settings, "LAX-1", arrival=TODAY - dt.timedelta(days=10))
    svc.add_recipient("ops", "email", "ops@example.com", settings=settings)
    dry = run_cli("notify", "run", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["queued"] == 2 and rows(settings) == []
    bad = run_cli("notify", "run", "--json")
    assert bad.returncode == 2 and "RIGPORT_SMTP_HOST is not set" in bad.stderr and "Traceback" not in bad.stderr
    assert json.loads(bad.stdout)["outbox"]["pending"] == 2  # waiting in the outbox
    out = run_cli("notify", "status", "--json")
    failing = json.loads(out.stdout)["failing"]
    assert len(failing) == 1 and "RIGPORT_SMTP_HOST" in failing[0]["last_error"]  # the other waits untried
    wrong = run_cli("notify", "run", env={"RIGPORT_SMTP_PORT": "99999"})
    assert wrong.returncode == 2 and "RIGPORT_SMTP_PORT" in wrong.stderr
