"""Clients over the in-memory unit of work (issue #28): create, list, show, rename, archive; which client a new
shipment goes to; and the refusals, each leaving the store as it was (read back in a new unit of work)."""

from __future__ import annotations

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.adapters.db.scope import Scope
from rigport.errors import ConflictError, InputError, NotFoundError
from rigport.services import clients
from rigport.services import shipments as svc
from rigport.settings import Settings
from tests.services.memory.books import shipment


def _names(uow: MemoryUnitOfWork, include_archived: bool = False) -> dict[str, int]:
    """Name -> shipments, as `clients list` shows them."""
    return {c["name"]: c["shipments"] for c in clients.list_clients(include_archived, uow=uow)}


def _trail(uow: MemoryUnitOfWork, client_id: int) -> list[tuple[str, object, object]]:
    with uow:
        return [(a.action, a.before, a.after) for a in uow.audit.for_entity("client", str(client_id))]


def test_create_list_show_rename_archive(uow: MemoryUnitOfWork) -> None:
    alpha = clients.create_client("  Alpha   Mining ", "ann", uow=uow)
    assert (alpha["name"], alpha["shipments"], alpha["archived_at"]) == ("Alpha Mining", 0, None)
    assert alpha["id"] == 2 and alpha["created_at"].tzinfo is not None  # after Default (1), an aware instant
    shipment(uow, "A-1", "alpha mining", 10, "34000", "1.25", held=None)
    assert _names(uow) == {"Alpha Mining": 1, "Default": 0}
    assert clients.show_client("2", uow=uow)["name"] == "Alpha Mining"
    assert clients.show_client("ALPHA MINING", uow=uow)["shipments"] == 1
    renamed = clients.rename_client("Alpha Mining", "Alpha Hosting", "bob", uow=uow)
    assert (renamed["id"], renamed["name"], renamed["shipments"]) == (2, "Alpha Hosting", 1)
    assert svc.get_shipment("A-1", uow=uow)["client"] == "Alpha Hosting"  # its shipments read the new name
    archived = clients.archive_client("alpha hosting", "ann", uow=uow)
    assert archived["archived_at"] is not None and archived["shipments"] == 1
    again = clients.archive_client("Alpha Hosting", "ann", uow=uow)  # archiving twice changes nothing
    assert again["archived_at"] == archived["archived_at"]
    assert _names(uow) == {"Default": 0}
    assert _names(uow, include_archived=True) == {"Alpha Hosting": 1, "Default": 0}
    assert _trail(uow, 2) == [("create", None, {"name": "Alpha Mining"}),
                              ("rename", {"name": "Alpha Mining"}, {"name": "Alpha Hosting"}),
                              ("archive", None, {"archived": True})]  # fmt: skip
    assert clients.client_ids(["Alpha Hosting", "default"], uow=uow) == [1, 2]


def test_a_taken_name_is_refused_in_any_case_and_nothing_is_written(uow: MemoryUnitOfWork) -> None:
    clients.create_client("Alpha", "ann", uow=uow)
    bravo = clients.create_client("Bravo", "ann", uow=uow)
    with pytest.raises(ConflictError, match="'ALPHA' already exists"):
        clients.create_client("ALPHA", "ann", uow=uow)
    with pytest.raises(ConflictError, match="'alpha' already exists"):
        clients.rename_client("Bravo", "alpha", "ann", uow=uow)
    assert _names(uow) == {"Alpha": 0, "Bravo": 0, "Default": 0}
    assert [action for action, _, _ in _trail(uow, bravo["id"])] == ["create"]
    assert clients.rename_client("bravo", "BRAVO", "ann", uow=uow)["name"] == "BRAVO"  # its own name, recased


@pytest.mark.parametrize(("name", "field", "message"), [
    ("   ", "name", "expected a client name"), ("2024", "name", "not a number"),
    ("x" * 121, "name", "at most 120"), ("Bell\x07", "name", "control characters"),
])  # fmt: skip
def test_a_bad_name_names_its_field(uow: MemoryUnitOfWork, name: str, field: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as refused:
        clients.create_client(name, "ann", uow=uow)
    assert refused.value.field == field
    with pytest.raises(InputError, match=message) as refused:
        clients.rename_client("Default", name, "ann", uow=uow)
    assert refused.value.field == "new_name"
    assert _names(uow) == {"Default": 0}


def test_unknown_client_names_the_field(uow: MemoryUnitOfWork) -> None:
    with pytest.raises(NotFoundError, match="no client 'Nobody'") as refused:
        clients.show_client("Nobody", uow=uow)
    assert refused.value.field == "client"
    with pytest.raises(NotFoundError, match="no client '99'"):
        clients.archive_client("99", "ann", uow=uow)


def test_where_a_new_shipment_goes_and_the_archived_default(uow: MemoryUnitOfWork) -> None:
    shipment(uow, "D-1", None, 1, "100", "0", held=None)  # only Default exists: it takes the shipment
    clients.create_client("Alpha", "ann", uow=uow)
    clients.create_client("Bravo", "ann", uow=uow)
    shipment(uow, "D-2", None, 1, "100", "0", held=None)  # broker-wide, Default active: still Default
    assert _names(uow) == {"Alpha": 0, "Bravo": 0, "Default": 2}
    clients.archive_client("Default", "ann", uow=uow)
    with pytest.raises(InputError, match="name the client: there is more than one \\('Alpha', 'Bravo'\\)") as refused:
        shipment(uow, "X-1", None, 1, "100", "0", held=None)
    assert refused.value.field == "client"
    with pytest.raises(InputError, match="client 'Default' is archived; it takes no new shipments"):
        shipment(uow, "X-2", "Default", 1, "100", "0", held=None)
    assert svc.list_shipments(uow=uow) and {r["reference"] for r in svc.list_shipments(uow=uow)} == {"D-1", "D-2"}
    clients.archive_client("Bravo", "ann", uow=uow)
    shipment(uow, "A-1", None, 1, "100", "0", held=None)  # one active client left: it takes the shipment
    assert _names(uow) == {"Alpha": 1}


def test_a_scoped_identity(settings: Settings, uow: MemoryUnitOfWork) -> None:
    alpha = clients.create_client("Alpha", "ann", uow=uow)["id"]
    bravo = clients.create_client("Bravo", "ann", uow=uow)["id"]
    shipment(uow, "B-1", "Bravo", 1, "100", "0", held=None)
    scoped = MemoryUnitOfWork(settings, uow.store, scope=Scope.of([alpha]))
    with pytest.raises(clients.BrokerOnlyError, match="broker-wide identity"):
        clients.create_client("Charlie", "alpha-user", uow=scoped)
    assert _names(scoped) == {"Alpha": 0}  # neither Bravo nor Default, nor their shipments
    with pytest.raises(NotFoundError, match="no client 'Bravo'"):
        clients.show_client("Bravo", uow=scoped)
    with pytest.raises(NotFoundError):
        clients.rename_client(str(bravo), "Mine", "alpha-user", uow=scoped)
    shipment(scoped, "A-1", None, 1, "100", "0", held=None)  # its only client takes the shipment
    assert _names(scoped) == {"Alpha": 1}
    two = MemoryUnitOfWork(settings, uow.store, scope=Scope.of([alpha, bravo]))
    with pytest.raises(InputError, match="name the client"):  # several clients: never Default, always named
        shipment(two, "X-1", None, 1, "100", "0", held=None)
    assert _names(uow) == {"Alpha": 1, "Bravo": 1, "Default": 0}
    assert _names(uow, include_archived=True) == {"Alpha": 1, "Bravo": 1, "Default": 0}
