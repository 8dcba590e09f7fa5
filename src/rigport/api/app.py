"""The FastAPI application: routers, problem details, settings on app.state."""

from __future__ import annotations

from fastapi import FastAPI

from rigport import __version__
from rigport.api import problems
from rigport.api.routers import health, shipments
from rigport.api.routers import screening as screening_router
from rigport.settings import Settings, get_settings
from rigport.store.engine import ensure_schema, get_engine


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    ensure_schema(get_engine(settings))
    app = FastAPI(
        title="rigport",
        version=__version__,
        description="Shipments of mining hardware through US customs: records, legal clocks, costs.",
        openapi_url="/openapi.json",
        responses=problems.PROBLEM_RESPONSES,
    )
    app.state.settings = settings
    problems.install(app)
    app.include_router(health.router)
    app.include_router(shipments.router)
    app.include_router(screening_router.router)
    return app
