"""Tokens and dashboard users in the fast layer: what is stored (hashes only), who they may see, and how a
revocation, a disable, a new password or a logout ends sessions (in memory; looking a token up on every request,
the login limit and the cookies are tested over the databases in tests/api/, tests/trust/ and tests/web/)."""

from __future__ import annotations

import hashlib

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.errors import InputError, NotFoundError
from rigport.services import auth, clients

PASSWORD = "correct horse battery"


def test_a_token_is_stored_as_its_hash_and_revoking_it_ends_its_sessions(uow: MemoryUnitOfWork) -> None:
    token, view = auth.create_token("operator", "ci", settings=uow.settings, uow=uow)
    assert token.startswith("rp_") and view["role"] == "operator" and view["client_ids"] is None
    with uow:
        stored = uow.tokens.get(view["id"])
        assert stored is not None and stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert uow.tokens.by_hash(auth.hash_token(token)) is stored
    generation = auth.session_generation("token", view["id"], uow.settings, uow=uow)
    principal = auth.principal_for_session("token", view["id"], uow.settings, generation, uow=uow)
    assert principal is not None and principal.can("operator") and not principal.can("admin")
    assert principal.actor == f"token:{view['id']} (ci)"
    revoked = auth.revoke_token(view["id"], uow.settings, uow=uow)
    assert revoked["revoked_at"] is not None
    assert auth.principal_for_session("token", view["id"], uow.settings, generation, uow=uow) is None
    assert auth.principal_for_session("token", view["id"], uow.settings, generation + 1, uow=uow) is None
    assert [t["revoked_at"] is not None for t in auth.list_tokens(uow.settings, uow=uow)] == [True]
    with pytest.raises(NotFoundError, match="token 99 not found"):
        auth.revoke_token(99, uow.settings, uow=uow)
    with uow:
        actions = [a.action for a in uow.audit.for_entity("token", str(view["id"]))]
    assert actions == ["create-token", "revoke-token"]


def test_bad_tokens_are_refused_and_nothing_is_stored(uow: MemoryUnitOfWork) -> None:
    with pytest.raises(InputError, match="role: expected one of viewer, operator, admin"):
        auth.create_token("root", settings=uow.settings, uow=uow)
    with pytest.raises(InputError, match="expires_in_days: expected 1 or more"):
        auth.create_token("viewer", expires_in_days=0, settings=uow.settings, uow=uow)
    with pytest.raises(NotFoundError, match="no client 'Nobody'"):
        auth.create_token("viewer", clients=["Nobody"], settings=uow.settings, uow=uow)
    assert auth.list_tokens(uow.settings, uow=uow) == []


def test_a_scoped_token_and_user_see_their_clients_only(uow: MemoryUnitOfWork) -> None:
    alpha = clients.create_client("Alpha", "test", uow.settings, uow=uow)["id"]
    bravo = clients.create_client("Bravo", "test", uow.settings, uow=uow)["id"]
    _, token = auth.create_token("viewer", clients=["alpha", str(bravo)], settings=uow.settings, uow=uow)
    assert token["client_ids"] == sorted([alpha, bravo])
    user = auth.set_user("ann", PASSWORD, "operator", uow.settings, clients=["Bravo"], uow=uow)
    assert user["client_ids"] == [bravo]
    principal = auth.login_with_password("ann", PASSWORD, uow.settings, uow=uow)
    assert principal is not None and principal.client_ids == frozenset({bravo}) and principal.actor == "user:ann"
    assert principal.scope.allows(bravo) and not principal.scope.allows(alpha)


def test_a_user_logs_in_until_disabled_and_a_new_password_ends_old_sessions(uow: MemoryUnitOfWork) -> None:
    made = auth.set_user("ann", PASSWORD, "viewer", uow.settings, uow=uow)
    assert (made["username"], made["role"], made["client_ids"]) == ("ann", "viewer", None)
    with uow:
        row = uow.users.by_name("ann")
        assert row is not None and PASSWORD not in row.password_hash and row.password_hash.startswith("scrypt$")
    assert auth.login_with_password("ann", "wrong password", uow.settings, uow=uow) is None
    assert auth.login_with_password("nobody", PASSWORD, uow.settings, uow=uow) is None
    assert auth.login_with_password("ann", PASSWORD, uow.settings, uow=uow) is not None
    first = auth.session_generation("user", made["id"], uow.settings, uow=uow)
    assert auth.principal_for_session("user", made["id"], uow.settings, first, uow=uow) is not None
    auth.set_user("ann", "another good password", "admin", uow.settings, uow=uow)  # a reset
    assert auth.principal_for_session("user", made["id"], uow.settings, first, uow=uow) is None
    assert auth.login_with_password("ann", PASSWORD, uow.settings, uow=uow) is None  # the old password is gone
    second = auth.session_generation("user", made["id"], uow.settings, uow=uow)
    principal = auth.principal_for_session("user", made["id"], uow.settings, second, uow=uow)
    assert principal is not None and principal.role == "admin"
    auth.end_sessions("user", made["id"], uow.settings, uow=uow)  # logout
    assert auth.principal_for_session("user", made["id"], uow.settings, second, uow=uow) is None
    auth.disable_user("ann", uow.settings, uow=uow)
    assert auth.login_with_password("ann", "another good password", uow.settings, uow=uow) is None
    assert [u["disabled_at"] is not None for u in auth.list_users(uow.settings, uow=uow)] == [True]
    with uow:
        actions = [a.action for a in uow.audit.for_entity("user", "ann")]
    assert actions == ["set-user", "set-user", "disable-user"]


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [("a b", PASSWORD, "viewer", "username: expected"), ("ann", "short", "viewer", "password: expected at least 8"),
     ("ann", PASSWORD, "root", "role: expected one of")],
)
def test_bad_users_are_refused_and_nothing_is_stored(
    uow: MemoryUnitOfWork, username: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        auth.set_user(username, password, role, uow.settings, uow=uow)
    assert auth.list_users(uow.settings, uow=uow) == []
