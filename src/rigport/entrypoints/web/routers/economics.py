"""Fleet economics and Monte Carlo simulation: quick runs in the request, larger ones on the background pool,
and side-by-side comparison of purchase options."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from rigport.entrypoints.web import charts, forms
from rigport.entrypoints.web.forms import FormData
from rigport.entrypoints.web.pages import is_htmx, page
from rigport.entrypoints.web.security import Visitor, settings_of, visitor, writer_form
from rigport.errors import RigportError
from rigport.settings import Settings

router = APIRouter(include_in_schema=False)

def _models(settings: Settings) -> list[Any]:
    from rigport.services.catalog import get_catalog

    return sorted(get_catalog(settings).all(), key=lambda m: (m.maker, m.model))


DEFAULTS: dict[str, Any] = {"model": "antminer-s21", "units": 500, "paths": 2000, "days": 1095, "hold_prob": 0.3,
                             "hold_days_mean": 60, "seed": 1, "unit_price": ""}  # fmt: skip
TYPED = ("model", "units", "power_price", "unit_price", "paths", "days", "hold_prob", "hold_days_mean", "seed")


def _page_context(settings: Settings, form: FormData | None = None) -> dict[str, Any]:
    """What economics.html needs; after a post, the fields show what was typed."""
    from rigport.services.simulation_runs import list_simulations

    defaults = {**DEFAULTS, "power_price": settings.default_power_price_usd_kwh}
    if form is not None:
        defaults.update({k: str(form.get(k) or "") for k in TYPED if k in form})
    return {"models": _models(settings), "runs": list_simulations(settings, limit=10), "defaults": defaults,
            "max_paths": settings.web_max_paths}  # fmt: skip


def _answer(request: Request, who: Visitor, settings: Settings, slot: str, partial: str, form: FormData,
            status: int = 200, **context: Any) -> HTMLResponse:  # fmt: skip
    """htmx swaps the partial into its slot; a browser without JavaScript posted the form itself and gets the
    whole page back, the partial in its slot and the fields as typed (issue #30)."""
    if is_htmx(request):
        return page(request, partial, who, status, **context)
    return page(request, "economics.html", who, status, slot=slot, partial=partial,
                **_page_context(settings, form), **context)  # fmt: skip


def _error(request: Request, who: Visitor, settings: Settings, slot: str, form: FormData,
           exc: RigportError) -> HTMLResponse:  # fmt: skip
    errors = exc.messages if isinstance(exc, forms.FormErrors) else [str(exc)]
    return _answer(request, who, settings, slot, "_error.html", form, exc.http_status, error=str(exc), errors=errors)


@router.get("/economics", response_class=HTMLResponse)
def economics_page(request: Request) -> HTMLResponse:
    who = visitor(request)
    return page(request, "economics.html", who, **_page_context(settings_of(request)))


def _economics_inputs(fields: forms.Fields) -> dict[str, Any]:
    return {
        "model": fields.read(forms.text, "model", "Model", max_length=80),
        "units": fields.read(forms.integer, "units", "Units", minimum=1, maximum=1_000_000),
        "power_price": fields.read(forms.number, "power_price", "Power price (USD/kWh)", minimum=0, maximum=10,
                                   rate=True),
        "unit_price": fields.read(forms.optional_number, "unit_price", "Unit price (USD)", minimum=0,
                                  maximum=10_000_000),
    }  # fmt: skip


def _simulation_inputs(form: FormData, max_paths: int) -> dict[str, Any]:
    """The fleet plus the run's size and hold scenario, named as `POST /api/v1/simulations` names them; every
    field's error is reported at once."""
    fields = forms.Fields(form)
    inputs = {
        **_economics_inputs(fields),
        "paths": fields.read(forms.integer, "paths", "Paths", minimum=100, maximum=max_paths),
        "days": fields.read(forms.integer, "days", "Days", minimum=30, maximum=3650),
        "seed": fields.read(forms.integer, "seed", "Seed", minimum=0, maximum=2**32 - 1, default=1),
        "hold_prob": fields.read(forms.number, "hold_prob", "Hold probability", minimum=0, maximum=1, default=0,
                                 rate=True),
        "hold_days_mean": fields.read(forms.number, "hold_days_mean", "Mean hold (days)", minimum=0,
                                      maximum=3650, default=60),
    }  # fmt: skip
    fields.check()
    return inputs


@router.post("/economics/calc", response_class=HTMLResponse)
async def economics_calc(request: Request) -> HTMLResponse:
    from rigport.services.economics import EconomicsRequest, run_economics

    who = visitor(request)
    form = await request.form()
    settings = settings_of(request)
    try:
        fields = forms.Fields(form)
        inputs = _economics_inputs(fields)
        fields.check()
        report = await run_in_threadpool(run_economics, EconomicsRequest(
            model_id=inputs["model"], units=inputs["units"], power_price_usd_kwh=Decimal(str(inputs["power_price"])),
            unit_price_usd=Decimal(str(inputs["unit_price"])) if inputs["unit_price"] is not None else None,
        ), settings)  # fmt: skip
    except RigportError as exc:
        return _error(request, who, settings, "economics", form, exc)
    return _answer(request, who, settings, "economics", "_economics_result.html", form, r=report)


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
        summary = await run_in_threadpool(run, params, inputs["paths"], inputs["seed"])
        report = {**summary, "warnings": start_warnings(inputs["model"], inputs["unit_price"], settings)}
    except RigportError as exc:
        return _error(request, who, settings, "simulation", form, exc)
    return _answer(request, who, settings, "simulation", "_simulation_result.html", form, r=report,
                   figures=_simulation_figures(report), run=None)  # fmt: skip


def _simulation_figures(report: Mapping[str, Any]) -> dict[str, Any]:
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
        return _error(request, who, settings, "simulation", form, exc)
    return _answer(request, who, settings, "simulation", "_simulation_run.html", form, run=run)


@router.get("/economics/runs/{run_id}", response_class=HTMLResponse)
def background_run(request: Request, run_id: str) -> HTMLResponse:
    """A stored run: the partial for htmx (the run's polling and the runs table), the whole page otherwise."""
    from rigport.services.simulation_runs import get_simulation

    who = visitor(request)
    settings = settings_of(request)
    run = get_simulation(run_id, settings)
    no_form: dict[str, Any] = {}
    report = run.get("result")
    if run["status"] == "succeeded" and report:
        return _answer(request, who, settings, "simulation", "_simulation_result.html", no_form, r=report,
                       figures=_simulation_figures(report), run=run)  # fmt: skip
    return _answer(request, who, settings, "simulation", "_simulation_run.html", no_form, run=run)


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
        return _error(request, who, settings, "compare", form, exc)
    return _answer(request, who, settings, "compare", "_compare_result.html", form, r=result,
                   figure=charts.compare_options(result))  # fmt: skip
