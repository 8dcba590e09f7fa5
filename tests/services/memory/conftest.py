"""The fast service layer: every test gets an empty in-memory store (no database, no migrations)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.settings import Settings


@pytest.fixture
def settings(isolated_data_dir: Path) -> Settings:
    """Settings for what is not the database: the catalog, the network snapshot, the default power price."""
    return Settings(data_dir=isolated_data_dir)


@pytest.fixture
def uow(settings: Settings) -> MemoryUnitOfWork:
    """Pass it to every service call of the test (`uow=uow`): one store, one unit of work per call."""
    return MemoryUnitOfWork(settings)
