"""`rigport tokens create | list | revoke`: API bearer tokens."""

from __future__ import annotations

import typer

from rigport.entrypoints.cli.output import console, print_json, print_table

app = typer.Typer(help="API tokens (stored hashed; shown once).", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Machine-readable output on stdout.")


@app.command()
def create(
    role: str = typer.Option(..., "--role", help="viewer, operator or admin."),
    label: str = typer.Option("", "--label", help="Who or what the token is for."),
    expires_in_days: int | None = typer.Option(None, "--expires-in-days", help="Expire after N days."),
    client: list[str] = typer.Option(
        [], "--client", help="Limit the token to this client (id or name); repeat for more. Default: broker-wide."
    ),
    as_json: bool = JSON,
) -> None:
    """Create a token; the token itself is printed once, as the last word of the output."""
    from rigport.services.auth import create_token

    token, record = create_token(role, label, expires_in_days, clients=client)
    if as_json:
        print_json({**record, "token": token})
    else:
        console.print(f"{role} token {record['id']} (store it now, it is not shown again):", highlight=False)
        print(token)


@app.command("list")
def list_tokens(as_json: bool = JSON) -> None:
    """Tokens with role and status (never the token itself)."""
    from rigport.services.auth import list_tokens as list_all

    rows = list_all()
    if as_json:
        print_json(rows)
    else:
        print_table(
            "API tokens",
            ["id", "role", "label", "clients", "created", "expires", "revoked"],
            [(r["id"], r["role"], r["label"], _scope(r["client_ids"]), r["created_at"], r["expires_at"],
              r["revoked_at"]) for r in rows],
        )


def _scope(ids: list[int] | None) -> str:
    return "all (broker)" if ids is None else ", ".join(map(str, ids))


@app.command()
def revoke(token_id: int = typer.Argument(..., help="Token id from `tokens list`."), as_json: bool = JSON) -> None:
    """Revoke a token at once."""
    from rigport.services.auth import revoke_token

    record = revoke_token(token_id)
    print_json(record) if as_json else console.print(f"token {token_id} revoked")
