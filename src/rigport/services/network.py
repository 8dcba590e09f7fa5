"""Which network snapshot is in force: the user's refreshed copy if any, else the bundled one."""

from __future__ import annotations

import datetime as dt
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rigport.domain.chain.snapshot import NetworkSnapshot
from rigport.errors import UnavailableError
from rigport.settings import Settings, get_settings

SNAPSHOT_FILE = "network_snapshot.json"


@lru_cache(maxsize=1)
def bundled_snapshot() -> NetworkSnapshot:
    """Parsed once per process: the bundled file cannot change while it runs (snapshots are frozen)."""
    text = resources.files("rigport.data").joinpath(SNAPSHOT_FILE).read_text(encoding="utf-8")
    return NetworkSnapshot.from_dict(json.loads(text), f"bundled {SNAPSHOT_FILE}")


def user_snapshot_path(settings: Settings) -> Path:
    return settings.data_dir / SNAPSHOT_FILE


def current_snapshot(settings: Settings | None = None) -> NetworkSnapshot:
    """The refreshed snapshot when one was stored, otherwise the bundled one."""
    settings = settings or get_settings()
    path = user_snapshot_path(settings)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return bundled_snapshot()
    return _stored_snapshot(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _stored_snapshot(path: Path, mtime_ns: int, size: int) -> NetworkSnapshot:
    """Re-read only when `network refresh` rewrote the file (its modification time and size are the key)."""
    return NetworkSnapshot.from_dict(json.loads(path.read_text(encoding="utf-8")), str(path))


def _get_json(client: object, url: str) -> object:
    import httpx

    assert isinstance(client, httpx.Client)
    try:
        response = client.get(url)
    except httpx.TimeoutException:
        raise UnavailableError(f"{url}: timed out after {client.timeout.read}s") from None
    except httpx.HTTPError as exc:
        raise UnavailableError(f"{url}: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        raise UnavailableError(f"{url}: HTTP {response.status_code}, expected 200")
    try:
        return response.json()
    except ValueError:
        raise UnavailableError(f"{url}: response is not valid JSON") from None


def fetch_snapshot(api_url: str, timeout_s: float, today: dt.date | None = None) -> NetworkSnapshot:
    """Read height, difficulty, price and recent average fees from a mempool.space-compatible API."""
    import httpx

    base = api_url.rstrip("/")
    with httpx.Client(timeout=timeout_s) as client:
        height = _get_json(client, f"{base}/blocks/tip/height")
        hashrate = _get_json(client, f"{base}/v1/mining/hashrate/3d")
        prices = _get_json(client, f"{base}/v1/prices")
        blocks = _get_json(client, f"{base}/v1/blocks")
    try:
        assert isinstance(hashrate, dict) and isinstance(prices, dict) and isinstance(blocks, list)
        fees_sat = [int(b["extras"]["totalFees"]) for b in blocks if isinstance(b, dict)]
        if not fees_sat:
            raise ValueError("no blocks with extras.totalFees")
        data = {
            "height": int(height),  # type: ignore[call-overload]
            "difficulty": float(hashrate["currentDifficulty"]),
            "price_usd": float(prices["USD"]),
            "fees_btc_per_block": sum(fees_sat) / len(fees_sat) / 100_000_000,
            "as_of": (today or dt.datetime.now(dt.UTC).date()).isoformat(),
            "source": f"{base} (blocks/tip/height, v1/mining/hashrate/3d, v1/prices, v1/blocks)",
        }
    except (AssertionError, KeyError, TypeError, ValueError) as exc:
        raise UnavailableError(f"{base}: unexpected response shape ({type(exc).__name__}: {exc})") from None
    return NetworkSnapshot.from_dict(data, base)


def refresh_snapshot(settings: Settings | None = None, api_url: str | None = None) -> NetworkSnapshot:
    """Fetch and store a new snapshot; on any failure the stored one is left exactly as it was."""
    settings = settings or get_settings()
    snapshot = fetch_snapshot(api_url or settings.mempool_api_url, settings.http_timeout_s)
    path = user_snapshot_path(settings)
    settings.ensure_data_dir()
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(snapshot.to_dict(), indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return snapshot
