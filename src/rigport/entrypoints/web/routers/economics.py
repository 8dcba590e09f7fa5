"""Fleet economics and Monte Carlo simulation: quick runs in the request, larger ones on the background pool,
and side-by-side comparison of purchase options."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from rigport.entrypoints.web import charts, forms
from rigport.entrypoints.web.pages import page
from rigport.entrypoints.web.security import settings_of, visitor, writer_form
from rigport.errors import RigportError
from rigport.settings import Settings

router = APIRouter(include_in_schema=False)

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
