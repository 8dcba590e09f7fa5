"""How a dashboard page is rendered: the Jinja2 environment, its filters, and the security headers.

Every router answers through `page()`, so each response carries the same headers and template context
(who is signed in, their CSRF token, the current path).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from rigport import __version__
from rigport.entrypoints.web import charts
from rigport.entrypoints.web.wording import for_web

if TYPE_CHECKING:
    from rigport.entrypoints.web.security import Visitor

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


def _days(value: Any) -> str:
    """A count of days with its unit, in years too when whole: "1,095 days (3 years)"."""
    if value is None:
        return "—"
    count = int(value)
    text = f"{count:,} day{'' if abs(count) == 1 else 's'}"
    if abs(count) >= 365 and count % 365 == 0:
        years = abs(count) // 365
        text += f" ({years} year{'' if years == 1 else 's'})"
    return text


def _bytes(value: Any) -> str:
    """A size for people: "812 bytes", "1.4 MB" (decimal units, as file managers show)."""
    count = int(value or 0)
    if count < 1000:
        return f"{count:,} byte{'' if count == 1 else 's'}"
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= size:
            return f"{count / size:,.1f} {unit}"
    raise AssertionError("unreachable")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _figure(fig: dict[str, Any]) -> str:
    return json.dumps(fig, default=_json_default, separators=(",", ":"))


templates.env.filters.update(usd=_usd, num=_num, pct=_pct, figure=_figure, days=_days, chart_table=charts.data_table,
                             for_web=for_web, bytes=_bytes)  # fmt: skip
templates.env.globals.update(version=__version__, state_label=lambda s: str(s).replace("_", " ").title())


# --- answering -----------------------------------------------------------------------------------


def page(request: Request, name: str, who: Visitor | None, status: int = 200, **context: Any) -> HTMLResponse:
    context = {"who": who, "csrf": who.session.csrf if who else "", "path": request.url.path, **context}
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
