"""What a served worker does as it starts: cap malloc arenas, load a cached screening index early, and cap
its threads for blocking work, with the health check off that queue.

All came out of the load benchmarks (docs/reliability.md section 7): resident memory that crept up under
writes while Python's own memory stayed flat, a worker's first screen waiting for the index load, and 40
threads of event posts starving the event loop.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from rigport.adapters.lists import index_cache
from rigport.entrypoints.api.app import create_app
from rigport.entrypoints.api.server import limit_malloc_arenas
from rigport.services import screening
from rigport.settings import Settings


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_malloc_arenas_are_capped_unless_the_user_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas() is True  # mallopt accepted the value
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")  # glibc read the user's value at start-up: leave it
    assert limit_malloc_arenas() is False


@pytest.fixture
def empty_memo() -> Iterator[None]:
    """No index in this process's memory for the test, the one other tests loaded given back after."""
    saved = dict(index_cache._MEMO)
    index_cache._MEMO.clear()
    yield
    index_cache._MEMO.clear()
    index_cache._MEMO.update(saved)


@pytest.mark.usefixtures("empty_memo")
def test_warm_index_loads_a_cached_index_and_never_builds(isolated_data_dir: Path) -> None:
    settings = Settings(data_dir=isolated_data_dir)
    assert screening.warm_index(settings) is False  # no cache on disk: nothing built, the start stays fast
    assert screening.cached_index(settings) is None
    assert not list(isolated_data_dir.glob("cache/screening-index-*"))
    built = screening.get_index(settings)  # what `rigport demo` or the first screen does: build and cache
    index_cache._MEMO.clear()
    assert screening.warm_index(settings) is True
    loaded = screening.cached_index(settings)
    assert loaded is not None and loaded is not built and len(loaded.entries) == len(built.entries)


@pytest.mark.usefixtures("empty_memo")
def test_served_app_loads_the_cached_index_as_it_starts(isolated_data_dir: Path) -> None:
    settings = Settings(data_dir=isolated_data_dir)
    screening.get_index(settings)
    index_cache._MEMO.clear()
    with TestClient(create_app(settings)) as client:  # runs the startup handlers, as uvicorn does
        assert client.get("/api/v1/health").status_code == 200  # served while the index loads
        deadline = time.monotonic() + 60
        while screening.cached_index(settings) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert screening.cached_index(settings) is not None


def test_worker_threads_are_capped_and_health_does_not_wait_for_one(isolated_data_dir: Path) -> None:
    settings = Settings(data_dir=isolated_data_dir, worker_threads=1)
    with TestClient(create_app(settings)) as client:
        limiter = client.portal.call(anyio.to_thread.current_default_thread_limiter)
        assert limiter.total_tokens == 1
        holder = object()
        client.portal.call(limiter.acquire_on_behalf_of, holder)  # the one thread is busy (a long write, say)
        with ThreadPoolExecutor(1) as pool:
            asked = pool.submit(client.get, "/api/v1/health")
            try:
                health = asked.result(timeout=20)  # a health check queued for the thread would wait here
            finally:
                client.portal.call(limiter.release_on_behalf_of, holder)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert client.get("/login").status_code == 200  # a sync route (a thread's work) runs again once it is free


@pytest.mark.usefixtures("empty_memo")
def test_warm_index_with_build_builds_and_caches_when_there_is_no_cache(isolated_data_dir: Path) -> None:
    """Issue #30: `rigport serve` builds the index in the background at start, so the first /screening after a
    fresh install does not wait for the build."""
    settings = Settings(data_dir=isolated_data_dir)
    assert screening.warm_index(settings, build=True) is True
    held = screening.cached_index(settings)
    assert held is not None and len(held.entries) > 1000
    assert list(isolated_data_dir.glob("cache/screening-index-*"))  # written for the other workers
