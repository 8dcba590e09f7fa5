"""Bearer-token authentication and role checks as FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rigport.services.auth import Principal, authenticate_async

bearer = HTTPBearer(auto_error=False, description="Token from `rigport tokens create --role ...`")


async def _authenticated(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "Missing bearer token")
    principal = await authenticate_async(credentials.credentials, request.app.state.settings)
    if principal is None:
        raise HTTPException(401, "Invalid, expired or revoked token")
    return principal


def require(role: str) -> Callable[[Request, HTTPAuthorizationCredentials | None], Awaitable[Principal]]:
    """The dependency of a route open to `role` and above: one level over the bearer scheme, not two (each
    level of FastAPI's dependency solving costs a few percent of a cached read)."""

    async def check(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
        principal = await _authenticated(request, credentials)
        if not principal.can(role):
            raise HTTPException(403, f"This needs the {role} role; your token has {principal.role}")
        return principal

    return check
