"""`rigport assess REF | --manifest FILE`: hold risk, evidence checklist, expected hold cost."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer

from rigport.entrypoints.cli.output import console, print_json, print_table, print_warnings
from rigport.errors import InputError


def assess_command(
    reference: str | None = typer.Argument(None, help="Stored shipment reference."),
    manifest: Path | None = typer.Option(
        None, "--manifest", help="Invoice / packing list (CSV or XLSX) not stored yet."
    ),
    documents: str = typer.Option(
        "", "--documents", help="With --manifest: evidence you hold, e.g. fcc_sdoc,packing_list."
    ),
    us_party: bool = typer.Option(
        False, "--us-responsible-party", help="With --manifest: a US responsible party exists."
    ),
    party: list[str] = typer.Option([], "--party", help="With --manifest: a party name to screen (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """How likely a hold is and why, which evidence is missing, and the expected cost of a hold."""
    from rigport.services.assess import assess_manifest, assess_shipment

    if (reference is None) == (manifest is None):
        raise InputError("give either a shipment REFERENCE or --manifest FILE")
    if manifest is not None:
        if not manifest.is_file():
            raise InputError(f"{manifest}: file not found")
        docs = [d.strip() for d in documents.split(",") if d.strip()]
        result: Mapping[str, Any] = assess_manifest(
            manifest.read_bytes(), str(manifest), documents=docs, us_responsible_party=us_party, parties=party
        )
    else:
        assert reference is not None
        result = assess_shipment(reference)
    if as_json:
        print_json(result)
        return
    console.print(
        f"hold risk: [bold]{result['level']}[/] ({result['probability']:.0%}); expected hold cost "
        f"${result['expected_hold_cost_usd']:,.2f} (if held: ${result['cost_if_held_usd']:,.2f})"
    )
    print_table(
        "Why",
        ["factor", "weight", "detail", "reason"],
        [(f["code"], f"+{f['weight']}", f["detail"], f["reason"]) for f in result["factors"]],
    )
    print_table(
        "Evidence",
        ["item", "status", "what to do", "citation"],
        [(e["label"], e["status"], e["action"], e["citation"]) for e in result["evidence"]],
    )
    print_warnings(result["warnings"])
