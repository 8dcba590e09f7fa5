"""Mount the dashboard on the ASGI app: its routers (in order), static assets, and the error pages.

The API's `create_app` calls `install()`; the dashboard shares the app (one server, one port) and answers
errors outside /api/ with a readable page instead of problem details.
"""

from __future__ import annotations

import inspect
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from rigport.entrypoints.web.pages import is_htmx, page
from rigport.entrypoints.web.routers import (
    audit,
    auth,
    documents,
    economics,
    new_shipment,
    portfolio,
    reminders,
    screening,
    shipment_list,
    shipments,
)
from rigport.entrypoints.web.security import Forbidden, LoginRequired, visitor
from rigport.errors import RigportError


def _plotly_js() -> Path:
    import plotly  # type: ignore[import-untyped]

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def install(app: FastAPI) -> None:
    """Mount the dashboard on the API app: pages, static assets, and the login redirect."""
    static = resources.files("rigport.entrypoints.web").joinpath("static")

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(_plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:  # pages link /static/favicon.svg; this is for documents without the link
        icon = static.joinpath("favicon.svg")
        return FileResponse(str(icon), media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    # in the order the pages were declared (the shipment list, /shipments, beside the shipment pages; /shipments/new
    # before /shipments/{reference})
    for group in (auth, portfolio, shipment_list, new_shipment, shipments, documents, audit, screening, economics,
                  reminders):
        app.include_router(group.router)

    api_errors = app.exception_handlers[RigportError]

    @app.exception_handler(RigportError)
    async def error_page(request: Request, exc: RigportError) -> Response:
        """Problem details for the API; a readable page (or partial) for the dashboard."""
        if request.url.path.startswith("/api/"):
            answer = api_errors(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        who = None
        if not isinstance(exc, Forbidden):
            try:
                who = visitor(request)
            except LoginRequired:
                who = None
        if is_htmx(request):
            return page(request, "_error.html", who, exc.http_status, error=str(exc))
        return page(request, "error.html", who, exc.http_status, title=exc.title, error=str(exc))

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _: LoginRequired) -> Response:
        target = "/login?next=" + quote(request.url.path)
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
