"""The catalog in force: bundled models plus the user's own file, if any."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rigport.domain.catalog import Catalog, load_bundled, parse_catalog_csv, parse_catalog_toml
from rigport.errors import InputError
from rigport.settings import Settings, get_settings


def user_catalog_path(settings: Settings) -> Path | None:
    if settings.catalog_file is not None:
        return settings.catalog_file
    for name in ("catalog.csv", "catalog.toml"):
        candidate = settings.data_dir / name
        if candidate.exists():
            return candidate
    return None


def read_catalog_file(path: Path) -> Catalog:
    """Parse a user's catalog file on its own (for validation before it is used)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: catalog file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: expected UTF-8 text") from None
    models = parse_catalog_toml(text, str(path)) if path.suffix == ".toml" else parse_catalog_csv(text, str(path))
    return Catalog(models)


def catalog_version(settings: Settings | None = None) -> tuple[str, int, int] | None:
    """Which catalog is in force: None for the bundled one, else the user's file with its mtime and size.

    Views priced from the catalog (cost of delay) are cached under this; a changed file changes it.
    """
    settings = settings or get_settings()
    path = user_catalog_path(settings)
    if path is None:
        return None
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: catalog file not found") from None
    return str(path), stat.st_mtime_ns, stat.st_size


def get_catalog(settings: Settings | None = None) -> Catalog:
    version = catalog_version(settings)
    if version is None:
        return load_bundled()
    path, mtime_ns, size = version
    return _with_user_file(Path(path), mtime_ns, size)


@lru_cache(maxsize=8)
def _with_user_file(path: Path, mtime_ns: int, size: int) -> Catalog:
    """Re-read only when the user's file changes (its modification time and size are part of the key)."""
    return load_bundled().with_overrides(read_catalog_file(path).all())
