"""Who is calling: API tokens and dashboard users.

Tokens are shown once, stored only as SHA-256, compared in constant time, revocable and optionally
expiring. Users log in to the dashboard with a password kept as a salted scrypt hash.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db import lookups
from rigport.adapters.db import scope as client_scope
from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.scope import Scope
from rigport.adapters.db.tables import TokenRow, UserRow
from rigport.errors import InputError, NotFoundError
from rigport.services._unit import unit
from rigport.settings import Settings, get_settings

ROLES = ("viewer", "operator", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
TOKEN_PREFIX = "rp_"


@dataclass(frozen=True)
class Principal:
    """Who is calling, as far as authorisation cares."""

    token_id: int
    role: str
    label: str
    kind: str = "token"  # "token" or "user"; token_id is the user's id for a user
    client_ids: frozenset[int] | None = None  # the clients it may see (issue #28); None: broker-wide

    @property
    def scope(self) -> Scope:
        return Scope(self.client_ids, None if self.client_ids is None else self.actor)

    @property
    def broker_wide(self) -> bool:
        return self.client_ids is None

    @property
    def actor(self) -> str:
        if self.kind == "user":
            return f"user:{self.label}"
        return f"token:{self.token_id}" + (f" ({self.label})" if self.label else "")

    def can(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def bind_principal(principal: Principal | None) -> None:
    """Bind the caller's client scope for the rest of this request: every unit of work opened while handling it
    is limited to the caller's clients (adapters/db/scope.py). Entry points call this once, where they learn who
    is calling; anonymous callers bind a scope of no client."""
    client_scope.bind(principal.scope if principal is not None else Scope(frozenset()))


def _scope_ids(stored: str | None) -> frozenset[int] | None:
    return Scope.parse(stored).client_ids


def _client_scope(
    clients: list[str] | None, settings: Settings | None, uow: AbstractUnitOfWork | None
) -> str | None:
    """The stored form of a scope given as client names or ids (None or empty: broker-wide)."""
    if not clients:
        return None
    from rigport.services.clients import client_ids

    return Scope.of(client_ids(clients, settings, uow=uow)).stored()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    role: str, label: str = "", expires_in_days: int | None = None, settings: Settings | None = None,
    clients: list[str] | None = None, *, uow: AbstractUnitOfWork | None = None,
) -> tuple[str, TokenView]:
    """Return (plaintext token, its record). The plaintext is never stored. With `clients` (names or ids) the
    token sees and changes only those clients' data; without, it is broker-wide."""
    if role not in ROLES:
        raise InputError(f"role: expected one of {', '.join(ROLES)}, got {role!r}")
    if expires_in_days is not None and expires_in_days < 1:
        raise InputError(f"expires_in_days: expected 1 or more, got {expires_in_days}")
    scope = _client_scope(clients, settings, uow)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_in_days) if expires_in_days else None
    with unit(settings, uow) as uow:
        row = uow.tokens.add(TokenRow(token_hash=hash_token(token), role=role, label=label, expires_at=expires,
                                      client_ids=scope))  # fmt: skip
        uow.flush()
        uow.audit.record("cli", "create-token", "token", str(row.id), None,
                         {"role": role, "label": label, "client_ids": scope})  # fmt: skip
        uow.commit()
        return token, token_view(row)


class TokenView(TypedDict):
    """An API token as listed (never its secret or hash)."""

    id: int
    role: str
    label: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    client_ids: list[int] | None  # the clients it is limited to; null: broker-wide


class UserView(TypedDict):
    """A dashboard user as listed (never the password hash)."""

    id: int
    username: str
    role: str
    created_at: dt.datetime
    disabled_at: dt.datetime | None
    client_ids: list[int] | None  # the clients it is limited to; null: broker-wide


def _ids_view(stored: str | None) -> list[int] | None:
    ids = _scope_ids(stored)
    return None if ids is None else sorted(ids)


def token_view(row: TokenRow) -> TokenView:
    return {"id": row.id, "role": row.role, "label": row.label, "created_at": row.created_at,
            "expires_at": row.expires_at, "revoked_at": row.revoked_at,
            "client_ids": _ids_view(row.client_ids)}  # fmt: skip


def authenticate(token: str, settings: Settings | None = None) -> Principal | None:
    """The principal for a presented token, or None (unknown, revoked or expired)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    presented = hash_token(token)
    return _principal(presented, lookups.token_by_hash(settings or get_settings(), presented))


async def authenticate_async(token: str, settings: Settings) -> Principal | None:
    """`authenticate` for the API's event loop (see `lookups.read_values_async`)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    presented = hash_token(token)
    return _principal(presented, await lookups.token_by_hash_async(settings, presented))


def _principal(presented: str, row: lookups.StoredToken | None) -> Principal | None:
    if row is None or not hmac.compare_digest(row.token_hash, presented):
        return None
    if not _token_usable(row.revoked_at, row.expires_at):
        return None
    return Principal(row.id, row.role, row.label, client_ids=_scope_ids(row.client_ids))


