"""`rigport users set | list | disable`: dashboard logins (username and password)."""

from __future__ import annotations

import sys

import typer

from rigport.entrypoints.cli.output import console, print_json, print_table
from rigport.errors import InputError

app = typer.Typer(help="Dashboard users (passwords stored as scrypt hashes).", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Machine-readable output on stdout.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise InputError("password: expected a password, got nothing")
    return password


@app.command("set")
def set_user(
    username: str = typer.Argument(..., help="Login name (letters, digits, _.@-)."),
    role: str = typer.Option(..., "--role", help="viewer, operator or admin."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    client: list[str] = typer.Option(
        [], "--client", help="Limit the user to this client (id or name); repeat for more. Default: broker-wide."
    ),
    as_json: bool = JSON,
) -> None:
    """Create a user, or reset an existing user's password, role and clients."""
    from rigport.services.auth import set_user as set_it

    record = set_it(username, _read_password(password_stdin), role, clients=client)
    print_json(record) if as_json else console.print(f"user {username} ({role}) saved", highlight=False)


@app.command("list")
def list_users(as_json: bool = JSON) -> None:
    """Users with role and status (never the password)."""
    from rigport.services.auth import list_users as list_all

    rows = list_all()
    if as_json:
        print_json(rows)
    else:
        print_table("Dashboard users", ["username", "role", "created", "disabled"],
                    [(r["username"], r["role"], r["created_at"], r["disabled_at"]) for r in rows])  # fmt: skip


@app.command()
def disable(username: str = typer.Argument(..., help="Login name."), as_json: bool = JSON) -> None:
    """Disable a user at once; its open dashboard sessions end on their next request."""
    from rigport.services.auth import disable_user

    record = disable_user(username)
    print_json(record) if as_json else console.print(f"user {username} disabled", highlight=False)


@app.command("calendar-url")
def calendar_url(
    username: str = typer.Argument(..., help="Login name."),
    rotate: bool = typer.Option(False, "--rotate", help="Make a new URL; the old one stops working."),
    revoke: bool = typer.Option(False, "--revoke", help="End the user's calendar URL."),
    as_json: bool = JSON,
) -> None:
    """The user's subscribable calendar URL of open deadlines (read-only; shown once, when made)."""
    from rigport.services.calendar_feed import calendar_url as feed

    record = feed(username, rotate=rotate, revoke=revoke)
    if as_json:
        print_json(record)
    elif record["url"]:
        console.print(f"calendar URL for {username} (keep it private; shown once):\n{record['url']}", highlight=False)
    elif record["active"]:
        console.print(f"{username} has a calendar URL since {record['created_at']}; {record['note']}", highlight=False)
    else:
        console.print(f"{username} has no calendar URL (revoked or never made)", highlight=False)
