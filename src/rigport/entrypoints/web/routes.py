"""Dashboard pages: server-rendered Jinja2 with htmx partial updates, over the same services as the API.

No business logic lives here: every figure comes from `rigport.services`. Pages need a login
(session cookie); forms that change data need the operator role and a CSRF token.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from rigport import __version__
from rigport.entrypoints.web import charts, forms
from rigport.entrypoints.web.session import (
    CSRF_FIELD,
    CSRF_HEADER,
    WebSession,
    clear_session,
    csrf_ok,
    new_session,
    read_session,
    write_session,
)
from rigport.errors import InputError, NotFoundError, RigportError
from rigport.services import auth, login_limit, portfolio, shipments
from rigport.services.auth import Principal
from rigport.settings import Settings

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("rigport.entrypoints.web").joinpath("templates")))
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


# --- template helpers ----------------------------------------------------------------------------


def _usd(value: Any, places: int = 0) -> str:
    if value is None:
        return "—"
    number = float(value)
    sign = "-" if number < 0 else ""
    return f"{sign}${abs(number):,.{places}f}"


def _num(value: Any, places: int = 0) -> str:
    return "—" if value is None else f"{float(value):,.{places}f}"


def _pct(value: Any, places: int = 0) -> str:
    return "—" if value is None else f"{float(value) * 100:.{places}f}%"


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _figure(fig: dict[str, Any]) -> str:
    return json.dumps(fig, default=_json_default, separators=(",", ":"))


templates.env.filters.update(usd=_usd, num=_num, pct=_pct, figure=_figure)
templates.env.globals.update(version=__version__, state_label=lambda s: str(s).replace("_", " ").title())


# --- who is looking ------------------------------------------------------------------------------


class LoginRequired(Exception):
    """Raised by a page without a valid session; answered with a redirect to the login page."""


@dataclass(frozen=True)
class Visitor:
    principal: Principal
    session: WebSession

    @property
    def can_write(self) -> bool:
        return self.principal.can("operator")


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def visitor(request: Request) -> Visitor:
    settings = settings_of(request)
    session = read_session(request, settings)
    principal = auth.principal_for_session(session.kind, session.ident, settings, session.generation) \
        if session else None
    if session is None or principal is None:
        raise LoginRequired
    return Visitor(principal, session)


class Forbidden(RigportError):
    exit_code = 2
    http_status = 403
    title = "Forbidden"


async def checked_form(request: Request, who: Visitor) -> FormData:
    """The submitted form, once its CSRF token (hidden field or htmx header) matches the session's."""
    form = await request.form()
    presented = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    if not csrf_ok(who.session, presented if isinstance(presented, str) else None):
        raise Forbidden("the form expired or came from another site (CSRF check failed): reload the page")
    return form


async def writer_form(request: Request, who: Visitor) -> FormData:
    """The submitted form, once the CSRF token and the operator role are checked."""
    form = await checked_form(request, who)
    if not who.can_write:
        raise Forbidden(f"recording changes needs the operator role; you are signed in as {who.principal.role}")
    return form