def revoke_token(
    token_id: int, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> TokenView:
    with unit(settings, uow) as uow:
        row = uow.tokens.get(token_id)
        if row is None:
            raise NotFoundError(f"token {token_id} not found")
        if row.revoked_at is None:
            row.revoked_at = dt.datetime.now(dt.UTC)
            row.session_generation += 1
            uow.audit.record("cli", "revoke-token", "token", str(token_id), None, {"revoked": True})
        uow.commit()
        return token_view(row)


def list_tokens(settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None) -> list[TokenView]:
    with unit(settings, uow) as uow:
        return [token_view(r) for r in uow.tokens.list()]


# --- dashboard users ---------------------------------------------------------------------------

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD = 8
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str, salt: bytes | None = None) -> str:
    """scrypt (memory-hard, in the standard library); the parameters travel with the hash."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    b64 = base64.urlsafe_b64encode
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.urlsafe_b64decode(digest)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.urlsafe_b64decode(salt), dklen=len(expected),
                                n=int(n), r=int(r), p=int(p))  # fmt: skip
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


_DUMMY_HASH = hash_password("not-a-real-password", salt=b"rigport-dummy-salt")


def _check_user_fields(username: str, password: str, role: str) -> None:
    if not USERNAME.match(username):
        raise InputError(f"username: expected 1-64 letters, digits or _.@-, got {username!r}")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"password: expected at least {MIN_PASSWORD} characters")
    if role not in ROLES:
        raise InputError(f"role: expected one of {', '.join(ROLES)}, got {role!r}")


def user_view(row: UserRow) -> UserView:
    return {"id": row.id, "username": row.username, "role": row.role, "created_at": row.created_at,
            "disabled_at": row.disabled_at, "client_ids": _ids_view(row.client_ids)}  # fmt: skip


def set_user(
    username: str, password: str, role: str, settings: Settings | None = None, clients: list[str] | None = None,
    *, uow: AbstractUnitOfWork | None = None,
) -> UserView:
    """Create the user, or reset its password, role and client scope (and enable it) when it exists. With
    `clients` (names or ids) the user sees only those clients' data; without, the user is broker-wide."""
    _check_user_fields(username, password, role)
    scope = _client_scope(clients, settings, uow)
    with unit(settings, uow) as uow:
        row = uow.users.by_name(username)
        before = user_view(row) if row else None
        if row is None:
            row = uow.users.add(UserRow(username=username, password_hash=hash_password(password), role=role,
                                        client_ids=scope))  # fmt: skip
        else:
            row.password_hash, row.role, row.disabled_at = hash_password(password), role, None
            row.client_ids = scope
            row.session_generation += 1  # a new password or role ends every session issued before it
        uow.flush()
        after = user_view(row)
        uow.audit.record("cli", "set-user", "user", username, before, after)
        uow.commit()
        return after


def disable_user(username: str, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None) -> UserView:
    with unit(settings, uow) as uow:
        row = uow.users.by_name(username)
        if row is None:
            raise NotFoundError(f"user {username!r} not found")
        if row.disabled_at is None:
            row.disabled_at = dt.datetime.now(dt.UTC)
            row.session_generation += 1
            uow.audit.record("cli", "disable-user", "user", username, None, {"disabled": True})
        uow.commit()
        return user_view(row)


def list_users(settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None) -> list[UserView]:
    with unit(settings, uow) as uow:
        return [user_view(r) for r in uow.users.list()]


def login_with_password(
    username: str, password: str, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> Principal | None:
    """The user's principal when the password is right and the user enabled; same work either way."""
    with unit(settings, uow) as uow:
        row = uow.users.by_name(username) if USERNAME.match(username) else None
        ok = verify_password(password, row.password_hash if row else _DUMMY_HASH)
        if row is None or not ok or row.disabled_at is not None:
            return None
        return Principal(row.id, row.role, row.username, kind="user", client_ids=_scope_ids(row.client_ids))


def principal_for_session(
    kind: str, ident: int, settings: Settings | None = None, generation: int | None = None, *,
    uow: AbstractUnitOfWork | None = None,
) -> Principal | None:
    """Re-check a logged-in session on every request, so revoking a token or disabling a user ends it, and so
    does any change of the user's or token's session generation (logout, password or role change)."""
    with unit(settings, uow) as uow:
        if kind == "user":
            user = uow.users.get(ident)
            if user is None or user.disabled_at is not None or user.session_generation != generation:
                return None
            return Principal(user.id, user.role, user.username, kind="user", client_ids=_scope_ids(user.client_ids))
        token = uow.tokens.get(ident)
        if token is None or not _token_usable(token.revoked_at, token.expires_at):
            return None
        if token.session_generation != generation:
            return None
        return Principal(token.id, token.role, token.label, client_ids=_scope_ids(token.client_ids))


def session_generation(
    kind: str, ident: int, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> int:
    """The generation a new dashboard session for this user or token is issued at."""
    with unit(settings, uow) as uow:
        row = uow.users.get(ident) if kind == "user" else uow.tokens.get(ident)
        if row is None:
            raise NotFoundError(f"{kind} {ident} not found")
        return row.session_generation


def end_sessions(
    kind: str, ident: int, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> None:
    """Logout: move the generation on, so this cookie and every copy of it stop working on the next request."""
    with unit(settings, uow) as uow:
        row = uow.users.get(ident) if kind == "user" else uow.tokens.get(ident)
        if row is None:
            return
        row.session_generation += 1
        uow.commit()


def _token_usable(revoked_at: dt.datetime | None, expires_at: dt.datetime | None) -> bool:
    now = dt.datetime.now(dt.UTC)
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=dt.UTC)
    return revoked_at is None and (expires_at is None or expires_at > now)
