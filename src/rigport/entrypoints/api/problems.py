"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from rigport.adapters.db.engine import as_unavailable
from rigport.errors import RigportError

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_S = 5
HTTP_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"})
log = logging.getLogger("rigport.entrypoints.api")


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details as rigport sends them (documented so clients and fuzzers can check them)."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldProblem] | None = None


_WHY = {
    400: "The request body could not be parsed (not JSON, or not UTF-8).",
    401: "Missing, invalid, expired or revoked bearer token.",
    403: "The token's role is too low for this operation.",
    404: "No such shipment (or other named record).",
    409: "Stale `version`, or an event not allowed from the current state.",
    413: "Upload larger than RIGPORT_MAX_UPLOAD_BYTES.",
    422: "Invalid input; `detail` and `errors` name the field.",
    503: "The database is unavailable, locked or full; retry after `Retry-After` seconds.",
}
_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
    503: {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait before retrying."}},
}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "model": Problem,
        "description": why,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        **({"headers": _HEADERS[status]} if status in _HEADERS else {}),
    }
    for status, why in _WHY.items()
}


def problem(
    status: int, title: str, detail: str, instance: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance, **extra}
    headers = dict(headers or {})  # e.g. Allow on a 405, which RFC 9110 requires
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status == 503:  # a database outage or lock is worth retrying shortly
        headers["Retry-After"] = str(RETRY_AFTER_S)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def allowed_methods(request: Request) -> str:
    """Every documented method of the requested path (Starlette lists only one route's methods on a 405)."""
    paths = request.app.openapi().get("paths", {})
    for template, operations in paths.items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            return ", ".join(sorted(m.upper() for m in operations if m.upper() in HTTP_METHODS))
    return ""


def install(app: FastAPI) -> None:
    @app.exception_handler(RigportError)
    async def rigport_error(request: Request, exc: RigportError) -> JSONResponse:
        return problem(exc.http_status, exc.title, str(exc), request.url.path)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"), "message": err.get("msg", "")}
            for err in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, "Invalid input", detail, request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
        return problem(exc.status_code, str(exc.detail), str(exc.detail), request.url.path, headers=headers)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        """A database that is down, locked, read-only or full is a 503 to retry, never a bare 500."""
        unavailable = as_unavailable(exc)
        if unavailable is not None:
            return problem(503, unavailable.title, str(unavailable), request.url.path)
        log.error("database error on %s", request.url.path, exc_info=exc)
        return problem(500, "Internal error", "the database refused the request; see the server log", request.url.path)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        """Last resort: still problem details, without internals in the body (the server log has them)."""
        return problem(500, "Internal error", "unexpected server error; see the server log", request.url.path)