def page(request: Request, name: str, who: Visitor | None, status: int = 200, **context: Any) -> HTMLResponse:
    context = {"who": who, "csrf": who.session.csrf if who else "", "path": request.url.path, **context}
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _safe_next(target: str | None) -> str:
    """Only same-site paths after login (no open redirect to another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# --- login ---------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:  # noqa: A002 - the query parameter's name
    return page(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    settings = settings_of(request)
    form = await request.form()
    target = _safe_next(str(form.get("next") or "/"))
    client = request.client.host if request.client else "unknown"
    token = str(form.get("token") or "").strip()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    if not token and not (username and password):
        return page(request, "login.html", None, 422, next=target,
                    error="Enter a username and password, or an API token.")  # fmt: skip
    # Counted in the database before the check, per address and per account (a token sign-in counts against
    # the address), so every worker shares one count (issue #26).
    attempt = await run_in_threadpool(login_limit.begin_attempt, client, None if token else username, settings)
    if not attempt.allowed:
        wait = attempt.wait_s
        response = page(request, "login.html", None, 429, next=target,
                        error=f"Too many failed sign-ins from your address or for this account; try again in "
                              f"{wait} s.")  # fmt: skip
        response.headers["Retry-After"] = str(wait)
        return response
    if token:
        principal = await run_in_threadpool(auth.authenticate, token, settings)
    else:
        principal = await run_in_threadpool(auth.login_with_password, username, password, settings)
    if principal is None:
        failed = "Sign-in failed: unknown user, wrong password, or an invalid, expired or revoked token."
        return page(request, "login.html", None, 401, next=target, error=failed)
    await run_in_threadpool(login_limit.succeeded, attempt, settings)
    redirect = RedirectResponse(target, status_code=303)
    generation = await run_in_threadpool(auth.session_generation, principal.kind, principal.token_id, settings)
    write_session(redirect, new_session(principal.kind, principal.token_id, generation), settings)
    return redirect


@router.post("/logout")
async def logout(request: Request) -> Response:
    who = visitor(request)
    await checked_form(request, who)
    # Server side: every copy of this cookie stops working, not only the one the browser deletes (issue #26).
    await run_in_threadpool(auth.end_sessions, who.session.kind, who.session.ident, settings_of(request))
    response = RedirectResponse("/login", status_code=303)
    clear_session(response, settings_of(request))
    return response


# --- portfolio -----------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def portfolio_page(request: Request, deadlines: str = "all") -> HTMLResponse:
    """The book; `?deadlines=soon` filters the open deadlines to the next 14 days (all are listed by default)."""
    who = visitor(request)
    book = portfolio.portfolio(settings_of(request))
    figures = {
        "units": charts.units_by_state(book["units_over_time"]),
        "cost": charts.cost_by_shipment(book["cost_by_shipment"]),
    }
    soon = deadlines == "soon"
    shown = [d for d in book["open_deadlines"] if d["within_horizon"] or not soon]
    return page(request, "portfolio.html", who, book=book, figures=figures, groups=charts.GROUP_LABELS,
                soon=soon, shown_deadlines=shown)  # fmt: skip


# --- one shipment --------------------------------------------------------------------------------


def _shipment_context(reference: str, settings: Settings) -> dict[str, Any]:
    from rigport.services.assess import assess_shipment
    from rigport.services.packet import landed_cost_for
    from rigport.services.screening import latest_shipment_screening

    shipment = shipments.get_shipment(reference, settings)
    return {
        "s": shipment,
        "landed": landed_cost_for(shipment),
        "risk": assess_shipment(reference, settings),
        "screening": latest_shipment_screening(reference, settings),
        "today": dt.date.today(),
        "present_states": [state for state, n in shipment["quantities"].items() if n > 0],
    }


@router.get("/shipments/{reference}", response_class=HTMLResponse)
def shipment_page(request: Request, reference: str) -> HTMLResponse:
    who = visitor(request)
    context = _shipment_context(reference, settings_of(request))
    return page(request, "shipment.html", who, form=None, form_error=None, **context)


@router.get("/shipments/{reference}/packet", response_class=HTMLResponse)
def shipment_packet(request: Request, reference: str) -> HTMLResponse:
    """The printable entry packet (the same document as `rigport packet` and the API route)."""
    from rigport.services.packet import render_packet_html

    visitor(request)
    html = render_packet_html(reference, settings_of(request))
    strict = "default-src 'none'; style-src 'unsafe-inline'"  # a document: no scripts at all
    return HTMLResponse(html, headers={**SECURITY_HEADERS, "Content-Security-Policy": strict})


@router.post("/shipments/{reference}/events", response_class=HTMLResponse)
async def record_event(request: Request, reference: str) -> HTMLResponse:
    who = visitor(request)
    form = await writer_form(request, who)
    settings = settings_of(request)
    error, status, confirm = None, 201, None
    try:
        event = forms.text(form, "event", "Event", max_length=40)
        when = forms.date(form, "date", "Date")
        quantity = forms.optional_integer(form, "quantity", "Units", minimum=1, maximum=10_000_000)
        all_units = form.get("all_units") == "yes"
        if quantity is None and not all_units:
            raise InputError("Units: give a number of units, or tick \u201call units in that state\u201d")
        if quantity is not None and all_units:
            raise InputError("Units: give a number of units or tick \u201call units in that state\u201d, not both")
        source = forms.text(form, "from_state", "From state", required=False, max_length=32) or None
        note = forms.text(form, "note", "Note", required=False, max_length=500)
        version = forms.optional_integer(form, "version", "Version", minimum=1, maximum=2**31)
        if event in shipments.CONFIRM_EVENTS and form.get("confirm") != "yes":
            confirm = await run_in_threadpool(lambda: shipments.preview_event(
                reference, event, when, quantity=quantity, from_state=source, settings=settings
            ))  # fmt: skip
        else:
            await run_in_threadpool(
                shipments.record_event, reference, event, when, who.principal.actor, quantity=quantity,
                from_state=source, data={"note": note, "via": "dashboard"} if note else {"via": "dashboard"},
                expected_version=version, settings=settings,
            )  # fmt: skip
    except NotFoundError:
        raise
    except RigportError as exc:
        error, status = str(exc), exc.http_status
    context = await run_in_threadpool(_shipment_context, reference, settings)
    template = "_shipment_body.html" if is_htmx(request) else "shipment.html"
    kept = dict(form) if error or confirm else None
    return page(request, template, who, status if error else 200, form=kept, form_error=error, confirm=confirm,
                **context)  # fmt: skip


@router.post("/shipments/{reference}/events/{event_id}/void", response_class=HTMLResponse)
async def void_event(request: Request, reference: str, event_id: int) -> HTMLResponse:
    """Void a mistaken event (operators): it stays in the timeline, struck through, with who, when and why."""
    who = visitor(request)
    form = await writer_form(request, who)
    settings = settings_of(request)
    error, status = None, 200
    try:
        reason = forms.text(form, "reason", "Reason", max_length=500)
        version = forms.optional_integer(form, "version", "Version", minimum=1, maximum=2**31)
        await run_in_threadpool(lambda: shipments.void_event(
            reference, event_id, reason, who.principal.actor, expected_version=version, settings=settings
        ))  # fmt: skip
    except NotFoundError:
        raise
    except RigportError as exc:
        error, status = str(exc), exc.http_status
    context = await run_in_threadpool(_shipment_context, reference, settings)
    template = "_shipment_body.html" if is_htmx(request) else "shipment.html"
    return page(request, template, who, status, form=None, form_error=None, void_error=error,
                void_event_id=event_id if error else None, **context)  # fmt: skip


@router.post("/shipments/{reference}/screen", response_class=HTMLResponse)
async def screen_shipment(request: Request, reference: str) -> Response:
    from rigport.services.screening import latest_shipment_screening
    from rigport.services.screening import screen_shipment as screen_it

    who = visitor(request)
    await writer_form(request, who)
    settings = settings_of(request)
    await run_in_threadpool(lambda: screen_it(reference, actor=who.principal.actor, settings=settings))
    if not is_htmx(request):
        return RedirectResponse(f"/shipments/{quote(reference)}#screening", status_code=303)
    result = await run_in_threadpool(latest_shipment_screening, reference, settings)
    shipment = await run_in_threadpool(shipments.get_shipment, reference, settings)
    return page(request, "_screening_results.html", who, screening=result, s=shipment)


# --- screening -----------------------------------------------------------------------------------


@router.get("/screening", response_class=HTMLResponse)
def screening_page(request: Request, q: str = "") -> HTMLResponse:
    from rigport.services.screening import list_versions

    who = visitor(request)
    settings = settings_of(request)
    result, error = _search(q, settings)
    return page(
        request, "screening.html", who, q=q, result=result, error=error, versions=list_versions(settings),
        max_age_days=settings.list_max_age_days,
    )  # fmt: skip


@router.get("/screening/search", response_class=HTMLResponse)
def screening_search(request: Request, q: str = "") -> HTMLResponse:
    who = visitor(request)
    result, error = _search(q, settings_of(request))
    return page(request, "_screening_search.html", who, q=q, result=result, error=error)


def _search(query: str, settings: Settings) -> tuple[dict[str, Any] | None, str | None]:
    from rigport.services.screening import screen_name

    query = query.strip()
    if len(query) < 2:
        return None, None
    if len(query) > 300:
        return None, "Name: at most 300 characters"
    try:
        return screen_name(query, settings=settings), None
    except RigportError as exc:
        return None, str(exc)


# --- economics and simulation --------------------------------------------------------------------


def _models(settings: Settings) -> list[Any]:
    from rigport.services.catalog import get_catalog

    return sorted(get_catalog(settings).all(), key=lambda m: (m.maker, m.model))


@router.get("/economics", response_class=HTMLResponse)
def economics_page(request: Request) -> HTMLResponse:
    who = visitor(request)
    settings = settings_of(request)
    from rigport.services.simulation_runs import list_simulations

    runs = list_simulations(settings, limit=10)
    return page(request, "economics.html", who, models=_models(settings), runs=runs, defaults={
        "model": "antminer-s21", "units": 500, "power_price": settings.default_power_price_usd_kwh,
        "paths": 2000, "days": 1095, "hold_prob": 0.3, "hold_days_mean": 60, "seed": 1,
    }, max_paths=settings.web_max_paths)  # fmt: skip


def _economics_inputs(form: FormData) -> dict[str, Any]:
    return {
        "model": forms.text(form, "model", "Model", max_length=80),
        "units": forms.integer(form, "units", "Units", minimum=1, maximum=1_000_000),
        "power_price": forms.number(form, "power_price", "Power price (USD/kWh)", minimum=0, maximum=10, rate=True),
        "unit_price": forms.optional_number(form, "unit_price", "Unit price (USD)", minimum=0, maximum=10_000_000),
    }


def _simulation_inputs(form: FormData, max_paths: int) -> dict[str, Any]:
    """The fleet plus the run's size and hold scenario, named as `POST /api/v1/simulations` names them."""
    return {
        **_economics_inputs(form),
        "paths": forms.integer(form, "paths", "Paths", minimum=100, maximum=max_paths),
        "days": forms.integer(form, "days", "Days", minimum=30, maximum=3650),
        "seed": forms.integer(form, "seed", "Seed", minimum=0, maximum=2**32 - 1, default=1),
        "hold_prob": forms.number(form, "hold_prob", "Hold probability", minimum=0, maximum=1, default=0, rate=True),
        "hold_days_mean": forms.number(form, "hold_days_mean", "Mean hold (days)", minimum=0, maximum=3650,
                                       default=60),
    }  # fmt: skip


