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


@pytest.fixture(scope="session")
def bundled_index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The screening index over the bundled lists, held by this process before a screening test starts.

    Building it is most of a screening test's time (seconds); its pickle is kept between runs in pytest's cache
    (its key covers the lists and the index code, so a stale one is never read), and loading it is ~10x faster.
    """
    from rigport.adapters.lists.index_cache import get_index

    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    data_dir = cache.mkdir("rigport-screening-index") if cache is not None else tmp_path_factory.mktemp("index")
    get_index(Settings(data_dir=data_dir))
