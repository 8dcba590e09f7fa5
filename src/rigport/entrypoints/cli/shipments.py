"""`rigport shipments ...` and `rigport import manifest ...`: the system of record from the terminal."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer

from rigport.domain.customs.shipment_filter import SORT_KEYS
from rigport.entrypoints.cli.output import (
    console,
    days_left,
    instant,
    print_json,
    print_key_values,
    print_table,
    print_warnings,
    usd,
)
from rigport.entrypoints.cli.params import parse_date, parse_money
from rigport.errors import InputError

app = typer.Typer(help="Shipments through customs: list, show, create, record events.", no_args_is_help=True)
import_app = typer.Typer(help="Import files into the system of record.", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Machine-readable output on stdout.")
ACTOR = "cli"


def _next_deadline(view: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """(due, when, clock, note) of the shipment's soonest open clock, for the list's columns."""
    deadline = view.get("next_deadline")
    if not deadline:
        return "-", "", "", ""
    left = int(deadline["days_left"])
    note = ""
    if deadline.get("may_not_apply"):  # a 19 CFR 151.16 clock of another agency's hold is never overdue
        note = "may not apply: CBP holds the goods for another agency (19 CFR 151.16(a))"
    when = days_left(left, overdue=bool(deadline["overdue"]))
    return str(deadline["due"]), when, str(deadline["clock"]).replace("_", " "), note


SEARCH = typer.Option("", "--search", "-q", help="Part of a reference, bill of lading / air waybill, entry number, "
                      "importer, carrier, party name or serial number (any case).")
PORT = typer.Option("", "--port", help="Port of entry (whole name, any case).")
STATE = typer.Option("", "--state", help="Only shipments with units in this state.")
IMPORTER = typer.Option("", "--importer", help="Importer of record (whole name, any case).")
CLIENT = typer.Option("", "--client", help="Only this client's shipments (id or name).")
DUE_WITHIN = typer.Option(None, "--due-within", help="Next deadline within N days (overdue included).")
SORT = typer.Option("arrival_date", "--sort", help=f"Sort by one of: {', '.join(SORT_KEYS)}.")
ORDER = typer.Option("asc", "--order", help="asc or desc.")
FORMAT = typer.Option(None, "--format", help="json, csv or xlsx; csv and xlsx hold every shipment the filters "
                      "keep (all pages). xlsx needs --output.")
OUTPUT = typer.Option(None, "--output", "-o", help="Write the csv or xlsx file here (all or nothing).")


def _filter(
    search: str, port: str, state: str, importer: str, client: str, due_within: int | None, sort: str, order: str
) -> Any:
    from rigport.domain.customs.shipment_filter import ShipmentFilter

    return ShipmentFilter(q=search, port=port, state=state, importer=importer, client=client, due_within=due_within,
                          sort=sort, order=order).checked()  # fmt: skip


def _export(table: str, flt: Any, fmt: str, output: Path | None, as_json: bool) -> None:
    """A table of the view as a file (or CSV on stdout); a summary on stdout (JSON with --json)."""
    from rigport.adapters.render import table_export
    from rigport.services.shipment_search import export_table

    if fmt not in table_export.FORMATS:
        raise InputError(f"expected json, csv or xlsx, got {fmt!r}", field="format")
    if output is None and (fmt == "xlsx" or as_json):
        raise InputError(f"give a file for the {fmt} table (--output FILE)", field="output")
    exported = export_table(table, flt)
    if output is None:
        for chunk in table_export.csv_chunks(exported["columns"], exported["rows"], bom=False):
            sys.stdout.write(chunk)
        return
    rows = table_export.write_file(output, fmt, exported["columns"], exported["rows"], exported["name"])
    summary = {"table": exported["name"], "format": fmt, "rows": rows, "output": str(output), "filter": flt.as_query()}
    if as_json:
        print_json(summary)
    else:
        console.print(f"{rows:,} rows of {exported['name']} -> {output}", highlight=False, markup=False)


@app.command("list")
def list_shipments(
    search: str = SEARCH,
    port: str = PORT,
    state: str = STATE,
    importer: str = IMPORTER,
    client: str = CLIENT,
    due_within: int | None = DUE_WITHIN,
    sort: str = SORT,
    order: str = ORDER,
    limit: int = typer.Option(100, "--limit", help="Rows a page (1 to 1000)."),
    offset: int = typer.Option(0, "--offset", help="Rows to skip."),
    fmt: str | None = FORMAT,
    output: Path | None = OUTPUT,
    as_json: bool = JSON,
) -> None:
    """Shipments with their state and next deadline: filter, search, sort, page, or export (csv, xlsx)."""
    from rigport.services.shipments import list_shipments as list_all

    flt = _filter(search, port, state, importer, client, due_within, sort, order)
    if fmt is not None and fmt != "json":
        _export("shipments", flt, fmt, output, as_json)
        return
    rows = list_all(flt=flt, limit=limit, offset=offset)
    if as_json or fmt == "json":
        if output is not None:
            raise InputError("--output is for --format csv or xlsx; --json prints to stdout", field="output")
        print_json(rows)
        return
    # References, dates and states are never cut; a narrow terminal drops value, arrival and port, in that
    # order, and says so (all are in --json); the "may not apply" note goes below the table.
    print_table(
        "Shipments",
        ["reference", "due", "when", "clock", "units by state", "port", "arrived", "value", "note"],
        [(r["reference"], *_next_deadline(r)[:3], "\n".join(f"{s} {n:,}" for s, n in r["quantities"].items()),
          r["port"], r["arrival_date"], usd(r["declared_value_usd"], cents=False), _next_deadline(r)[3])
         for r in rows],
        keep=["reference", "due", "units by state", "arrived", "value"], notes=["note"],
        optional=["port", "arrived", "value"], right=["value"],
    )  # fmt: skip


@app.command("export")
def export_cmd(
    table: str = typer.Argument(..., help="shipments, deadlines, costs or screening"),
    search: str = SEARCH,
    port: str = PORT,
    state: str = STATE,
    importer: str = IMPORTER,
    client: str = CLIENT,
    due_within: int | None = DUE_WITHIN,
    sort: str = SORT,
    order: str = ORDER,
    fmt: str = typer.Option("csv", "--format", help="csv or xlsx (xlsx needs --output)."),
    output: Path | None = OUTPUT,
    as_json: bool = JSON,
) -> None:
    """A table of the shipments the filters keep, as CSV (on stdout, or --output FILE) or XLSX: the shipments,
    their open deadlines, their costs of delay, or their latest screening results. Text a spreadsheet would
    run as a formula (= + - @) is neutralised."""
    _export(table, _filter(search, port, state, importer, client, due_within, sort, order), fmt, output, as_json)


@app.command()
def show(reference: str = typer.Argument(...), as_json: bool = JSON) -> None:
    """Everything known about one shipment: quantities by state, clocks, cost of delay, events."""
    from rigport.services.shipments import get_shipment

    view = get_shipment(reference)
    if as_json:
        print_json(view)
        return
    cost = view["cost_of_delay"]
    print_key_values(view["reference"], [
        ("port / mode", f"{view['port']} / {view['mode']}"), ("arrived", view["arrival_date"]),
        ("units by state", ", ".join(f"{s} {n:,}" for s, n in view["quantities"].items())),
        ("declared value", usd(view["declared_value_usd"])),
        ("cost of delay per day", f"${cost['cost_per_day_usd']:,.2f} ({cost['held_units']:,} units held)"),
        ("cost of delay to date", f"${cost['cost_to_date_usd']:,.2f} ({cost['held_unit_days']:,} unit-days held)"),
        ("storage accrued", f"${cost['storage_accrued_usd']:,.2f}" + (" ALERT: >= 50% of value"
                                                                       if cost["storage_alert"] else "")),
        ("allowed events", ", ".join(view["allowed_events"])), ("version", view["version"]),
    ])  # fmt: skip
    print_table(
        "Clocks",
        ["clock", "due", "when", "citation", "note"],
        [(c["clock"].replace("_", " ") + (" (may not apply)" if c["may_not_apply"] else ""), c["due"],
          days_left(int(c["days_left"]), overdue=bool(c["overdue"])), c["citation"], c["note"])
         for c in view["clocks"]],
        keep=["due"], notes=["note"],
    )  # fmt: skip
    print_warnings(view["warnings"])
    print_table(
        "Events",
        ["id", "date", "event", "units", "from", "to", "by", "voided"],
        [
            (e["id"], e["occurred_on"], e["event"], f"{e['quantity']:,}", e["from_state"], e["to_state"], e["actor"],
             f"voided by {e['voided_by']}: {e['void_reason']}" if e["voided"] else "")
            for e in view["events"]
        ],
        keep=["id", "date", "units", "from", "to"], notes=["voided"], optional=["from", "by"], right=["id", "units"],
    )


@app.command()
def void(
    reference: str = typer.Argument(...),
    event_id: int = typer.Argument(..., help="The event's id, as `shipments show` lists it."),
    reason: str = typer.Option(..., "--reason", help="Why it is voided; kept in the history and the audit log."),
    as_json: bool = JSON,
) -> None:
    """Void a mistaken event: kept in the history, no longer counted; state, clocks and costs recomputed.

    To amend an event, void it and record the right one. Refused when a later event depends on it.
    """
    from rigport.services.shipments import void_event

    view = void_event(reference, event_id, reason, ACTOR)
    if as_json:
        print_json(view)
    else:
        console.print(
            f"{reference}: event {event_id} voided; units by state: "
            + ", ".join(f"{s} {n:,}" for s, n in view["quantities"].items()),
            highlight=False,
        )


@app.command()
def create(
    reference: str = typer.Argument(...),
    mode: str = typer.Option(..., "--mode", help="vessel or air."),
    port: str = typer.Option(..., "--port", help="Port of entry."),
    arrival: str = typer.Option(..., "--arrival", help="Arrival date YYYY-MM-DD."),
    units: int = typer.Option(..., "--units", help="Total units in the shipment."),
    value: str = typer.Option(..., "--value", help="Declared value in USD."),
    carrier: str = typer.Option("", "--carrier"),
    transport_doc: str = typer.Option("", "--bl", help="Bill of lading or air waybill number."),
    importer: str = typer.Option("", "--importer", help="Importer of record."),
    other_agency_hold: bool = typer.Option(False, "--other-agency-hold", help="Hold requested by e.g. the FCC."),
    storage_per_day: str = typer.Option("0", "--storage-per-day", help="Storage USD per unit per day."),
    pallets: int | None = typer.Option(None, "--pallets", min=0, help="Pallets in storage (with a pallet rate)."),
    storage_per_pallet_day: str | None = typer.Option(
        None, "--storage-per-pallet-day", help="Storage USD per pallet per day; wins over the unit rate."
    ),
    client: str | None = typer.Option(
        None, "--client", help="The client (id or name); needed once more than one client exists."
    ),
    manifest: Path | None = typer.Option(
        None, "--manifest", help="CSV or XLSX line items saved with the shipment: both, or neither."
    ),
    as_json: bool = JSON,
) -> None:
    """Open a shipment record at arrival (with --manifest, its line items in the same transaction)."""
    from rigport.services.manifest import check_manifest
    from rigport.services.shipments import ShipmentDraft, create_shipment

    lines = None
    if manifest is not None:
        if not manifest.is_file():
            raise InputError(f"--manifest: {manifest}: file not found")
        lines = check_manifest(manifest.read_bytes(), str(manifest))

    draft = ShipmentDraft(
        reference=reference, mode=mode, port=port, arrival_date=parse_date(arrival, "--arrival"), total_units=units,
        declared_value_usd=parse_money(value, "--value"), carrier=carrier, transport_doc=transport_doc,
        importer_of_record=importer, other_agency_hold=other_agency_hold,
        storage_usd_per_unit_day=parse_money(storage_per_day, "--storage-per-day", rate=True), storage_pallets=pallets,
        storage_usd_per_pallet_day=None if storage_per_pallet_day is None
        else parse_money(storage_per_pallet_day, "--storage-per-pallet-day", rate=True),
    )  # fmt: skip
    view = create_shipment(draft, ACTOR, client=client, lines=lines,
                           lines_source=manifest.name if manifest else "line items")  # fmt: skip
    if as_json:
        print_json(view)
    else:
        items = f", {len(lines):,} line item{'' if len(lines) == 1 else 's'}" if lines is not None else ""
        console.print(f"created {view['reference']} for {view['client']} ({view['state']}{items})", highlight=False)


@app.command()
def update(
    reference: str = typer.Argument(...),
    other_agency_hold: bool | None = typer.Option(
        None, "--other-agency-hold/--no-other-agency-hold",
        help="CBP holds the goods for another agency (e.g. FCC): the 19 CFR 151.16 clocks may not apply.",
    ),
    client: str | None = typer.Option(None, "--client", help="Move the shipment to this client (id or name)."),
    version: int | None = typer.Option(None, "--version", min=1, help="The version you read (refused if stale)."),
    as_json: bool = JSON,
) -> None:
    """Change a shipment's record: whether the hold is another agency's, and its client."""
    from rigport.services.shipments import update_shipment

    changes: dict[str, Any] = {} if other_agency_hold is None else {"other_agency_hold": other_agency_hold}
    if client is not None:
        changes["client"] = client
    if not changes:
        raise InputError("nothing to change: give --other-agency-hold, --no-other-agency-hold or --client")
    view = update_shipment(reference, changes, ACTOR, expected_version=version)
    if as_json:
        print_json(view)
    else:
        console.print(f"{reference}: other_agency_hold = {view['other_agency_hold']}, client = {view['client']} "
                      f"(version {view['version']})", highlight=False)  # fmt: skip


@app.command()
def event(
    reference: str = typer.Argument(...),
    name: str = typer.Argument(..., help="Event, e.g. detention, release, seizure-notice-mailed."),
    date: str = typer.Option(..., "--date", help="When it happened, YYYY-MM-DD."),
    quantity: int | None = typer.Option(None, "--quantity", help="Units affected (default: all)."),
    from_state: str | None = typer.Option(None, "--from-state", help="Source state when ambiguous."),
    data: str | None = typer.Option(None, "--data", help='JSON object of event details, e.g. \'{"notice": "X"}\'.'),
    as_json: bool = JSON,
) -> None:
    """Record a customs event; refused if not allowed from the current state."""
    from rigport.services.shipments import record_event

    payload: dict[str, Any] = {}
    if data:
        try:
            payload = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InputError(f"--data: expected a JSON object, got {data!r} ({exc.msg})") from None
        if not isinstance(payload, dict):
            raise InputError("--data: expected a JSON object")
    view = record_event(
        reference, name, parse_date(date, "--date"), ACTOR, quantity=quantity, from_state=from_state, data=payload
    )
    if as_json:
        print_json(view)
    else:
        console.print(
            f"{reference}: {name} recorded; units by state: "
            + ", ".join(f"{s} {n:,}" for s, n in view["quantities"].items()),
            highlight=False,
        )


@app.command()
def audit(reference: str = typer.Argument(...), as_json: bool = JSON) -> None:
    """Who changed what, when (append-only)."""
    from rigport.services.shipments import audit_trail

    rows = audit_trail(reference)
    if as_json:
        print_json(rows)
    else:
        print_table(
            f"Audit trail of {reference}", ["at", "actor", "action"],
            [(instant(r["at"]), r["actor"], r["action"]) for r in rows], keep=["at"],
        )  # fmt: skip


@app.command()
def attach(
    reference: str = typer.Argument(..., help="Stored shipment reference."),
    file: Path = typer.Argument(..., help="The evidence: a PDF, PNG or JPEG (checked by its content)."),
    kind: str = typer.Option(..., "--kind", help="fcc_sdoc, test_report, packing_list, commercial_invoice, ..."),
    lab: str = typer.Option("", "--lab", help="The lab that issued a test report (required for test_report)."),
    doc_reference: str = typer.Option("", "--doc-reference", help="The document's own number, if any."),
    date: str | None = typer.Option(None, "--date", help="The document's date, YYYY-MM-DD."),
    as_json: bool = JSON,
) -> None:
    """Attach an evidence file to a shipment: the checklist, hold risk and packet count it at once."""
    from rigport.services.evidence import attach_document
    from rigport.settings import get_settings

    limit = get_settings().max_document_bytes
    if not file.is_file():
        raise InputError(f"{file}: file not found", field="file")
    if file.stat().st_size > limit:  # refused before reading it
        raise InputError(f"{file}: {file.stat().st_size:,} bytes, more than the {limit:,}-byte limit "
                         "(RIGPORT_MAX_DOCUMENT_BYTES)", field="file")  # fmt: skip
    when = parse_date(date, "--date") if date else None
    view = attach_document(reference, kind, file.name, file.read_bytes(), ACTOR, lab_name=lab,
                           doc_reference=doc_reference, date=when)  # fmt: skip
    if as_json:
        print_json(view)
        return
    stored = view["file"]
    assert stored is not None
    console.print(f"attached {stored['filename']} ({stored['media_type']}, {stored['size_bytes']:,} bytes) to "
                  f"{reference} as {view['kind']} (document {view['id']}, sha256 {stored['sha256'][:12]}…)",
                  highlight=False)  # fmt: skip


@import_app.command("manifest")
def import_manifest(
    file: Path = typer.Argument(..., help="CSV or XLSX invoice / packing list."),
    shipment: str = typer.Option(..., "--shipment", help="Shipment reference to add the line items to."),
    client: str | None = typer.Option(None, "--client", help="The shipment's client: refused if it is another's."),
    as_json: bool = JSON,
) -> None:
    """Add line items (with serial numbers) to a shipment: all rows or none."""
    from rich.progress import BarColumn, Progress, TextColumn

    from rigport.services.manifest import import_manifest as run_import

    if not file.is_file():
        raise InputError(f"{file}: file not found")
    data = file.read_bytes()
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,} rows"),
                  console=console, transient=True, disable=as_json) as progress:  # fmt: skip
        task = progress.add_task(f"checking {file.name}", total=None)
        result = run_import(
            data, str(file), shipment, ACTOR, progress=lambda done, _total: progress.update(task, completed=done),
            client=client,
        )
    if as_json:
        print_json(result)
    else:
        console.print(
            f"imported {result['lines']:,} lines ({result['units']:,} units, "
            f"${result['value_usd']:,.2f}) into {shipment}",
            highlight=False,
        )
        if not result["units_match_shipment"]:
            console.print(f"[yellow]note:[/] the shipment record says {result['shipment_total_units']:,} units")
