"""Which network snapshot is in force: the user's refreshed copy if any, else the bundled one."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from rigport.chain.snapshot import NetworkSnapshot
from rigport.settings import Settings, get_settings

SNAPSHOT_FILE = "network_snapshot.json"


def bundled_snapshot() -> NetworkSnapshot:
    text = resources.files("rigport.data").joinpath(SNAPSHOT_FILE).read_text(encoding="utf-8")
    return NetworkSnapshot.from_dict(json.loads(text), f"bundled {SNAPSHOT_FILE}")


def user_snapshot_path(settings: Settings) -> Path:
    return settings.data_dir / SNAPSHOT_FILE


def current_snapshot(settings: Settings | None = None) -> NetworkSnapshot:
    """The refreshed snapshot when one was stored, otherwise the bundled one."""
    settings = settings or get_settings()
    path = user_snapshot_path(settings)
    if path.exists():
        return NetworkSnapshot.from_dict(json.loads(path.read_text(encoding="utf-8")), str(path))
    return bundled_snapshot()
