"""Encoded JSON bodies of read views, reused while what they were computed from is unchanged.

A view's key (from the service layer: `shipments.detail_key`, `list_key`, `portfolio.portfolio_key`) is
read with one cheap query and holds everything the view depends on: the shipment versions, the date, the
catalog and network data. Equal keys mean equal bodies, so serving the stored body is never stale; a
write bumps a version and the next read computes afresh. Each worker keeps its own cache, bounded in bytes.
The key also gives an ETag, so a client that already has the body gets 304 Not Modified.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from rigport import __version__
from rigport.adapters.render.jsonable import to_jsonable

# Clients must revalidate (the ETag makes that cheap); "private": the body is for this token's holder only.
CACHE_CONTROL = "private, no-cache"


def encode_json(content: Any) -> bytes:
    """The bytes FastAPI's JSONResponse would send for the same content.

    The json module's C encoder walks the plain dicts, lists and strings itself and hands only the rest
    (dates, Decimal money, dataclasses) to `to_jsonable`: converting the whole tree first was a visible
    share of a screening request (measured: docs/reliability.md 8). What the fast way cannot write (a date
    as a key) is converted first, as before.
    """
    try:
        text = json.dumps(content, default=to_jsonable, **_COMPACT)
    except (TypeError, ValueError):  # and anything else it refuses: refused, or written, as before
        text = json.dumps(to_jsonable(content), **_COMPACT)
    return text.encode("utf-8")


_COMPACT: dict[str, Any] = {"ensure_ascii": False, "allow_nan": False, "indent": None, "separators": (",", ":")}


def etag_for(key: Hashable) -> str:
    """Stable across workers and restarts (repr of dates, numbers and frozen dataclasses is deterministic)."""
    return '"' + hashlib.blake2b(f"{__version__}|{key!r}".encode(), digest_size=12).hexdigest() + '"'


def _client_has(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags or "*" in tags


class ViewCache:
    """One encoded body per view (a shipment, a list query, the portfolio), kept while its key is current.

    A new key for a view replaces the body stored under the old one, so churn (every event posted moves
    a version) never piles up superseded bodies; the views least recently used go first past `max_bytes`.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._bodies: OrderedDict[Hashable, tuple[Hashable, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # the event loop and the thread pool both use it
        self.hits = 0
        self.misses = 0

    def get(self, view: Hashable, key: Hashable) -> bytes | None:
        with self._lock:
            stored = self._bodies.get(view)
            if stored is None or stored[0] != key:
                self.misses += 1
                return None
            self._bodies.move_to_end(view)
            self.hits += 1
            return stored[1]

    def put(self, view: Hashable, key: Hashable, body: bytes) -> None:
        with self._lock:
            old = self._bodies.pop(view, None)
            self._size -= len(old[1]) if old is not None else 0
            if len(body) > self.max_bytes // 4:  # one huge manifest must not evict everything else
                return
            self._bodies[view] = (key, body)
            self._size += len(body)
            while self._size > self.max_bytes:
                _, (_, evicted) = self._bodies.popitem(last=False)
                self._size -= len(evicted)

    @property
    def size_bytes(self) -> int:
        return self._size

    async def respond(self, request: Request, view: Hashable, key: Hashable, compute: Callable[[], Any]) -> Response:
        """304 when the client holds the current body, else the stored body, else compute and store it.

        Only computing a view (many queries, ms of CPU) goes to a worker thread; a hit needs none.
        """
        etag = etag_for(key)
        headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
        if _client_has(request, etag):
            return Response(status_code=304, headers=headers)
        body = self.get(view, key)
        if body is None:
            body = await run_in_threadpool(lambda: encode_json(compute()))
            self.put(view, key, body)
        return Response(body, media_type="application/json", headers=headers)


def view_cache(request: Request) -> ViewCache:
    cache: ViewCache = request.app.state.view_cache
    return cache
