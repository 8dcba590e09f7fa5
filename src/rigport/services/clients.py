"""Clients: the importers a broker works for (issue #28). Create, list, show, rename, archive; and which client a
new shipment goes to.

Every shipment belongs to one client. A new shipment names its client, or goes to the caller's only active
client, or, for a broker-wide caller, to the "Default" client of migration 0012 while it is active: the
broker's bucket for shipments not assigned to an importer, which no scoped identity sees, so a shipment left
there is misfiled to nobody (and `shipments update --client` moves it). A broker who wants every shipment to
name its client archives "Default". A scoped identity with several clients always names one.

What a scoped identity sees of the clients is limited by its unit of work (adapters/db/scope.py): the list shows
its clients only, and another client is not found.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.tables import DEFAULT_CLIENT_ID, ClientRow
from rigport.errors import ConflictError, InputError, NotFoundError, RigportError
from rigport.services._unit import unit
from rigport.settings import Settings

MAX_NAME = 120


class ClientView(TypedDict):
    """A client as listed and shown."""

    id: int
    name: str
    created_at: dt.datetime
    archived_at: dt.datetime | None
    shipments: int


class BrokerOnlyError(RigportError):
    """Something only a broker-wide identity may do (a scoped identity cannot add clients beyond its scope)."""

    exit_code = 2
    http_status = 403
    title = "Forbidden"


def check_name(name: str, field: str = "name") -> str:
    """A client's name as stored: NFKC, trimmed, inner spaces collapsed; 1-120 characters, not only digits
    (a client is found by id or by name, and a name of digits would read as an id)."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name)).strip()
    if not text:
        raise InputError("expected a client name, got nothing", field=field)
    if len(text) > MAX_NAME:
        raise InputError(f"expected at most {MAX_NAME} characters, got {len(text)}", field=field)
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise InputError("expected a name without control characters", field=field)
    if text.isdigit():
        raise InputError(f"expected a name, not a number ({text!r} would read as a client id)", field=field)
    return text


def _utc(instant: dt.datetime | None) -> dt.datetime | None:
    """Stored UTC; SQLite gives it back without its zone."""
    return instant.replace(tzinfo=dt.UTC) if instant is not None and instant.tzinfo is None else instant


def _view(row: ClientRow, count: int) -> ClientView:
    return {"id": row.id, "name": row.name, "created_at": _utc(row.created_at) or row.created_at,
            "archived_at": _utc(row.archived_at), "shipments": count}  # fmt: skip


MAX_ID_DIGITS = 18  # a longer run of digits cannot be a stored id (64-bit), so it is looked up as a name


def find(uow: AbstractUnitOfWork, client: str, field: str = "client") -> ClientRow:
    """The client given by id or name (any case), as the unit of work's scope sees it; else NotFoundError."""
    text = client.strip()
    is_id = text.isdigit() and len(text) <= MAX_ID_DIGITS
    row = uow.clients.get(int(text)) if is_id else uow.clients.by_name(text)
    if row is None:
        raise NotFoundError(f"no client {client!r}; see `clients list`", field=field)
    return row


def for_new_shipment(uow: AbstractUnitOfWork, client: str | None, field: str = "client") -> ClientRow:
    """The client a new shipment goes to: the one named; else the caller's only active client; else, for a
    broker-wide caller, the "Default" client while it is active (archive it to make the client required)."""
    if client is not None and client.strip():
        row = find(uow, client, field)
        if row.archived_at is not None:
            raise InputError(f"client {row.name!r} is archived; it takes no new shipments", field=field)
        return row
    active = uow.clients.list()
    if len(active) == 1:
        return active[0]
    default = next((c for c in active if c.id == DEFAULT_CLIENT_ID), None)
    if default is not None and uow.scope.broker_wide:
        return default
    if not active:
        raise InputError("no active client to put the shipment in; create one with `rigport clients create`",
                         field=field)  # fmt: skip
    names = ", ".join(repr(c.name) for c in active)
    raise InputError(f"name the client: there is more than one ({names})", field=field)


def create_client(
    name: str, actor: str, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> ClientView:
    name = check_name(name)
    with unit(settings, uow) as uow:
        if not uow.scope.broker_wide:
            raise BrokerOnlyError("adding a client needs a broker-wide identity; yours is limited to its clients")
        if uow.clients.by_name(name) is not None:
            raise ConflictError(f"client {name!r} already exists")
        row = uow.clients.add(ClientRow(name=name))
        uow.flush()
        uow.audit.record(actor, "create", "client", str(row.id), None, {"name": name})
        view = _view(row, 0)
        uow.commit()
        return view


def list_clients(
    include_archived: bool = False, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> list[ClientView]:
    with unit(settings, uow) as uow:
        counts = uow.clients.shipment_counts()
        return [_view(r, counts.get(r.id, 0)) for r in uow.clients.list(include_archived=include_archived)]


def show_client(client: str, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None) -> ClientView:
    with unit(settings, uow) as uow:
        row = find(uow, client)
        return _view(row, uow.clients.shipment_counts().get(row.id, 0))


def rename_client(
    client: str, new_name: str, actor: str, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> ClientView:
    new_name = check_name(new_name, "new_name")
    with unit(settings, uow) as uow:
        row = find(uow, client)
        other = uow.clients.by_name(new_name)
        if other is not None and other.id != row.id:
            raise ConflictError(f"client {new_name!r} already exists")
        before = {"name": row.name}
        row.name = new_name
        uow.flush()
        uow.audit.record(actor, "rename", "client", str(row.id), before, {"name": new_name})
        view = _view(row, uow.clients.shipment_counts().get(row.id, 0))
        uow.commit()
        return view


def archive_client(
    client: str, actor: str, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> ClientView:
    """Archive: the client keeps its shipments (still shown) and takes no new ones."""
    with unit(settings, uow) as uow:
        row = find(uow, client)
        if row.archived_at is None:
            row.archived_at = dt.datetime.now(dt.UTC)
            uow.flush()
            uow.audit.record(actor, "archive", "client", str(row.id), None, {"archived": True})
        view = _view(row, uow.clients.shipment_counts().get(row.id, 0))
        uow.commit()
        return view


def client_ids(
    names: list[str], settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> list[int]:
    """The ids of the named clients (for scoping a token or user), each found or NotFoundError naming it."""
    with unit(settings, uow) as uow:
        return sorted({find(uow, name).id for name in names})
