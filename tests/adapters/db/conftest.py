"""Run every store/service test on both SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from rigport.settings import Settings
from tests.helpers import DATABASES, fresh_database


@pytest.fixture(params=DATABASES)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return fresh_database(request, request.param, tmp_path)
