"""Where blocking store calls run: on the event loop for a quick SQLite read, else on a worker thread."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from rigport.settings import Settings

P = ParamSpec("P")
T = TypeVar("T")


def _embedded(settings: Settings) -> bool:
    return settings.effective_database_url.startswith("sqlite")


async def quick_read(settings: Settings, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a one-statement read (a token check, a cached view's key) the cheapest safe way.

    On the embedded SQLite file the read takes ~0.1 ms and never waits for writers (WAL), which is less
    than handing it to a thread (two hops cost ~35% of a cached read's CPU, docs/reliability.md); so it
    runs inline. A networked database can stall for as long as the network does, which must never
    freeze the event loop, so there it goes to the thread pool like every other store call.
    """
    if _embedded(settings):
        return fn(*args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_QUICK_READS, functools.partial(fn, *args, **kwargs))


# Its own small pool: a bare executor hand-off costs less than anyio's (capacity limiter, cancel scopes), and
# quick reads never queue behind the long calls (views, imports, screening) on the main thread pool.
_QUICK_READS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="rigport-quick-read")
