"""Downloading the official list files over HTTP: whole, checked for truncation, or an UnavailableError.

httpx is imported when a download starts, not with this module: screening a name never pays for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rigport.errors import UnavailableError

OFFICIAL_URLS = {
    "sdn": "https://www.treasury.gov/ofac/downloads/sdn.csv",
    "add": "https://www.treasury.gov/ofac/downloads/add.csv",
    "alt": "https://www.treasury.gov/ofac/downloads/alt.csv",
    "csl": "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
}


def urls_from(base: str | None) -> dict[str, str]:
    """The file URL per role: the official ones, or the same file names under `base` (a mirror, a test server)."""
    base = base.rstrip("/") if base else None
    return {role: (f"{base}/{u.rsplit('/', 1)[1]}" if base else u) for role, u in OFFICIAL_URLS.items()}


@contextmanager
def client(timeout_s: float) -> Iterator[Any]:
    """One HTTP client for a whole update (redirects followed, the configured timeout)."""
    import httpx

    with httpx.Client(timeout=timeout_s, follow_redirects=True) as http:
        yield http


def download(http: Any, url: str) -> bytes:
    """The whole body of `url`, or UnavailableError saying why (status, truncation, network, empty)."""
    import httpx

    try:
        with http.stream("GET", url) as response:
            if response.status_code != 200:
                raise UnavailableError(f"{url}: HTTP {response.status_code}, expected 200; previous list kept")
            data = b"".join(response.iter_bytes())
            expected = response.headers.get("content-length")
            if (
                expected is not None
                and response.headers.get("content-encoding") in (None, "identity")
                and int(expected) != len(data)
            ):
                raise UnavailableError(
                    f"{url}: truncated download ({len(data)} of {expected} bytes); previous list kept"
                )
    except httpx.HTTPError as exc:
        raise UnavailableError(f"{url}: {type(exc).__name__}: {exc}; previous list kept") from None
    if not data:
        raise UnavailableError(f"{url}: empty download; previous list kept")
    return data
