"""`rigport notify run | status | recipients ...`: deadline reminders by e-mail and webhook (issue #29)."""

from __future__ import annotations

import typer

from rigport.entrypoints.cli.output import console, err_console, print_json, print_table

app = typer.Typer(help="Deadline reminders: e-mail and webhooks, kept in an outbox until delivered.",
                  no_args_is_help=True)  # fmt: skip
recipients_app = typer.Typer(help="Who gets reminders, how, and when.", no_args_is_help=True)
app.add_typer(recipients_app, name="recipients")
JSON = typer.Option(False, "--json", help="Machine-readable output on stdout.")


@app.command("run")
def run_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be queued; write and send nothing."),
    as_json: bool = JSON,
) -> None:
    """Queue every reminder due today in the outbox, then deliver what is pending (for cron or a systemd timer).

    Exit 2 when a channel's settings are wrong (e.g. RIGPORT_SMTP_HOST unset), 1 when a channel is
    unreachable; either way the reminders stay in the outbox and the next run tries again.
    """
    from rigport.services.reminders import run

    result = run(dry_run=dry_run)
    if as_json:
        print_json(result)
    else:
        verb = "would queue" if dry_run else "queued"
        console.print(f"{result['decided']} reminders due, {result['queued']} {verb}; {result['sent']} sent, "
                      f"{result['failed']} failed, {result['deferred']} deferred (channel down); "
                      f"outbox: {result['outbox']['pending']} pending, "
                      f"{result['outbox']['sent']} sent", highlight=False)  # fmt: skip
        if result["sender"] == "busy":
            console.print("another sender holds the lock (rigport serve?): it delivers the outbox", highlight=False)
    for error in result["errors"]:
        err_console.print(f"[bold red]error:[/] {error}", highlight=False, markup=True)
    if result["config_error"]:
        raise typer.Exit(2)
    if result["failed"] or result["deferred"]:
        raise typer.Exit(1)


@app.command("status")
def status_command(
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="Most recent reminders to show."),
    as_json: bool = JSON,
) -> None:
    """What was sent, to whom and when; what is failing and why."""
    from rigport.services.reminders import status

    result = status(limit=limit)
    if as_json:
        print_json(result)
        return
    counts = result["outbox"]
    console.print(f"outbox: {counts['pending']} pending ({counts['failing']} failing), {counts['sent']} sent, "
                  f"{counts['cancelled']} cancelled", highlight=False)  # fmt: skip
    print_table("Recent reminders", ["recipient", "subject", "status", "attempts", "sent", "last error"],
                [(r["recipient"], r["subject"], r["status"], r["attempts"], r["sent_at"], r["last_error"])
                 for r in result["recent"]])  # fmt: skip


@recipients_app.command("add")
def add_command(
    name: str = typer.Argument(..., help="A name for the person or team address."),
    channel: str = typer.Option(..., "--channel", help="email, webhook or slack."),
    address: str = typer.Option(..., "--address", help="E-mail address or webhook URL."),
    before: str = typer.Option("7,3,1", "--before", help="Days before each due date, comma-separated."),
    on_day: bool = typer.Option(True, "--on-day/--no-on-day", help="Remind on the due date itself."),
    overdue: bool = typer.Option(True, "--overdue/--no-overdue", help="Remind once when a clock is overdue."),
    digest: bool = typer.Option(False, "--digest/--no-digest", help="A daily digest of the next 14 days."),
    user: str | None = typer.Option(None, "--user", help="The dashboard user this address belongs to."),
    client: str | None = typer.Option(None, "--client", help="Only this client's shipments (id or name); "
                                      "default: every client's."),
    secret: str | None = typer.Option(None, "--secret", help="Webhook signing secret (default: new, shown once)."),
    as_json: bool = JSON,
) -> None:
    """Add a recipient; a webhook's signing secret is printed once."""
    from rigport.services.reminders import add_recipient

    view = add_recipient(name, channel, address, secret=secret, before=before, on_day=on_day, overdue=overdue,
                         digest=digest, username=user, client=client)  # fmt: skip
    if as_json:
        print_json(view)
        return
    hears = f"client {view['client']}" if view["client"] else "every client"
    console.print(f"recipient {name} ({channel} {view['address']}, {hears}) added", highlight=False)
    if view.get("secret"):
        console.print(f"signing secret (shown once): {view['secret']}", highlight=False)


@recipients_app.command("list")
def list_command(as_json: bool = JSON) -> None:
    """Recipients and their rules (never the webhook secrets)."""
    from rigport.services.reminders import list_recipients

    rows = list_recipients()
    if as_json:
        print_json(rows)
        return
    print_table("Reminder recipients",
                ["name", "client", "channel", "address", "before", "on day", "overdue", "digest"],
                [(r["name"], r["client"] or "(every client)", r["channel"], r["address"],
                  ",".join(map(str, r["before"])), r["on_day"], r["overdue"], r["digest"]) for r in rows])  # fmt: skip


@recipients_app.command("set")
def set_command(
    name: str = typer.Argument(..., help="The recipient's name."),
    address: str | None = typer.Option(None, "--address", help="New e-mail address or webhook URL."),
    before: str | None = typer.Option(None, "--before", help="Days before each due date, comma-separated."),
    on_day: bool | None = typer.Option(None, "--on-day/--no-on-day"),
    overdue: bool | None = typer.Option(None, "--overdue/--no-overdue"),
    digest: bool | None = typer.Option(None, "--digest/--no-digest"),
    as_json: bool = JSON,
) -> None:
    """Change a recipient's address or rule."""
    from rigport.services.reminders import update_recipient

    view = update_recipient(name, address=address, before=before, on_day=on_day, overdue=overdue, digest=digest)
    print_json(view) if as_json else console.print(f"recipient {name} updated", highlight=False)


@recipients_app.command("remove")
def remove_command(name: str = typer.Argument(..., help="The recipient's name."), as_json: bool = JSON) -> None:
    """Stop reminding a recipient; its pending reminders are cancelled, its history kept."""
    from rigport.services.reminders import remove_recipient

    view = remove_recipient(name)
    if as_json:
        print_json(view)
    else:
        console.print(f"recipient {name} removed ({view['cancelled']} pending reminders cancelled)", highlight=False)
