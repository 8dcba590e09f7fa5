"""`rigport network show | refresh`: the chain figures the economics use by default."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import typer

from rigport.domain.chain.snapshot import NetworkSnapshot
from rigport.entrypoints.cli.output import err_console, print_json, print_key_values, si, usd
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
        print_key_values(f"Network snapshot as of {snap.as_of}", readable(snap.to_dict()))


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
        print_key_values(f"Refreshed network snapshot ({snap.as_of})", readable(snap.to_dict()))


def readable(fields: dict[str, Any]) -> list[tuple[str, Any]]:
    """The snapshot with units: difficulty as "114.0 T", the price in dollars, fees in BTC."""
    units: dict[str, Callable[[Any], str]] = {
        "difficulty": lambda v: f"{si(v)} ({v:,.0f})", "price_usd": lambda v: usd(v),
        "fees_btc_per_block": lambda v: f"{v:,} BTC", "height": lambda v: f"{v:,}",
    }  # fmt: skip
    return [(k.removesuffix("_usd").replace("_", " "), units[k](v) if k in units and v is not None else v)
            for k, v in fields.items()]  # fmt: skip
