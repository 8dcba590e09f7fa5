"""The book: units by state over time, cost by shipment, and the open deadlines."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rigport.entrypoints.web import charts
from rigport.entrypoints.web.pages import page
from rigport.entrypoints.web.security import settings_of, visitor
from rigport.services import portfolio

router = APIRouter(include_in_schema=False)


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
