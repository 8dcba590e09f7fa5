"""Issue #25: `rigport shipments list` shows each shipment's next deadline, whole, even in an 80-column terminal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from rigport.services import shipments as svc
from tests.helpers import fresh_database, run_cli
from tests.helpers.records import make


def test_list_shows_the_next_deadline(request: pytest.FixtureRequest, isolated_data_dir: Path) -> None:
    settings = fresh_database(request, "sqlite", isolated_data_dir)
    make(settings)  # arrived 2025-01-02: its entry is long overdue
    svc.record_event("SFO-1", "entry-filed", dt.date(2025, 1, 3), "t", settings=settings)
    svc.record_event("SFO-1", "exam-presented", dt.date(2025, 1, 6), "t", settings=settings)
    rows = json.loads(run_cli("shipments", "list", "--json").stdout)
    deadline = rows[0]["next_deadline"]
    assert deadline["clock"] == "release_or_detain_decision" and deadline["overdue"]
    out = run_cli("shipments", "list", env={"COLUMNS": "80"})
    assert out.returncode == 0, out.stderr
    line = next(ln for ln in out.stdout.splitlines() if "SFO-1" in ln)
    assert deadline["due"] in line.split()
    # issue #30: the distance says its unit ("overdue by 700 days"), wrapped at words in its column if need be
    words = " ".join(w for w in out.stdout.split() if w not in ("│", "┃"))
    assert f"overdue by {-deadline['days_left']:,} days" in words or all(
        w in out.stdout.split() for w in ("overdue", f"{-deadline['days_left']:,}", "days"))
