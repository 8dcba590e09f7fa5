"""`rigport audit`: the whole audit trail from the terminal, filtered and paged like the dashboard's /audit."""

from __future__ import annotations

import typer

from rigport.entrypoints.cli.output import console, instant, print_json, print_table


def audit_command(
    actor: str | None = typer.Option(None, "--actor", help="Who (exact, any case)."),
    action: str | None = typer.Option(None, "--action", help="The action begins with this, e.g. event."),
    entity: str | None = typer.Option(None, "--entity", help="shipment, screening, reminder_recipient, user, token."),
    ref: str | None = typer.Option(None, "--ref", help="The record: a shipment reference, a user name, ..."),
    since: str | None = typer.Option(None, "--since", help="From this UTC day, YYYY-MM-DD (inclusive)."),
    until: str | None = typer.Option(None, "--until", help="To this UTC day, YYYY-MM-DD (inclusive)."),
    page: int = typer.Option(1, "--page", min=1),
    per_page: int = typer.Option(50, "--per-page", min=1, max=500),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """Who did what, when, newest first (the terminal has the database: every entry, accounts included)."""
    from rigport.services import audit

    days = audit.parse_day(since, "since"), audit.parse_day(until, "until")
    filters = audit.AuditFilters(actor=actor, action=action, entity=entity, entity_id=ref, since=days[0],
                                 until=days[1])  # fmt: skip
    found = audit.search_audit(filters, page=page, per_page=per_page, accounts=True)
    if as_json:
        print_json(found)
        return
    rows = []
    for a in found["entries"]:
        changed = [c["field"] for c in audit.changes(a["before"], a["after"])]
        rows.append((instant(a["at"]), a["actor"], a["action"], f"{a['entity']} {a['entity_id']}",
                     ", ".join(changed[:6]) + (", ..." if len(changed) > 6 else "")))  # fmt: skip
    print_table(f"Audit trail: {found['total']:,} entries, page {found['page']} of {found['pages']}",
                ["at", "actor", "action", "record", "changed"], rows, keep=["at", "action"],
                optional=["changed"])  # fmt: skip
    if found["page"] < found["pages"]:
        console.print(f"older entries: --page {found['page'] + 1}", highlight=False)