@router.post("/economics/calc", response_class=HTMLResponse)
async def economics_calc(request: Request) -> HTMLResponse:
    from rigport.services.economics import EconomicsRequest, run_economics

    who = visitor(request)
    form = await request.form()
    settings = settings_of(request)
    try:
        inputs = _economics_inputs(form)
        report = await run_in_threadpool(run_economics, EconomicsRequest(
            model_id=inputs["model"], units=inputs["units"], power_price_usd_kwh=Decimal(str(inputs["power_price"])),
            unit_price_usd=Decimal(str(inputs["unit_price"])) if inputs["unit_price"] is not None else None,
        ), settings)  # fmt: skip
    except RigportError as exc:
        return page(request, "_error.html", who, exc.http_status, error=str(exc))
    return page(request, "_economics_result.html", who, r=report)


@router.post("/economics/simulate", response_class=HTMLResponse)
async def economics_simulate(request: Request) -> HTMLResponse:
    from rigport.services.simulation import params_for_model, run, start_warnings

    who = visitor(request)
    form = await request.form()
    settings = settings_of(request)
    try:
        inputs = _simulation_inputs(form, settings.web_max_paths)
        params = params_for_model(
            inputs["model"], inputs["units"], inputs["unit_price"], inputs["power_price"], inputs["days"], settings,
            hold_probability=inputs["hold_prob"], hold_days_mean=inputs["hold_days_mean"],
        )  # fmt: skip
        report = await run_in_threadpool(run, params, inputs["paths"], inputs["seed"])
        report["warnings"] = start_warnings(inputs["model"], inputs["unit_price"], settings)
    except RigportError as exc:
        return page(request, "_error.html", who, exc.http_status, error=str(exc))
    return page(request, "_simulation_result.html", who, r=report, figures=_simulation_figures(report), run=None)


