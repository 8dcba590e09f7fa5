"""Refuse an oversized request from its Content-Length, before any of the body is read."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from rigport.api.problems import problem

# Room for the multipart wrapping (boundaries, part headers, the `shipment` field) around an upload of the
# largest allowed size; the file itself is held to the exact limit by the import route.
ENVELOPE_BYTES = 64 * 1024


class DeclaredSizeLimit:
    """413 problem details for a request that says its body is larger than the upload limit allows.

    Without this, a multipart upload is parsed (and spooled to disk) in full before the route can refuse
    it: a 10 GB upload cost 10 GB of reading and temporary disk to be told "too large". A body sent
    without a length (chunked) is still refused by the route after at most the limit plus one byte.
    """

    def __init__(self, app: ASGIApp, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_upload_bytes + ENVELOPE_BYTES
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
            if declared.isdigit() and int(declared) > self.max_body_bytes:
                response = problem(413, "Upload too large", f"request body of {int(declared):,} bytes: larger than "
                                   f"the {self.max_upload_bytes:,}-byte upload limit", scope.get("path", ""),
                                   headers={"Connection": "close"})  # fmt: skip
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
