"""Reminder and calendar tests: shipments with open clocks on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from rigport.services import shipments as svc
from rigport.settings import Settings
from tests.conftest import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return fresh_database(request, request.param, tmp_path)


@pytest.fixture
def sqlite_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return fresh_database(request, "sqlite", tmp_path)


def make_shipment(
    settings: Settings,
    reference: str,
    *,
    arrival: dt.date,
    port: str = "Los Angeles",
    units: int = 100,
    value: str = "340000",
    other_agency: bool = False,
) -> None:
    draft = svc.ShipmentDraft(reference, "vessel", port, arrival, units, Decimal(value), other_agency_hold=other_agency)
    svc.create_shipment(draft, "tester", settings)


def seize(settings: Settings, reference: str, start: dt.date) -> None:
    """Walk a shipment to SEIZED: the petition for relief is due 30 days after `start` + 3."""
    for event, offset in (("entry-filed", 0), ("exam-presented", 1), ("detention", 2), ("seizure-notice-mailed", 3)):
        svc.record_event(reference, event, start + dt.timedelta(days=offset), "tester", settings=settings)
