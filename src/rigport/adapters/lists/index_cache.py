"""The screening index over the lists in force: held in memory, pickled to `<data_dir>/cache/`, else built.

The pickle's name is a key made of the list copies' states and the screening code, so a second process
starts in well under a second and a new list version (or a changed normalizer) is never served from a
stale index.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import tempfile
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import rigport.domain.screening.frequency as frequency_mod
import rigport.domain.screening.index as index_mod
import rigport.domain.screening.match as match_mod
import rigport.domain.screening.normalize as normalize_mod
from rigport.adapters.lists.copies import ListCopy, bundled_copies, list_copies, read_copy
from rigport.domain.screening.index import ScreeningIndex
from rigport.settings import Settings, get_settings

INDEX_FORMAT = "9"  # bump when the index or normalization changes so old caches are ignored


@lru_cache(maxsize=1)
def _code_fingerprint() -> bytes:
    """The screening code that shapes the index: a changed normalizer must never be served from an old cache.

    Once per process: the code in memory is what screens, even if the files are replaced meanwhile.
    """
    code = b"".join(Path(str(m.__file__)).read_bytes() for m in (index_mod, match_mod, normalize_mod))
    # the shipped name-frequency table sets word weights, which the index stores per name
    table = frequency_mod.DATA.read_bytes() if frequency_mod.DATA.exists() else b""
    return hashlib.sha256(code + table).digest()


def _copy_state(copy: ListCopy) -> str:
    """A list copy's manifest and its files' sizes and modification times."""
    parts = [copy.list_id, json.dumps(copy.manifest, sort_keys=True)]
    for name in sorted(copy.manifest["files"].values()):
        st = (copy.directory / name).stat()
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


@lru_cache(maxsize=16)
def _bundled_copy_state(list_id: str) -> str:
    """Once per process: the package's files do not change while it runs."""
    return _copy_state(next(c for c in bundled_copies() if c.list_id == list_id))


def _copy_key(copies: Iterable[ListCopy]) -> str:
    h = hashlib.sha256(INDEX_FORMAT.encode())
    h.update(_code_fingerprint())
    for copy in copies:
        h.update((_bundled_copy_state(copy.list_id) if copy.bundled else _copy_state(copy)).encode())
    return h.hexdigest()[:24]


_MEMO: dict[str, ScreeningIndex] = {}
_INDEX_LOCK = threading.Lock()


def _atomic_pickle(path: Path, index: ScreeningIndex) -> None:
    """The index pickled straight into the file: never the whole pickle in memory beside the index (tens of MB at
    the peak of a build)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def get_index(settings: Settings | None = None) -> ScreeningIndex:
    """The index over every list in force: from memory, else the disk cache, else built (and cached)."""
    settings = settings or get_settings()
    copies = list_copies(settings)
    key = _copy_key(copies)
    if key in _MEMO:
        return _MEMO[key]
    # One thread loads or builds; the API's other threads wait for it instead of each holding a copy (under
    # load, 40 threadpool threads unpickling at once took over a gigabyte and seconds of CPU).
    with _INDEX_LOCK:
        if key in _MEMO:
            return _MEMO[key]
        return _load_or_build(settings, copies, key)


def warm_index(settings: Settings, *, build: bool = False) -> bool:
    """Load the index from its disk cache when there is one; True when this process then holds it.

    A served worker calls it as it starts, in a thread, so its first screen does not wait for the load
    (under load that wait set the p99 (measured: docs/reliability.md 8)). Without `build` it never builds:
    with no cache the first screen builds, and the worker starts as fast as without it. `rigport serve`
    passes `build=True` from a background thread, so the first /screening after a fresh install or a list
    update does not wait for the build either (issue #30).
    """
    copies = list_copies(settings)
    key = _copy_key(copies)
    if key not in _MEMO and not build and not _cache_path(settings, key).exists():
        return False
    get_index(settings)
    return True


def _cache_path(settings: Settings, key: str) -> Path:
    return settings.data_dir / "cache" / f"screening-index-{key}.pickle"


def _load_or_build(settings: Settings, copies: list[ListCopy], key: str) -> ScreeningIndex:
    cache = _cache_path(settings, key)
    index: ScreeningIndex | None = None
    if cache.exists():
        try:
            loaded = pickle.loads(cache.read_bytes())  # our own file in the user's data dir
            if isinstance(loaded, ScreeningIndex):
                index = loaded
        except Exception:  # a corrupt cache is rebuilt, never trusted
            index = None
    if index is None:
        index = ScreeningIndex.build([read_copy(c) for c in copies])
        for old in cache.parent.glob("screening-index-*.pickle") if cache.parent.exists() else ():
            old.unlink(missing_ok=True)
        _atomic_pickle(cache, index)
    gc.unfreeze()  # a replaced index (after a list update) must be collectable again
    _MEMO.clear()
    _MEMO[key] = index
    # The index is millions of long-lived objects: left to the garbage collector, every full collection walks
    # them all, in the middle of requests (measured: docs/reliability.md 8). Frozen, the collector skips them.
    gc.collect()
    gc.freeze()
    return index


def cached_index(settings: Settings) -> ScreeningIndex | None:
    """The index over the lists in force when this process holds it already, else None (nothing is loaded)."""
    return _MEMO.get(_copy_key(list_copies(settings)))


def forget() -> None:
    """Drop the index held in memory: a list copy was just replaced (the next screen loads or builds anew)."""
    _MEMO.clear()
