"""Fixtures for the trust tests: a database of each kind, upgraded and ready."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from rigport.settings import Settings
from rigport.store.engine import get_engine, upgrade
from tests.pg import create_database, pg_bin_dir, throwaway_cluster

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_base_url() -> Iterator[str]:
    if pg_bin_dir() is None:
        pytest.skip("PostgreSQL server binaries not installed (CI installs the postgresql package)")
    with throwaway_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh, upgraded database of each kind (data_dir is per test)."""
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        settings = Settings(data_dir=data_dir)
    else:
        base = request.getfixturevalue("pg_base_url")
        settings = Settings(data_dir=data_dir, database_url=create_database(base, f"rp_trust_{next(_counter)}"))
    upgrade(get_engine(settings))
    return settings
