"""Helpers the tests import: the CLI as a user runs it, a fresh database of either kind, the database params.

Imported from here (never from another test module or a conftest), so a test file can be moved or renamed alone.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rigport.adapters.db.engine import get_engine, upgrade
from rigport.settings import Settings
from tests.pg import create_database

_database_names = itertools.count()

# The two databases every store and service test runs on; PostgreSQL's are marked `postgres` (tests/conftest.py
# skips them without the server binaries, and fails them so under CI).
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def fresh_database(request: pytest.FixtureRequest, kind: str, data_dir: Path) -> Settings:
    """Settings for a new, upgraded database: SQLite in data_dir, or a new database in the shared cluster."""
    if kind == "sqlite":
        settings = Settings(data_dir=data_dir)
    else:
        base = request.getfixturevalue("pg_base_url")
        settings = Settings(data_dir=data_dir, database_url=create_database(base, f"rp_{next(_database_names)}"))
    upgrade(get_engine(settings))
    return settings



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