def _simulation_figures(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "npv": charts.npv_histogram(report),
        "price": charts.fan(report, "price_usd", "BTC price fan (USD)"),
        "difficulty": charts.fan(report, "difficulty", "Difficulty fan"),
    }


@router.post("/economics/runs", response_class=HTMLResponse)
async def start_background_run(request: Request) -> HTMLResponse:
    """Larger simulations run on the server's background pool (the same runs as POST /api/v1/simulations)."""
    from rigport.services.simulation_runs import MAX_PATHS, start_simulation

    who = visitor(request)
    form = await writer_form(request, who)
    settings = settings_of(request)
    try:
        inputs = _simulation_inputs(form, MAX_PATHS)
        run = await run_in_threadpool(start_simulation, inputs, who.principal.actor, settings)
    except RigportError as exc:
        return page(request, "_error.html", who, exc.http_status, error=str(exc))
    return page(request, "_simulation_run.html", who, run=run)


@router.get("/economics/runs/{run_id}", response_class=HTMLResponse)
def background_run(request: Request, run_id: str) -> HTMLResponse:
    from rigport.services.simulation_runs import get_simulation

    who = visitor(request)
    run = get_simulation(run_id, settings_of(request))
    if run["status"] == "succeeded" and run.get("result"):
        report = run["result"]
        return page(request, "_simulation_result.html", who, r=report, figures=_simulation_figures(report), run=run)
    return page(request, "_simulation_run.html", who, run=run)


