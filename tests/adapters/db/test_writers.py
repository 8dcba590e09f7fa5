"""SQLite writers in one process queue on the writer slot (store/writers.py) instead of racing for the file."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from rigport.adapters.db import writers
from rigport.adapters.db.uow import UnitOfWork
from rigport.errors import UnavailableError
from rigport.services import shipments
from rigport.settings import Settings


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
    second = threading.Thread(
        target=lambda: done.append(
            shipments.update_shipment("W-2", {"carrier": "NEXT"}, "t", settings=settings) and time.monotonic()
        )
    )
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


HOLDER = """
import sys
from pathlib import Path
from rigport.settings import Settings
from rigport.adapters.db.uow import UnitOfWork
with UnitOfWork(Settings(data_dir=Path(sys.argv[1]))) as uow:
    row = uow.shipments.get("W-1")
    row.carrier = "OTHER PROCESS"
    uow.flush()
    print("flushed", flush=True)
    sys.stdin.readline()
    uow.commit()
print("committed", flush=True)
"""


def other_process_writing(settings: Settings) -> subprocess.Popen[str]:
    """A second rigport process (a server worker, the CLI) that has written W-1 and waits to commit."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(settings.data_dir)], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "flushed"
    return holder


def test_a_writer_in_another_process_is_queued_for_on_the_lock_file(tmp_path: Path) -> None:
    settings = seeded(tmp_path)
    holder = other_process_writing(settings)
    lock_file = next(tmp_path.glob("*-writer.lock"))
    done: list[float] = []
    writer = threading.Thread(
        target=lambda: done.append(
            shipments.update_shipment("W-2", {"carrier": "NEXT"}, "t", settings=settings) and time.monotonic()
        )
    )
    writer.start()
    time.sleep(0.5)
    assert not done and writer.is_alive()  # waiting for the other process, not failing
    released = time.monotonic()
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "committed" and holder.wait(10) == 0
    writer.join(10)
    assert done and done[0] >= released
    assert shipments.get_shipment("W-1", settings)["carrier"] == "OTHER PROCESS"
    assert shipments.get_shipment("W-2", settings)["carrier"] == "NEXT"
    assert lock_file.exists()


def test_waiting_too_long_for_another_process_is_unavailable_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = seeded(tmp_path)
    monkeypatch.setattr(writers, "WAIT_S", 0.3)
    holder = other_process_writing(settings)
    try:
        with pytest.raises(UnavailableError, match="another rigport process"):
            shipments.update_shipment("W-2", {"carrier": "LATE"}, "t", settings=settings)
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(10)
    assert shipments.get_shipment("W-2", settings)["carrier"] == ""
    assert [a["action"] for a in shipments.audit_trail("W-2", settings)] == ["create"]
    assert shipments.update_shipment("W-2", {"carrier": "NOW"}, "t", settings=settings)["carrier"] == "NOW"


def test_no_lock_file_where_none_can_be_made_leaves_sqlite_to_lock(tmp_path: Path) -> None:
    """A database in a directory rigport cannot write to: no lock file, and reads and writes fail or pass
    exactly as SQLite decides (the read-only case has its own test in tests/trust/test_unavailable.py)."""
    assert writers._open_lock_file(str(tmp_path / "missing-dir" / "rigport.db")) is None
    assert writers._open_lock_file(":memory:") is None
