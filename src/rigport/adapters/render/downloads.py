"""A stored evidence file sent to a browser or an API client: as an attachment, never run or sniffed.

The API and the dashboard both hand out uploaded files through this one response, so both send the same
guarding headers: the media type read from the content at upload (not a name), `nosniff`, a sandboxing
Content-Security-Policy (a PDF viewer opened from it runs no script of the file against our origin) and
`attachment`, under the name the uploader gave (Starlette encodes it per RFC 6266/5987).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from starlette.responses import FileResponse

GUARD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
}


class StoredFile(Protocol):
    @property
    def path(self) -> Path: ...
    @property
    def filename(self) -> str: ...
    @property
    def media_type(self) -> str: ...


def download_response(stored: StoredFile) -> FileResponse:
    return FileResponse(stored.path, media_type=stored.media_type, filename=stored.filename,
                        content_disposition_type="attachment", headers=dict(GUARD_HEADERS))  # fmt: skip
