"""`rigport clients create | list | show | rename | archive`: the importers a broker works for (issue #28)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import typer

from rigport.entrypoints.cli.output import console, instant, print_json, print_key_values, print_table

app = typer.Typer(help="Clients: the importers whose shipments you handle.", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Machine-readable output on stdout.")
CLIENT = typer.Argument(..., help="The client's id or name (any case).")
ACTOR = "cli"


def _said(verb: str, view: Mapping[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(view)
    else:
        console.print(f"client {view['id']} {view['name']!r} {verb}", highlight=False)


@app.command()
def create(name: str = typer.Argument(..., help="The importer's name (unique, in any case)."),
           as_json: bool = JSON) -> None:  # fmt: skip
    """Add a client. Once two or more exist, new shipments and manifests name theirs (--client)."""
    from rigport.services.clients import create_client

    _said("created", create_client(name, ACTOR), as_json)


@app.command("list")
def list_clients(
    include_archived: bool = typer.Option(False, "--all", help="Also the archived clients."), as_json: bool = JSON
) -> None:
    """Clients with their shipment counts."""
    from rigport.services.clients import list_clients as list_all

    rows = list_all(include_archived)
    if as_json:
        print_json(rows)
        return
    print_table("Clients", ["id", "name", "shipments", "created", "archived"],
                [(r["id"], r["name"], f"{r['shipments']:,}", instant(r["created_at"]),
                  instant(r["archived_at"]) if r["archived_at"] else "") for r in rows],
                keep=["id", "name"], right=["id", "shipments"])  # fmt: skip


@app.command()
def show(client: str = CLIENT, as_json: bool = JSON) -> None:
    """One client."""
    from rigport.services.clients import show_client

    view = show_client(client)
    if as_json:
        print_json(view)
        return
    print_key_values(view["name"], [("id", view["id"]), ("shipments", f"{view['shipments']:,}"),
                                    ("created", instant(view["created_at"])),
                                    ("archived", instant(view["archived_at"]) if view["archived_at"] else "no")])


@app.command()
def rename(client: str = CLIENT, new_name: str = typer.Argument(..., help="The new name."),
           as_json: bool = JSON) -> None:  # fmt: skip
    """Rename a client; its shipments, tokens and users follow (they hold its id)."""
    from rigport.services.clients import rename_client

    _said("renamed", rename_client(client, new_name, ACTOR), as_json)


@app.command()
def archive(client: str = CLIENT, as_json: bool = JSON) -> None:
    """Archive a client: its shipments stay, it takes no new ones."""
    from rigport.services.clients import archive_client

    _said("archived", archive_client(client, ACTOR), as_json)
