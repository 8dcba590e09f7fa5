"""`rigport lists status | load FILE --kind ... | update [--url ...]`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import typer

from rigport.entrypoints.cli.output import console, days, display, err_console, print_json, print_table
from rigport.entrypoints.cli.params import parse_date

app = typer.Typer(help="Screening lists in force: versions, dates, loading and updating.", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Machine-readable output on stdout.")


def _freshness(v: Mapping[str, object]) -> str:
    """In words: a stale copy says so in the table itself, not only in a warning below it."""
    if v.get("freshness") == "stale":
        return "NOT CURRENT: update"
    if v.get("freshness") == "curated":
        return "curated (dated by its entries)"
    return "current"


def _show(lists: Sequence[Mapping[str, object]], title: str) -> None:
    print_table(
        title,
        ["list", "as of", "age", "status", "entries", "names", "sha256"],
        [
            (v["list"], v["as_of"], days(int(str(v["age_days"]))) if v["age_days"] is not None else "", _freshness(v),
             display(v["entries"]), display(v["names"]), str(v["sha256"])[:12])
            for v in lists
        ],
        keep=["list", "as of", "entries", "names", "sha256"], optional=["names", "sha256"],
        right=["entries", "names"],
    )
    for v in lists:
        note = f" ({v['date_note']})" if v["date_note"] else ""
        console.print(f"[bold]{v['list']}[/]: {v['source']}{note}", highlight=False)


@app.command("status")
def status(as_json: bool = JSON) -> None:
    """Every list in force: version, date, source, counts; warns when older than list_max_age_days."""
    from rigport.services.screening import list_status

    result = list_status()
    if as_json:
        print_json(result)
        return
    _show(result["lists"], "Screening lists in force")
    for w in result["warnings"]:
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)


@app.command("load")
def load(
    file: Path = typer.Argument(..., help="sdn.csv (OFAC), consolidated.csv/.json (CSL) or your list (.csv/.yaml)."),
    kind: str = typer.Option(..., "--kind", help="ofac-sdn, csl or user."),
    add: Path | None = typer.Option(None, "--add", help="OFAC add.csv to join (ofac-sdn only)."),
    alt: Path | None = typer.Option(None, "--alt", help="OFAC alt.csv to join (ofac-sdn only)."),
    name: str | None = typer.Option(None, "--name", help="List id for a user list (default: user)."),
    published: str | None = typer.Option(None, "--published", help="Date the list is current as of (YYYY-MM-DD)."),
    source: str | None = typer.Option(None, "--source", help="Where the file came from (URL)."),
    as_json: bool = JSON,
) -> None:
    """Validate a list file completely and make it the copy in force (nothing changes on error)."""
    from rigport.services.screening import load_list_file

    day = parse_date(published, "--published") if published else None
    version = load_list_file(file, kind, add=add, alt=alt, name=name, published=day, source=source)
    if as_json:
        print_json(version)
    else:
        _show([version], "Loaded")


@app.command("update")
def update(
    url: str | None = typer.Option(None, "--url", help="Base URL holding sdn.csv, add.csv, alt.csv, consolidated.csv."),
    only: list[str] = typer.Option([], "--list", help="Only this list (ofac-sdn or csl); repeatable."),  # noqa: B008
    as_json: bool = JSON,
) -> None:
    """Download the official lists; a failed or truncated download keeps the previous version."""
    from rigport.errors import UnavailableError
    from rigport.services.screening import update_lists

    result = update_lists(url=url, lists=tuple(only) or ("ofac-sdn", "csl"))
    if as_json:
        print_json(result)
    else:
        _show(result["lists"], "Screening lists in force")
        for e in result["errors"]:
            err_console.print(f"[red]error:[/] {e}", highlight=False)
        rs = result["rescreen"]
        console.print(f"re-screened: {len(rs['new_hits'])} new hit(s), {len(rs['cleared_hits'])} cleared")
    if result["errors"] and not result["updated"]:
        raise UnavailableError("; ".join(result["errors"]))
