"""`rigport packet SHIPMENT_REF --output DIR`: the printable entry packet (HTML, and PDF when a browser exists)."""

from __future__ import annotations

from pathlib import Path

import typer

from rigport.entrypoints.cli.output import console, err_console, print_json


def packet_command(
    reference: str = typer.Argument(..., help="Stored shipment reference."),
    output: Path = typer.Option(..., "--output", "-o", help="Directory to write packet-<REF>.html (and .pdf) into."),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="Write the HTML only, do not try a PDF converter."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """Dossier for CBP or counsel: summary, line items, evidence, screening, landed cost, deadlines, petition."""
    from rigport.services.packet import write_packet

    result = write_packet(reference, output, pdf=not no_pdf)
    if as_json:
        print_json(result)
        return
    console.print(f"packet written to {result['html']}", highlight=False)
    if result["pdf"]:
        console.print(f"PDF written to {result['pdf']}", highlight=False)
    elif not no_pdf:
        err_console.print(f"note: {result['note']}", highlight=False)
    if result["petition_worksheet"]:
        console.print("includes a petition worksheet (units under seizure): complete the items marked TO ADD")
