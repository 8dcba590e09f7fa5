"""API tokens: shown once, stored only as SHA-256, compared in constant time, revocable, optionally expiring."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from rigport.errors import InputError, NotFoundError
from rigport.settings import Settings
from rigport.store.tables import TokenRow
from rigport.store.uow import UnitOfWork

ROLES = ("viewer", "operator", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
TOKEN_PREFIX = "rp_"


@dataclass(frozen=True)
class Principal:
    """Who is calling, as far as authorisation cares."""

    token_id: int
    role: str
    label: str

    @property
    def actor(self) -> str:
        return f"token:{self.token_id}" + (f" ({self.label})" if self.label else "")

    def can(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    role: str, label: str = "", expires_in_days: int | None = None, settings: Settings | None = None
) -> tuple[str, dict[str, Any]]:
    """Return (plaintext token, its record). The plaintext is never stored."""
    if role not in ROLES:
        raise InputError(f"role: expected one of {', '.join(ROLES)}, got {role!r}")
    if expires_in_days is not None and expires_in_days < 1:
        raise InputError(f"expires_in_days: expected 1 or more, got {expires_in_days}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_in_days) if expires_in_days else None
    with UnitOfWork(settings) as uow:
        row = uow.tokens.add(TokenRow(token_hash=hash_token(token), role=role, label=label, expires_at=expires))
        uow.flush()
        uow.audit.record("cli", "create-token", "token", str(row.id), None, {"role": role, "label": label})
        uow.commit()
        return token, token_view(row)


def token_view(row: TokenRow) -> dict[str, Any]:
    return {"id": row.id, "role": row.role, "label": row.label, "created_at": row.created_at,
            "expires_at": row.expires_at, "revoked_at": row.revoked_at}  # fmt: skip


def authenticate(token: str, settings: Settings | None = None) -> Principal | None:
    """The principal for a presented token, or None (unknown, revoked or expired)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    presented = hash_token(token)
    with UnitOfWork(settings) as uow:
        row = uow.tokens.by_hash(presented)
        if row is None or not hmac.compare_digest(row.token_hash, presented):
            return None
        now = dt.datetime.now(dt.UTC)
        expires = (
            row.expires_at.replace(tzinfo=dt.UTC)
            if row.expires_at and row.expires_at.tzinfo is None
            else row.expires_at
        )
        if row.revoked_at is not None or (expires is not None and expires <= now):
            return None
        return Principal(row.id, row.role, row.label)


def revoke_token(token_id: int, settings: Settings | None = None) -> dict[str, Any]:
    with UnitOfWork(settings) as uow:
        row = uow.tokens.get(token_id)
        if row is None:
            raise NotFoundError(f"token {token_id} not found")
        if row.revoked_at is None:
            row.revoked_at = dt.datetime.now(dt.UTC)
            uow.audit.record("cli", "revoke-token", "token", str(token_id), None, {"revoked": True})
        uow.commit()
        return token_view(row)


def list_tokens(settings: Settings | None = None) -> list[dict[str, Any]]:
    with UnitOfWork(settings) as uow:
        return [token_view(r) for r in uow.tokens.list()]
