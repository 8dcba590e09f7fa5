"""Evidence files on disk: content-addressed by SHA-256 under `<data_dir>/documents/`, never at a user's path.

A file is stored at `documents/<first two hex digits>/<the 64 hex digits>`: the name comes from the content, so
no upload can choose where it lands, and the same scan uploaded twice is stored once. Writes go to a temporary
file in the same directory, are flushed to disk, then renamed into place (atomic on POSIX and Windows), so a
reader never sees half a file. `put` says whether the file was new, so a caller whose database write then
fails can take back exactly what it added (`discard`), and nothing else.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rigport.errors import NotFoundError, UnavailableError

DIRECTORY = "documents"
_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Stored:
    sha256: str
    path: Path
    created: bool  # False when the same content was already stored (by this or another document)


def root(data_dir: Path) -> Path:
    return data_dir / DIRECTORY


def path_for(data_dir: Path, sha256: str) -> Path:
    """Where the content with this digest lives; the digest is checked to be 64 hex digits (never a path)."""
    if not _DIGEST.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return root(data_dir) / sha256[:2] / sha256


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(data_dir: Path, data: bytes) -> Stored:
    """Store `data` under its digest (atomically); an identical stored file is kept as it is."""
    sha = digest(data)
    target = path_for(data_dir, sha)
    if target.is_file() and target.stat().st_size == len(data):
        return Stored(sha, target, created=False)
    try:
        _write(target, data)
    except OSError as exc:
        raise UnavailableError(f"cannot store the file under {root(data_dir)} ({exc.strerror or exc})") from None
    return Stored(sha, target, created=True)


def discard(stored: Stored) -> None:
    """Take back a file `put` just created (its database row was not written); a file that was there before
    belongs to another document and stays."""
    if stored.created:
        stored.path.unlink(missing_ok=True)


def remove_unreferenced(data_dir: Path, sha256: str) -> None:
    """Delete the stored content of a digest no document refers to any more (the caller checked)."""
    path_for(data_dir, sha256).unlink(missing_ok=True)


def read(data_dir: Path, sha256: str) -> bytes:
    path = path_for(data_dir, sha256)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"the stored file {sha256[:12]}… is missing from {root(data_dir)}") from None


def stored_files(data_dir: Path) -> list[Path]:
    """Every stored file (what tests and an integrity check compare with the documents table)."""
    base = root(data_dir)
    return sorted(p for p in base.glob("??/*") if p.is_file()) if base.is_dir() else []


def companion(backup: Path) -> Path:
    """Where a database backup's evidence files go: a folder beside it, `<backup name>.documents/`."""
    return backup.with_name(backup.name + ".documents")


def copy_tree(source_root: Path, target_root: Path) -> int:
    """Copy every stored file from one documents folder to another, skipping files already there (the names are
    digests, so a file of that name is that content); each copy is checked against its name. Returns how many
    files the target holds from the source."""
    copied = 0
    for path in sorted(source_root.glob("??/*")) if source_root.is_dir() else []:
        if not _DIGEST.fullmatch(path.name) or path.parent.name != path.name[:2]:
            continue  # a temporary or foreign file: not evidence
        target = target_root / path.parent.name / path.name
        if not (target.is_file() and target.stat().st_size == path.stat().st_size):
            data = path.read_bytes()
            if digest(data) != path.name:
                raise UnavailableError(f"{path}: its content does not match its SHA-256 name; the copy is damaged")
            try:
                _write(target, data)
            except OSError as exc:
                raise UnavailableError(f"cannot copy {path.name[:12]}… to {target_root} "
                                       f"({exc.strerror or exc})") from None
        copied += 1
    return copied


def verify_tree(source_root: Path) -> int:
    """Read every stored file of a documents folder and check it against its SHA-256 name (before a restore
    replaces anything); returns how many there are."""
    count = 0
    for path in sorted(source_root.glob("??/*")) if source_root.is_dir() else []:
        if _DIGEST.fullmatch(path.name) and path.parent.name == path.name[:2]:
            if digest(path.read_bytes()) != path.name:
                raise UnavailableError(f"{path}: its content does not match its SHA-256 name; the copy is damaged")
            count += 1
    return count


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
