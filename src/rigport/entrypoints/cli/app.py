"""The `rigport` command: one Typer app, one module per command group.

`main()` is the console-script entry point. It turns rigport's own errors into a one-line
message on stderr and an exit code (2 bad input, 1 failure) so users never see a traceback.
"""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from rigport.entrypoints.cli import (
    assess,
    calendar,
    catalog,
    chain,
    clients,
    customs,
    data,
    db,
    economics,
    landed_cost,
    network,
    notify,
    packet,
    serve,
    shipments,
    simulate,
    tokens,
    users,
)
from rigport.entrypoints.cli import lists as lists_cli
from rigport.entrypoints.cli import screen as screen_cli
from rigport.entrypoints.cli.errors import worded
from rigport.entrypoints.cli.output import err_console
from rigport.errors import RigportError
from rigport.settings import get_settings

app = typer.Typer(
    name="rigport",
    help="Track ASIC miner imports through US customs, screen the supply chain, price every day of delay.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Command groups, one module each (keep heavy imports such as numpy or fastapi inside commands).
app.add_typer(chain.app, name="chain")
app.add_typer(network.app, name="network")
app.add_typer(catalog.app, name="catalog")
app.command("economics")(economics.economics)
app.add_typer(customs.app, name="customs")
app.add_typer(simulate.app, name="simulate")
app.command("assess")(assess.assess_command)
app.command("landed-cost")(landed_cost.landed_cost_command)
app.command("packet")(packet.packet_command)
app.add_typer(shipments.app, name="shipments")
app.add_typer(clients.app, name="clients")
app.add_typer(shipments.import_app, name="import")
app.add_typer(db.app, name="db")
app.add_typer(tokens.app, name="tokens")
app.add_typer(users.app, name="users")
app.command("serve")(serve.serve)
app.command("demo")(serve.demo)
app.add_typer(screen_cli.app, name="screen")
app.add_typer(lists_cli.app, name="lists")
app.add_typer(data.app, name="data")
app.command("calendar")(calendar.calendar_command)
app.add_typer(notify.app, name="notify")


def main() -> None:
    try:
        from rigport.services.tables import install_tables

        install_tables(get_settings())  # a bad RIGPORT_TARIFF_FILE / RIGPORT_CLOCK_FILE stops here: exit 2
        app()
    except RigportError as exc:
        err_console.print(f"[bold red]error:[/] {escape(worded(exc))}", highlight=False, markup=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # last resort: explain, never dump a traceback on a user
        from rigport.adapters.db.engine import as_unavailable

        unavailable = as_unavailable(exc)
        if unavailable is not None:
            err_console.print(f"[bold red]error:[/] {escape(str(unavailable))}", highlight=False, markup=True)
            sys.exit(unavailable.exit_code)
        if get_settings().debug:
            raise
        err_console.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {exc} (set RIGPORT_DEBUG=1 for details)",
            highlight=False,
        )
        sys.exit(1)
