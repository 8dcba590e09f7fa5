"""Guard request bodies before the application reads them: strangers are refused, sizes are capped.

Three checks, all before a byte of the body is read:

1. A request that may carry a body (POST, PUT, PATCH, DELETE) to `/api/` must present a valid bearer token:
   otherwise 401 at once. FastAPI reads (and for multipart, spools to disk) the whole body before it runs a
   route's dependencies, so without this a stranger's 300 MiB upload was read in full to be told 401
   (issue #26). The role is still checked by the route; the principal found here is handed to it.
2. A request that declares a `Content-Length` above the limit gets 413 from its headers alone.
3. A body sent without a length (chunked) is counted as it arrives and cut off at the limit plus one byte:
   reading stops there and the answer is 413.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rigport.adapters.db.engine import as_unavailable
from rigport.entrypoints.api.problems import problem
from rigport.services.auth import Principal, authenticate_async
from rigport.settings import Settings

# Room for the multipart wrapping (boundaries, part headers, the `shipment` field) around an upload of the
# largest allowed size; the file itself is held to the exact limit by the import route.
ENVELOPE_BYTES = 64 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PRINCIPAL_KEY = "rigport.principal"


class BodyGuard:
    """ASGI middleware: authenticate API writes before their body, then cap the body (see the module doc)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.max_upload_bytes = settings.max_upload_bytes
        self.max_body_bytes = settings.max_upload_bytes + ENVELOPE_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if scope["method"] in BODY_METHODS and path.startswith("/api/"):
            try:
                principal = await self._principal(scope)
            except Exception as exc:  # the database behind the tokens is down: 503 to retry, as routes answer
                unavailable = as_unavailable(exc)
                if unavailable is None:
                    raise
                await problem(503, unavailable.title, str(unavailable), path)(scope, receive, send)
                return
            if principal is None:
                detail = "Missing, invalid, expired or revoked bearer token (checked before the body is read)"
                await problem(401, detail, detail, path, headers={"Connection": "close"})(scope, receive, send)
                return
            scope[PRINCIPAL_KEY] = principal
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            response = problem(413, "Upload too large", f"request body of {int(declared):,} bytes: larger than "
                               f"the {self.max_upload_bytes:,}-byte upload limit", path,
                               headers={"Connection": "close"})  # fmt: skip
            await response(scope, receive, send)
            return
        await self.app(scope, self._capped(receive), send)

    async def _principal(self, scope: Scope) -> Principal | None:
        header = next((v for k, v in scope["headers"] if k == b"authorization"), b"").decode("latin-1")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return await authenticate_async(token.strip(), self.settings)

    def _capped(self, receive: Receive) -> Receive:
        """`receive` that counts body bytes and stops at the limit plus one: a 413 (via HTTPException, which
        FastAPI's body reading passes on) instead of reading a chunked body of any length."""
        received = 0
        limit = self.max_body_bytes

        async def capped() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, f"request body: larger than the {self.max_upload_bytes:,}-byte upload "
                                             "limit (read stopped there)", headers={"Connection": "close"})  # fmt: skip
            return message

        return capped


def principal_of(scope: Mapping[str, Any]) -> Principal | None:
    """The principal BodyGuard authenticated for this request, if any (saves the route a second lookup)."""
    found = scope.get(PRINCIPAL_KEY)
    return found if isinstance(found, Principal) else None
