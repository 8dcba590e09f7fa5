"""Fixtures for the trust tests: a database of each kind, upgraded and ready."""

from __future__ import annotations

from pathlib import Path

import pytest

from rigport.settings import Settings
from tests.helpers import DATABASES, fresh_database


@pytest.fixture(params=DATABASES)
def db_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh, upgraded database of each kind (data_dir is per test)."""
    return fresh_database(request, request.param, tmp_path / "data")
