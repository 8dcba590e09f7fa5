"""Dashboard sessions: a signed cookie naming the token or user, and a CSRF token (the sign-in limit is in
`services/login_limit.py`, counted in the database).

The cookie holds no secret of the user's: only which token or user logged in, signed with a server
key (itsdangerous) so it cannot be forged. Every request re-checks that token or user in the
database, so revoking a token or disabling a user ends its dashboard sessions at once.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from rigport.settings import Settings

COOKIE = "rigport_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class WebSession:
    kind: str  # "token" or "user"
    ident: int
    csrf: str
    generation: int = 0  # the user's or token's session generation when issued (checked on every request)


def _read_or_create_secret(path: Path) -> str:
    """A random key made once per data directory (0600); concurrent workers agree on the first one written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker is writing it
            secret = path.read_text().strip()
            if secret:
                return secret
            time.sleep(0.02)
        raise
    secret = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    secret = settings.session_secret or _read_or_create_secret(settings.session_secret_path)
    return URLSafeTimedSerializer(secret, salt="rigport-dashboard-session")


def new_session(kind: str, ident: int, generation: int = 0) -> WebSession:
    return WebSession(kind, ident, secrets.token_urlsafe(32), generation)


def read_session(request: Request, settings: Settings) -> WebSession | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(settings).loads(raw, max_age=settings.session_max_age_s)
        return WebSession(str(data["k"]), int(data["i"]), str(data["c"]), int(data["g"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def write_session(response: Response, session: WebSession, settings: Settings) -> None:
    value = _serializer(settings).dumps({"k": session.kind, "i": session.ident, "c": session.csrf,
                                         "g": session.generation})  # fmt: skip
    response.set_cookie(
        COOKIE, value, max_age=settings.session_max_age_s, httponly=True, secure=settings.cookie_secure,
        samesite="strict", path="/",
    )  # fmt: skip


def clear_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, secure=settings.cookie_secure, samesite="strict")


def csrf_ok(session: WebSession, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(session.csrf, str(presented))
