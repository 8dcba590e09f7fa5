"""Liveness and database reachability (no auth: load balancers call it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from rigport import __version__
from rigport.services import db

router = APIRouter(prefix="/api/v1", tags=["health"])


UNHEALTHY: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "The database cannot be reached (plain JSON for load balancers, not a problem).",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.get("/health", responses=UNHEALTHY)
async def health(request: Request) -> Any:
    """Awaited on the event loop like the token check, never in a worker thread: a health check must not
    queue behind writes and imports waiting for a thread, or a busy server looks down to its load balancer."""
    settings = request.app.state.settings
    try:
        dialect = await db.ping_async(settings)
    except Exception as exc:  # any driver error means the database is not usable right now
        return JSONResponse({"status": "unavailable", "database": str(exc)[:200], "version": __version__}, 503,
                            headers={"Retry-After": "5"})  # fmt: skip
    return {"status": "ok", "database": dialect, "version": __version__}
