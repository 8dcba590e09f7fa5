"""Shared fixtures: an isolated data directory per test, a CLI runner, a PostgreSQL cluster per session.

Helpers that tests import (run_cli, fresh_database, DATABASES, records) live in tests/helpers, not here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from rigport.settings import get_settings
from tests.helpers import run_cli
from tests.pg import require_pg_binaries, throwaway_cluster

# CI runs every property and fuzz test on a fixed sequence of examples, so a submission's result does
# not depend on luck; local runs draw fresh examples each time and keep exploring.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def pg_base_url() -> Iterator[str]:
    """One throwaway PostgreSQL cluster for the whole session; each test gets its own database in it."""
    require_pg_binaries()  # skips on a developer's machine without them; fails under CI
    with throwaway_cluster() as url:
        yield url


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked `postgres` needs the server binaries: skipped without them, failed without them under CI."""
    if item.get_closest_marker("postgres") is not None:
        require_pg_binaries()


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own RIGPORT_DATA_DIR, so nothing touches the user's real data."""
    data_dir = tmp_path_factory.mktemp("rigport-data")
    monkeypatch.setenv("RIGPORT_DATA_DIR", str(data_dir))
    monkeypatch.delenv("RIGPORT_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()


@pytest.fixture
def cli() -> object:
    return run_cli


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip("shared/ data is not beside the project")
    return SHARED
