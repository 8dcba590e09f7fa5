"""Fixtures for the dashboard tests: a seeded site behind the real app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rigport.entrypoints.api.app import create_app
from rigport.services.demo import seed
from rigport.settings import Settings


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, Settings]]:
    settings = Settings(data_dir=tmp_path)
    seed(settings)
    client = TestClient(create_app(settings), base_url="https://testserver")
    yield client, settings
