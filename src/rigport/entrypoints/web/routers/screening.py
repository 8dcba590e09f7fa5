"""Screening a name against the loaded lists, with live search (htmx) and the list versions in use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rigport.entrypoints.web.pages import page
from rigport.entrypoints.web.security import settings_of, visitor
from rigport.errors import RigportError
from rigport.settings import Settings

if TYPE_CHECKING:
    from rigport.services.screening import ScreenReport

router = APIRouter(include_in_schema=False)


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


def _search(query: str, settings: Settings) -> tuple[ScreenReport | None, str | None]:
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
