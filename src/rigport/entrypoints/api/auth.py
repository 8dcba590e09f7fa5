"""Bearer-token authentication and role checks as FastAPI dependencies."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rigport.entrypoints.api.limits import principal_of
from rigport.services.auth import Principal, authenticate_async, bind_principal

BEARER_DESCRIPTION = "Token from `rigport tokens create --role ...`"


class RoleBearer(HTTPBearer):
    """The dependency of a route open to `role` and above: the bearer scheme itself, checking the token.

    Being the security scheme (not a dependency on one), it is a single level of FastAPI's dependency
    solving, and each level costs time on every authenticated request (measured: docs/reliability.md 8),
    and the OpenAPI document still names the scheme on every route that needs it.
    """

    def __init__(self, role: str) -> None:
        super().__init__(auto_error=False, scheme_name="HTTPBearer", description=BEARER_DESCRIPTION)
        self.role = role

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        principal = principal_of(request.scope)  # authenticated before the body was read (api/limits.py)
        if principal is None:
            principal = await _authenticated(request, await super().__call__(request))
        if not principal.can(self.role):
            raise HTTPException(403, f"This needs the {self.role} role; your token has {principal.role}")
        _refuse_repeated_query(request)
        bind_principal(principal)  # every unit of work of this request sees the caller's clients only
        return principal


async def _authenticated(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "Missing bearer token")
    principal = await authenticate_async(credentials.credentials, request.app.state.settings)
    if principal is None:
        raise HTTPException(401, "Invalid, expired or revoked token")
    return principal


def require(role: str) -> RoleBearer:
    """`Depends(require("operator"))`: the route needs a valid token of that role or above."""
    return RoleBearer(role)


def _refuse_repeated_query(request: Request) -> None:
    """No API operation takes a list in its query string: a parameter given twice is a 422, not "the last one
    wins" (issue #26). Checked after authentication, so a stranger learns nothing but 401."""
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        if name in seen:
            raise HTTPException(422, f"{name}: given more than once; give each query parameter once")
        seen.add(name)
