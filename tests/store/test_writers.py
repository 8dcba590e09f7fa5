"""SQLite writers in one process queue on the writer slot (store/writers.py) instead of racing for the file."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from rigport.errors import UnavailableError
from rigport.services import shipments
from rigport.settings import Settings
from rigport.store import writers
from rigport.store.uow import UnitOfWork


def seeded(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path)
    for ref in ("W-1", "W-2"):
        draft = shipments.ShipmentDraft(ref, "air", "Detroit", dt.date(2025, 2, 1), 10, Decimal(1000))
        shipments.create_shipment(draft, "test", settings)
    return settings


def hold_a_write(settings: Settings, flushed: threading.Event, go: threading.Event) -> None:
    """A unit of work that has written (flushed) W-1 and waits before committing."""
    with UnitOfWork(settings) as uow:
        row = uow.shipments.get("W-1")
        assert row is not None
        row.carrier = "HELD"
        uow.flush()
        flushed.set()
        go.wait(10)
        uow.commit()


def test_a_second_writer_waits_for_the_first_to_commit(tmp_path: Path) -> None:
    settings = seeded(tmp_path)
    flushed, go = threading.Event(), threading.Event()
    first = threading.Thread(target=hold_a_write, args=(settings, flushed, go))
    first.start()
    assert flushed.wait(10)
    done: list[float] = []
    second = threading.Thread(target=lambda: done.append(
        shipments.update_shipment("W-2", {"carrier": "NEXT"}, "t", settings=settings) and time.monotonic()))
    second.start()
    time.sleep(0.5)
    assert not done  # queued behind the first writer, not failing and not writing
    released = time.monotonic()
    go.set()
    first.join(10)
    second.join(10)
    assert done and done[0] >= released
    assert shipments.get_shipment("W-1", settings)["carrier"] == "HELD"
    assert shipments.get_shipment("W-2", settings)["carrier"] == "NEXT"


def test_a_writer_that_waits_too_long_gets_unavailable_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = seeded(tmp_path)
    monkeypatch.setattr(writers, "WAIT_S", 0.3)
    flushed, go = threading.Event(), threading.Event()
    first = threading.Thread(target=hold_a_write, args=(settings, flushed, go))
    first.start()
    try:
        assert flushed.wait(10)
        with pytest.raises(UnavailableError, match="database busy"):
            shipments.update_shipment("W-2", {"carrier": "LATE"}, "t", settings=settings)
    finally:
        go.set()
        first.join(10)
    assert shipments.get_shipment("W-2", settings)["carrier"] == ""
    assert [a["action"] for a in shipments.audit_trail("W-2", settings)] == ["create"]
    # the slot was released by both: a later write goes through at once
    assert shipments.update_shipment("W-2", {"carrier": "NOW"}, "t", settings=settings)["carrier"] == "NOW"
