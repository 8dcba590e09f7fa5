"""Shared fixtures: an isolated data directory per test and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from rigport.settings import get_settings

# CI runs every property and fuzz test on a fixed sequence of examples, so a submission's result does
# not depend on luck; local runs draw fresh examples each time and keep exploring.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

SHARED = Path(__file__).resolve().parents[2] / "shared"


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
