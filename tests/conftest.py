"""Shared fixtures: an isolated data directory per test and a CLI runner."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from rigport.adapters.db.engine import get_engine, upgrade
from rigport.settings import Settings, get_settings
from tests.pg import create_database, pg_bin_dir, throwaway_cluster

# CI runs every property and fuzz test on a fixed sequence of examples, so a submission's result does
# not depend on luck; local runs draw fresh examples each time and keep exploring.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

SHARED = Path(__file__).resolve().parents[2] / "shared"
_database_names = itertools.count()


@pytest.fixture(scope="session")
def pg_base_url() -> Iterator[str]:
    """One throwaway PostgreSQL cluster for the whole session; each test gets its own database in it."""
    if pg_bin_dir() is None:
        pytest.skip("PostgreSQL server binaries not installed (CI installs the postgresql package)")
    with throwaway_cluster() as url:
        yield url


def fresh_database(request: pytest.FixtureRequest, kind: str, data_dir: Path) -> Settings:
    """Settings for a new, upgraded database: SQLite in data_dir, or a new database in the shared cluster."""
    if kind == "sqlite":
        settings = Settings(data_dir=data_dir)
    else:
        base = request.getfixturevalue("pg_base_url")
        settings = Settings(data_dir=data_dir, database_url=create_database(base, f"rp_{next(_database_names)}"))
    upgrade(get_engine(settings))
    return settings


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own RIGPORT_DATA_DIR, so nothing touches the user's real data."""
    data_dir = tmp_path_factory.mktemp("rigport-data")
    monkeypatch.setenv("RIGPORT_DATA_DIR", str(data_dir))
    monkeypatch.delenv("RIGPORT_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()


def run_cli(
    *args: str, env: dict[str, str] | None = None, input_text: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the real `rigport` entry point in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "rigport", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        input=input_text,
        timeout=timeout,
    )


@pytest.fixture
def cli() -> object:
    return run_cli


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip("shared/ data is not beside the project")
    return SHARED
