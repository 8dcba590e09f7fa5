"""Deadline reminders on the dashboard (issue #29): what was sent, to whom and when; what is failing and why;
recipients and their rules, which admins can add, change and remove (the same services as `rigport notify`).
A visitor scoped to some clients sees and manages those clients' recipients and reminders only (issue #28)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from rigport.entrypoints.web import forms
from rigport.entrypoints.web.pages import page
from rigport.entrypoints.web.security import Forbidden, Visitor, checked_form, settings_of, visitor
from rigport.errors import NotFoundError, RigportError
from rigport.services import clients, reminders

router = APIRouter(include_in_schema=False)


def _flag(form: FormData, field: str) -> bool:
    return form.get(field) == "yes"


async def _admin_form(request: Request, who: Visitor) -> FormData:
    form = await checked_form(request, who)
    if not who.principal.can("admin"):
        raise Forbidden(f"changing reminder recipients needs the admin role; you are signed in as "
                        f"{who.principal.role}")  # fmt: skip
    return form


def _render(request: Request, who: Visitor, status: int = 200, **context: Any) -> HTMLResponse:
    settings = settings_of(request)
    book = reminders.status(settings, limit=100)
    context.setdefault("message", None)
    context["client_choices"] = [c["name"] for c in clients.list_clients(settings=settings)]
    context["broker_wide"] = who.principal.broker_wide
    context.setdefault("error", None)
    context.setdefault("secret", None)
    return page(request, "reminders.html", who, status, book=book, is_admin=who.principal.can("admin"), **context)


@router.get("/reminders", response_class=HTMLResponse)
def reminders_page(request: Request) -> HTMLResponse:
    return _render(request, visitor(request))


@router.post("/reminders/recipients", response_class=HTMLResponse)
async def add_recipient(request: Request) -> HTMLResponse:
    who = visitor(request)
    form = await _admin_form(request, who)
    settings = settings_of(request)
    try:
        name = forms.text(form, "name", "Name", max_length=120)
        channel = forms.text(form, "channel", "Channel", max_length=16)
        address = forms.text(form, "address", "Address", max_length=2000)
        before = forms.text(form, "before", "Days before", required=False, max_length=64) or "7,3,1"
        client = forms.text(form, "client", "Client", required=False, max_length=120) or None
        made = await run_in_threadpool(lambda: reminders.add_recipient(
            name, channel, address, before=before, on_day=_flag(form, "on_day"), overdue=_flag(form, "overdue"),
            digest=_flag(form, "digest"), client=client, actor=who.principal.actor, settings=settings,
        ))  # fmt: skip
    except RigportError as exc:
        return _render(request, who, exc.http_status, error=str(exc))
    return _render(request, who, 201, message=f"Recipient {made['name']} added.", secret=made.get("secret"))


@router.post("/reminders/recipients/{name}", response_class=HTMLResponse)
async def update_recipient(request: Request, name: str) -> HTMLResponse:
    who = visitor(request)
    form = await _admin_form(request, who)
    settings = settings_of(request)
    try:
        if form.get("action") == "remove":
            done = await run_in_threadpool(lambda: reminders.remove_recipient(
                name, actor=who.principal.actor, settings=settings))  # fmt: skip
            message = f"Recipient {name} removed; {done['cancelled']} pending reminders cancelled."
        else:
            address = forms.text(form, "address", "Address", max_length=2000)
            before = forms.text(form, "before", "Days before", max_length=64)
            await run_in_threadpool(lambda: reminders.update_recipient(
                name, address=address, before=before, on_day=_flag(form, "on_day"), overdue=_flag(form, "overdue"),
                digest=_flag(form, "digest"), actor=who.principal.actor, settings=settings,
            ))  # fmt: skip
            message = f"Recipient {name} saved."
    except NotFoundError:
        raise
    except RigportError as exc:
        return _render(request, who, exc.http_status, error=str(exc))
    return _render(request, who, message=message)
