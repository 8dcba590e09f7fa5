"""`rigport network show | refresh`: the chain figures the economics use by default."""

from __future__ import annotations

import datetime as dt

import typer

from rigport.domain.chain.snapshot import NetworkSnapshot
from rigport.entrypoints.cli.output import err_console, print_json, print_key_values
from rigport.services.network import current_snapshot, refresh_snapshot
from rigport.settings import get_settings

app = typer.Typer(
    help="Network snapshot: height, difficulty, BTC price, fees (bundled or refreshed).", no_args_is_help=True
)
JSON = typer.Option(False, "--json", help="Machine-readable output on stdout.")


def warn_if_stale(snap: NetworkSnapshot) -> None:
    age = (dt.date.today() - snap.as_of).days
    if age > get_settings().list_max_age_days:
        err_console.print(
            f"[yellow]warning:[/] network snapshot is {age} days old (as of {snap.as_of}); "
            "run `rigport network refresh` when online, or pass --price/--difficulty explicitly"
        )


@app.command()
def show(as_json: bool = JSON) -> None:
    """The snapshot in force, with its date and source."""
    snap = current_snapshot()
    warn_if_stale(snap)
    if as_json:
        print_json(snap.to_dict())
    else:
        print_key_values(f"Network snapshot as of {snap.as_of}", snap.to_dict().items())


@app.command()
def refresh(
    api_url: str | None = typer.Option(None, "--api-url", help="mempool.space-compatible REST API base URL."),
    as_json: bool = JSON,
) -> None:
    """Fetch current figures; the previous snapshot survives any failure."""
    snap = refresh_snapshot(get_settings(), api_url)
    if as_json:
        print_json(snap.to_dict())
    else:
        print_key_values(f"Refreshed network snapshot ({snap.as_of})", snap.to_dict().items())
