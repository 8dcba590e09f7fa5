"""Dashboard sessions: a signed cookie naming the token or user, a CSRF token, and a login rate limit.

The cookie holds no secret of the user's: only which token or user logged in, signed with a server
key (itsdangerous) so it cannot be forged. Every request re-checks that token or user in the
database, so revoking a token or disabling a user ends its dashboard sessions at once.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import defaultdict, deque
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


class LoginLimiter:
    """Sign-in attempts per key (client address, account) in a sliding minute; in memory, per server process.

    Atomic: an attempt takes its place in the window *before* the password is checked (`reserve`), under one
    lock, so 40 wrong passwords sent at once get `limit` checks, not one each (issue #26: 17 of 40 got
    through when the window was read before the check and written after it). A successful sign-in gives its
    place back (`succeeded`); a failed one keeps it. Each key counts on its own: an address trying many
    accounts and many addresses trying one account are both held to the limit.
    """

    def __init__(self, window_s: float = 60.0) -> None:
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def reserve(self, keys: list[str], limit: int) -> tuple[int, float]:
        """(0, stamp) when an attempt is allowed now: it is counted against every key at once; else (seconds to
        wait, 0) and nothing is counted."""
        with self._lock:
            now = time.monotonic()
            windows = [self._recent(key, now) for key in keys]
            full = [w for w in windows if len(w) >= limit]
            if full:
                return max(1, int(min(w[0] for w in full) + self.window_s - now) + 1), 0.0
            for window in windows:
                window.append(now)
            return 0, now

    def retry_after(self, client: str, limit: int) -> int:
        """Seconds to wait before the next attempt from `client` is allowed, 0 when allowed now (no reservation)."""
        with self._lock:
            now = time.monotonic()
            failures = self._recent(client, now)
            if len(failures) < limit:
                return 0
            return max(1, int(failures[0] + self.window_s - now) + 1)

    def failed(self, client: str) -> None:
        with self._lock:
            self._failures[client].append(time.monotonic())

    def succeeded(self, keys: list[str] | str, stamp: float | None = None) -> None:
        """A good sign-in: its reserved place is given back (all of a key's failures when no stamp is given)."""
        with self._lock:
            for key in [keys] if isinstance(keys, str) else keys:
                if stamp is None:
                    self._failures.pop(key, None)
                elif stamp in self._failures.get(key, ()):
                    self._failures[key].remove(stamp)