@router.post("/economics/compare", response_class=HTMLResponse)
async def economics_compare(request: Request) -> HTMLResponse:
    from rigport.services.simulation import compare_options

    who = visitor(request)
    form = await request.form()
    settings = settings_of(request)
    try:
        options = []
        for n in (1, 2, 3):
            model = forms.text(form, f"opt{n}_model", f"Option {n} model", required=n < 3, max_length=80)
            if not model:
                continue
            options.append({
                "name": forms.text(form, f"opt{n}_name", f"Option {n} name", required=False, max_length=60)
                or f"option {n}",
                "model": model,
                "units": forms.integer(form, f"opt{n}_units", f"Option {n} units", minimum=1, maximum=1_000_000),
                "unit_price": forms.optional_number(form, f"opt{n}_unit_price", f"Option {n} unit price",
                                                    minimum=0, maximum=10_000_000),
                "hold_prob": forms.number(form, f"opt{n}_hold_prob", f"Option {n} hold probability", minimum=0,
                                          maximum=1, default=0),
                "hold_days_mean": forms.number(form, f"opt{n}_hold_days", f"Option {n} mean hold", minimum=0,
                                               maximum=3650, default=60),
            })  # fmt: skip
        paths = forms.integer(form, "paths", "Paths", minimum=100, maximum=settings.web_max_paths)
        days = forms.integer(form, "days", "Days", minimum=30, maximum=3650)
        power = forms.number(form, "power_price", "Power price (USD/kWh)", minimum=0, maximum=10, rate=True)
        result = await run_in_threadpool(compare_options, options, paths, days, power, 1, "form", settings)
    except RigportError as exc:
        return page(request, "_error.html", who, exc.http_status, error=str(exc))
    return page(request, "_compare_result.html", who, r=result, figure=charts.compare_options(result))


# --- wiring --------------------------------------------------------------------------------------


def _plotly_js() -> Path:
    import plotly  # type: ignore[import-untyped]

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def install(app: FastAPI) -> None:
    """Mount the dashboard on the API app: pages, static assets, and the login redirect."""
    static = resources.files("rigport.entrypoints.web").joinpath("static")

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(_plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(router)

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
