"""`rigport customs deadlines EVENT DATE`: the legal clocks an event starts, without a database."""

from __future__ import annotations

import typer

from rigport.domain.customs.clocks import EVENTS, clocks_for_event, horizon_warnings
from rigport.entrypoints.cli.output import days, print_json, print_table, print_warnings
from rigport.entrypoints.cli.params import parse_date, parse_money

app = typer.Typer(help="US customs procedure: legal clocks and deadlines.", no_args_is_help=True)


@app.command()
def deadlines(
    event: str = typer.Argument(..., help=f"One of: {', '.join(EVENTS)}."),
    date: str = typer.Argument(..., help="Date of the event, YYYY-MM-DD."),
    value: str | None = typer.Option(None, "--value", help="Value of the goods in USD (bond, forfeiture route)."),
    other_agency_hold: bool = typer.Option(
        False, "--other-agency-hold", help="The hold is at another agency's request (e.g. FCC)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """Clocks started by EVENT on DATE, each with its citation."""
    on = parse_date(date, "DATE")
    clocks = clocks_for_event(
        event,
        on,
        value_usd=parse_money(value, "--value") if value else None,
        other_agency_hold=other_agency_hold,
    )
    # the JSON shape is a list of clocks (the contract), so a warning goes to stderr in both modes
    print_warnings(horizon_warnings(event, on))
    if as_json:
        print_json(clocks)
        return
    print_table(
        f"Clocks started by {event} on {date}",
        ["clock", "due", "days", "citation", "note"],
        [(c.clock.replace("_", " ") + (" (may not apply)" if c.may_not_apply else ""), c.due,
          f"{days(c.days)}{' (working)' if c.kind == 'working' else ''}", c.citation, c.note) for c in clocks],
        keep=["due", "days"], notes=["note"],
    )  # fmt: skip
