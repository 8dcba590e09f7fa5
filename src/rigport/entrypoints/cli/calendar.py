"""`rigport calendar --output FILE.ics [--days N]`: the open legal clocks as a calendar file (issue #29)."""

from __future__ import annotations

from pathlib import Path

import typer

from rigport.entrypoints.cli.output import console, print_json


def calendar_command(
    output: Path = typer.Option(..., "--output", "-o", help="Calendar file to write (.ics)."),
    days: int | None = typer.Option(None, "--days", help="Only clocks due within N days (overdue ones included)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable summary on stdout."),
) -> None:
    """Write every open clock of every shipment as an all-day event with alarms 7 and 2 days before."""
    from rigport.services.calendar import export_calendar

    result = export_calendar(output, days=days)
    if as_json:
        print_json(result)
    else:
        console.print(
            f"{result['events']} open clocks written to {result['output']} ({result['overdue']} overdue, "
            f"{result['may_not_apply']} may not apply)",
            highlight=False,
        )
