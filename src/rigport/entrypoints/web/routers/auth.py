"""Signing in and out: the login form (password or API token), its rate limit, and server-side logout."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rigport.entrypoints.web.pages import page
from rigport.entrypoints.web.security import checked_form, safe_next, settings_of, visitor
from rigport.entrypoints.web.session import clear_session, new_session, write_session
from rigport.services import auth, login_limit

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:  # noqa: A002 - the query parameter's name
    return page(request, "login.html", None, next=safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    settings = settings_of(request)
    form = await request.form()
    target = safe_next(str(form.get("next") or "/"))
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
