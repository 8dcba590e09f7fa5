"""Names screened ad hoc and kept for re-screening after a list update: `<data_dir>/screening-watchlist.json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rigport.adapters.lists.copies import atomic_write_bytes
from rigport.settings import Settings


def _watch_path(settings: Settings) -> Path:
    return settings.data_dir / "screening-watchlist.json"


def read(settings: Settings) -> list[dict[str, Any]]:
    """The kept names (`{"name", "type", "country"}` each); none when the file is missing or not a list."""
    path = _watch_path(settings)
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else []


def write(settings: Settings, names: list[dict[str, Any]]) -> None:
    """Replace the kept names in one rename."""
    atomic_write_bytes(_watch_path(settings), json.dumps(names, indent=2, ensure_ascii=False).encode("utf-8"))
