"""The FastAPI application: routers, problem details, settings on app.state."""

from __future__ import annotations

import logging
import threading

from fastapi import FastAPI

from rigport import __version__
from rigport.entrypoints.api import docs, problems
from rigport.entrypoints.api.cache import ViewCache
from rigport.entrypoints.api.limits import BodyGuard
from rigport.entrypoints.api.routers import (
    assess,
    audit,
    calendar_feed,
    exports,
    health,
    packet,
    portfolio,
    records,
    shipments,
    simulations,
)
from rigport.entrypoints.api.routers import clients as clients_router
from rigport.entrypoints.api.routers import data as data_router
from rigport.entrypoints.api.routers import screening as screening_router
from rigport.entrypoints.web import app as web
from rigport.services import db, screening, simulation_runs
from rigport.services.reminder_worker import ReminderWorker
from rigport.services.tables import install_tables
from rigport.settings import Settings, get_settings

logger = logging.getLogger("uvicorn.error")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    install_tables(settings)  # the user's tariff and clock files, checked before the server starts
    db.ensure_ready(settings)
    app = FastAPI(
        title="rigport",
        version=__version__,
        description="Shipments of mining hardware through US customs: records, legal clocks, costs. "
        "The dashboard is served at / (sign in at /login).",
        openapi_url="/openapi.json",
        docs_url=None,  # served by api.docs from installed files, not FastAPI's CDN page
        redoc_url=None,
        responses=problems.PROBLEM_RESPONSES,
        # Response schemas in validation mode: a Decimal is "a number or a string", which is true of the JSON
        # the routes write (to_jsonable gives money as a number); serialization mode would say "string".
        separate_input_output_schemas=False,
    )
    app.state.settings = settings
    app.state.view_cache = ViewCache(settings.view_cache_mb * 2**20)
    problems.install(app)
    # Routes are tried in order, each at a cost (measured: docs/reliability.md 8): the busiest reads
    # (health checks, screening, then shipments) go first. No two routes share a path, so the order changes
    # nothing else.
    app.include_router(health.router)
    app.include_router(screening_router.router)
    app.include_router(shipments.router)
    app.include_router(clients_router.router)
    app.include_router(records.router)
    app.include_router(packet.router)
    app.include_router(assess.router)
    app.include_router(simulations.router)
    app.include_router(portfolio.router)
    app.include_router(data_router.router)
    app.include_router(calendar_feed.router)
    app.include_router(audit.router)
    app.include_router(exports.router)
    docs.install(app)
    web.install(app)
    app.add_middleware(BodyGuard, settings=settings)  # strangers refused and sizes capped before any body
    # Background simulations: runs a dead server left queued/running are failed now; ours stop on shutdown.
    simulation_runs.mark_interrupted(settings)
    app.router.add_event_handler("shutdown", lambda: simulation_runs.shutdown(settings))
    app.router.add_event_handler("startup", lambda: _warm_screening_index(settings))
    app.router.add_event_handler("startup", lambda: _limit_worker_threads(settings))
    reminders = ReminderWorker(settings)  # deadline reminders (issue #29): one sender across the workers
    app.router.add_event_handler("startup", reminders.start)
    app.router.add_event_handler("shutdown", reminders.stop)
    return app


def _limit_worker_threads(settings: Settings) -> None:
    """Size the thread pool sync routes run in (anyio's default is 40): past a few threads, writes only take
    turns at the GIL with the event loop, and everything the loop serves waits (docs/reliability.md 7)."""
    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads


def _warm_screening_index(settings: Settings) -> None:
    """Load a cached screening index in the background as the server starts (see `screening.warm_index`)."""

    def warm() -> None:
        try:
            screening.warm_index(settings)
        except Exception as exc:  # the first screen will load (or report) it instead
            logger.warning("screening index not preloaded: %s", exc)

    threading.Thread(target=warm, name="rigport-warm-index", daemon=True).start()
