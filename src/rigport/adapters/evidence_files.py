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
