"""`GET /calendar/{secret}.ics`: a user's subscribable calendar of open legal clocks (issue #29).

No bearer token or session: the unguessable secret in the path is the credential, for calendar apps
that cannot send headers; it gives this read-only feed and nothing else. Unknown secrets get 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from rigport.errors import NotFoundError
from rigport.services.calendar_feed import feed_for

router = APIRouter(tags=["calendar"])


@router.get(
    "/calendar/{secret}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, 404: {"description": "Unknown or revoked calendar URL"}},
)
async def calendar_feed(request: Request, secret: str) -> Response:
    """The open clocks of every shipment as RFC 5545 (one all-day event each, alarms 7 and 2 days before)."""
    try:
        body = await run_in_threadpool(feed_for, secret, request.app.state.settings)
    except NotFoundError:
        return Response("no such calendar\n", status_code=404, media_type="text/plain",
                        headers={"Cache-Control": "no-store"})  # fmt: skip
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=300", "Referrer-Policy": "no-referrer"})  # fmt: skip
