"""`rigport db upgrade | backup PATH | restore PATH`."""

from __future__ import annotations

from pathlib import Path

import typer

from rigport.entrypoints.cli.output import console, print_json

app = typer.Typer(help="Database administration: schema, backup, restore.", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Machine-readable output on stdout.")


@app.command()
def upgrade(as_json: bool = JSON) -> None:
    """Create or migrate the schema to the newest version."""
    from rigport.services import db

    result = db.upgrade()
    print_json(result) if as_json else console.print(f"database {result['database']} at revision {result['revision']}")


@app.command()
def backup(path: Path = typer.Argument(..., help="File to write."), as_json: bool = JSON) -> None:
    """Consistent copy of the database (SQLite online backup; pg_dump for PostgreSQL)."""
    from rigport.services import db

    result = db.backup(path)
    print_json(result) if as_json else console.print(
        f"backup written to {result['backup']} ({result['bytes']:,} bytes)"
        + (f"; {result['documents']:,} evidence files in {result['backup']}.documents/" if result["documents"] else ""),
        highlight=False,
    )


@app.command()
def restore(path: Path = typer.Argument(..., help="Backup file to restore."), as_json: bool = JSON) -> None:
    """Replace the database with a backup (refused if the file is not a sound rigport backup)."""
    from rigport.services import db

    result = db.restore(path)
    print_json(result) if as_json else console.print(f"restored from {result['restored_from']}")
