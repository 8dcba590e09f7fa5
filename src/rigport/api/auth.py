"""Bearer-token authentication and role checks as FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rigport.services.auth import Principal, authenticate_async

bearer = HTTPBearer(auto_error=False, description="Token from `rigport tokens create --role ...`")


async def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "Missing bearer token")
    settings = request.app.state.settings
    principal = await authenticate_async(credentials.credentials, settings)
    if principal is None:
        raise HTTPException(401, "Invalid, expired or revoked token")
    return principal


def require(role: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: Principal = Depends(current_principal)) -> Principal:  # async: no thread hop
        if not principal.can(role):
            raise HTTPException(403, f"This needs the {role} role; your token has {principal.role}")
        return principal

    return check
