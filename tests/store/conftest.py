"""Run every store/service test on both SQLite (embedded default) and PostgreSQL."""

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
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        s = Settings(data_dir=tmp_path)
    else:
        base = request.getfixturevalue("pg_base_url")
        s = Settings(data_dir=tmp_path, database_url=create_database(base, f"rp_test_{next(_counter)}"))
    upgrade(get_engine(s))
    return s
