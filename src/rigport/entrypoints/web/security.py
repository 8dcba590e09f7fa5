"""Who is looking, and may they: session cookie to principal, CSRF checks, the operator role.

The sign-in limit is counted in the database (`services/login_limit.py`), shared by every worker.

The session cookie itself (signing, expiry, generations) lives in `session.py`; this module is the glue
every router uses: `visitor()` for pages that need a login, `checked_form()` / `writer_form()` for forms.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import FormData

from rigport.entrypoints.web.session import CSRF_FIELD, CSRF_HEADER, WebSession, csrf_ok, read_session
from rigport.errors import RigportError
from rigport.services import auth
from rigport.services.auth import Principal
from rigport.settings import Settings


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
    auth.bind_principal(principal)  # every unit of work of this request sees the visitor's clients only
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


def safe_next(target: str | None) -> str:
    """Only same-site paths after login (no open redirect to another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
