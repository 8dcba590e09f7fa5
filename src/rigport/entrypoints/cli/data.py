"""`rigport data status`: every bundled dataset with its as-of date, horizon, source and age."""

from __future__ import annotations

import typer

from rigport.entrypoints.cli.output import console, print_json, print_table, print_warnings

app = typer.Typer(help="Bundled datasets: dates, horizons, sources.", no_args_is_help=True)


@app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout.")) -> None:
    """Tariffs, clocks, catalog prices, network snapshot and screening lists: as of, horizon, source, age."""
    from rigport.services.horizons import data_status

    result = data_status()
    if as_json:
        print_json(result)
        return
    print_table(
        f"Bundled data as of {result['as_of']}",
        ["dataset", "as of", "verified through", "age (days)", "stale", "rows"],
        [(d["dataset"], d["as_of"], d["verified_through"], d["age_days"], "STALE" if d["stale"] else "",
          d.get("rows", "")) for d in result["datasets"]],
    )  # fmt: skip
    for d in result["datasets"]:
        note = f" ({d['note']})" if d["note"] else ""
        console.print(f"[bold]{d['dataset']}[/]: {d['source']}{note}", highlight=False)
    print_warnings(result["warnings"])
