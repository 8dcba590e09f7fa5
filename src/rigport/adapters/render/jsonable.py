"""Plain JSON values from what services return, for every entry point (CLI --json, API bodies, caches).

It lives below the entry points so the API and the CLI speak the same JSON without importing each other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

_PLAIN = frozenset({str, int, float, bool})


def to_jsonable(value: Any) -> Any:
    """Plain JSON types: Decimal money becomes a number, dates ISO strings, dataclasses dicts."""
    kind = type(value)
    if kind in _PLAIN or value is None:  # most values: checked first, exact types (a str Enum is not plain)
        return value
    if kind is dict:
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if kind is list:
        return [to_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump())
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return value
