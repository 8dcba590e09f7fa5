"""Which list copies are in force, reading one completely, and swapping a new one in atomically.

For each list id, the copy the user loaded or downloaded into `<data_dir>/lists/<id>/` if any, else the
dated copy bundled in the package. Every copy has a manifest (source, date, file names, sha256).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from rigport.domain.screening.loaders import load_csl_csv, load_csl_json, load_ofac, load_user_list
from rigport.domain.screening.model import ListVersion, ScreeningList
from rigport.errors import InputError
from rigport.settings import Settings, get_settings


@dataclass(frozen=True)
class ListCopy:
    """One list copy on disk: its manifest and the directory its files live in."""

    list_id: str
    directory: Path
    manifest: dict[str, Any]
    bundled: bool

    def file(self, role: str) -> Path | None:
        name = self.manifest["files"].get(role)
        return self.directory / name if name else None


def _bundled_dir() -> Path:
    return Path(str(resources.files("rigport.data").joinpath("lists")))


def user_lists_dir(settings: Settings) -> Path:
    return settings.data_dir / "lists"


@lru_cache(maxsize=1)
def bundled_copies() -> tuple[ListCopy, ...]:
    """Read once per process: the package's own files do not change while it runs."""
    bundled_dir = _bundled_dir()
    manifest = json.loads((bundled_dir / "manifest.json").read_text(encoding="utf-8"))
    return tuple(ListCopy(list_id, bundled_dir, info, True) for list_id, info in manifest["lists"].items())


def list_copies(settings: Settings | None = None) -> list[ListCopy]:
    """The copy in force for every list id: a user/downloaded copy wins over the bundled one."""
    settings = settings or get_settings()
    copies: dict[str, ListCopy] = {copy.list_id: copy for copy in bundled_copies()}
    user_dir = user_lists_dir(settings)
    if user_dir.is_dir():
        for child in sorted(user_dir.iterdir()):
            mf = child / "manifest.json"
            if child.is_dir() and mf.exists():
                info = json.loads(mf.read_text(encoding="utf-8"))
                copies[child.name] = ListCopy(child.name, child, info, False)
    return list(copies.values())


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def read_copy(copy: ListCopy) -> ScreeningList:
    """Parse one list copy completely (raises InputError naming the file and line on bad data)."""
    info = copy.manifest
    kind = info["kind"]
    published = _date(info.get("published"))
    loaded = _date(info.get("loaded")) or published or dt.date.today()
    note = info.get("date_note", "")
    source = info.get("source", str(copy.directory))
    if kind == "ofac-sdn":
        paths = [copy.file(r) for r in ("sdn", "add", "alt")]
        blobs = [p.read_bytes() if p is not None else None for p in paths]
        assert blobs[0] is not None
        names = [str(p) if p else r for p, r in zip(paths, ("sdn.csv", "add.csv", "alt.csv"), strict=True)]
        labels = (names[0], names[1], names[2])
        return load_ofac(
            blobs[0],
            blobs[1],
            blobs[2],
            labels=labels,
            source=source,
            published=published,
            loaded=loaded,
            date_note=note,
        )
    if kind == "csl":
        path = copy.file("csl")
        assert path is not None
        loader = load_csl_json if path.name.endswith((".json", ".json.gz")) else load_csl_csv
        return loader(
            path.read_bytes(), label=str(path), source=source, published=published, loaded=loaded, date_note=note
        )
    path = copy.file("user")
    assert path is not None
    lst = load_user_list(
        path.read_bytes(),
        label=str(path),
        list_id=copy.list_id,
        title=info.get("title", "User restricted list"),
        source=source,
        loaded=loaded,
    )
    v = lst.version
    fixed = ListVersion(
        v.list_id,
        v.title,
        v.source,
        v.sha256,
        published or v.published,
        v.loaded,
        v.entries,
        v.names,
        v.counts,
        note or v.date_note,
    )
    return ScreeningList(fixed, lst.entries)


def install_copy(settings: Settings, list_id: str, files: dict[str, tuple[str, bytes]], info: dict[str, Any]) -> None:
    """Write the files and manifest to a temporary directory, then swap it in with one rename.

    The caller forgets the cached index afterwards (`index_cache.forget`): the copy's key changed.
    """
    target = user_lists_dir(settings) / list_id
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{list_id}."))
    try:
        names = {}
        for role, (filename, data) in files.items():
            (staging / filename).write_bytes(data)
            names[role] = filename
        manifest = {**info, "files": names}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        old = None
        if target.exists():
            old = target.parent / f".{list_id}.old"
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def read_file(path: Path, what: str) -> bytes:
    """A user's list file, or an InputError naming it (missing, or a directory)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: {what} file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: expected a file, found a directory") from None


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace a file in one rename: a reader sees the old content or the new, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
