"""What an uploaded evidence file may be: PDF, PNG or JPEG, told by its first bytes, and a name safe to show.

A file's type is read from its content (the "magic bytes" each format begins with), never trusted from its
name or from the Content-Type a browser sends: a script renamed `sdoc.pdf` is refused. The name a person gave
is kept only to show and to offer on download; it is reduced to its last path component, stripped of control
characters and cut to a length, so "../../etc/passwd.pdf" is shown as "passwd.pdf" and never used as a path.

Signatures: PDF "%PDF-" (ISO 32000-2:2020, 7.5.2 File header); PNG 89 50 4E 47 0D 0A 1A 0A (RFC 2083 /
ISO/IEC 15948, 3.1 PNG file signature); JPEG FF D8 FF (ITU-T T.81 / ISO/IEC 10918-1, B.1.1.3: SOI marker
FF D8 followed by the next marker's FF).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rigport.errors import InputError, TooLargeError

# media type -> (leading bytes, the extensions a name of that type may carry)
SIGNATURES: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}
ACCEPTED = "PDF, PNG or JPEG"
MAX_NAME = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class EvidenceFile:
    """An accepted upload: the name to show, its media type read from the content, and its size."""

    filename: str
    media_type: str
    size_bytes: int


def sniff(data: bytes) -> str | None:
    """The media type the content begins like, or None for anything but PDF, PNG and JPEG."""
    for media_type, (magic, _) in SIGNATURES.items():
        if data.startswith(magic):
            return media_type
    return None


def display_name(name: str) -> str:
    """The last component of a name as typed, without control characters, NFC, at most MAX_NAME characters.

    Both separators count ("C:\\scans\\sdoc.pdf" is "sdoc.pdf" too); a name that is empty, "." or ".." after
    that becomes "document".
    """
    text = unicodedata.normalize("NFC", name or "")
    text = _CONTROL.sub("", text.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if text in ("", ".", ".."):
        text = "document"
    if len(text) > MAX_NAME:
        stem, dot, ext = text.rpartition(".")
        text = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else text[:MAX_NAME]
    return text


def check_size(name: str, size: int | None, max_bytes: int) -> None:
    """Refuse a file over the limit by its size alone (an entry point knows it before reading the bytes)."""
    if size is not None and size > max_bytes:
        raise TooLargeError(f"{display_name(name)!r} is {size:,} bytes, more than the {max_bytes:,}-byte limit",
                            field="file")  # fmt: skip


def check_upload(name: str, data: bytes, max_bytes: int) -> EvidenceFile:
    """Accept a PDF, PNG or JPEG of at most `max_bytes`, whose name (if it has an extension) agrees with it.

    Raises InputError(field="file") naming the file and what was expected; a file over the size limit raises
    TooLargeError (413; entry points refuse a declared oversize body before reading it at all).
    """
    shown = display_name(name)
    if not data:
        raise InputError(f"{shown!r} is empty; expected a {ACCEPTED} file", field="file")
    check_size(name, len(data), max_bytes)
    media_type = sniff(data)
    if media_type is None:
        raise InputError(f"{shown!r} is not a {ACCEPTED} file (its content does not begin like one, whatever "
                         "its name says)", field="file")  # fmt: skip
    suffix = "." + shown.rsplit(".", 1)[-1].lower() if "." in shown else ""
    known = {ext for _, exts in SIGNATURES.values() for ext in exts}
    if suffix in known and suffix not in SIGNATURES[media_type][1]:
        raise InputError(f"{shown!r} is named {suffix} but its content is {media_type}: rename it or upload the "
                         "right file", field="file")  # fmt: skip
    return EvidenceFile(shown, media_type, len(data))
