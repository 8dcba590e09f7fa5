"""Use case: import a manifest (commercial invoice / packing list, CSV or XLSX) into a shipment, all or nothing.

Reading and checking the file are the domain's rules (`rigport.domain.customs.manifest`): every row is
checked before anything is written, and any problem means nothing is stored. This module adds what needs
the store: the lines and serials already stored for the shipment, and one transaction for the insert
(`ShipmentStore.add_line_items`: on the database column by column in multi-row INSERTs,
`adapters.db.repository.bulk_insert`). Each takes an optional `uow`, as `services.shipments` does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.tables import ShipmentRow
from rigport.domain.customs import manifest as rules
from rigport.domain.customs.manifest import COUNTRIES as COUNTRIES
from rigport.domain.customs.manifest import OPTIONAL_COLUMNS as OPTIONAL_COLUMNS
from rigport.domain.customs.manifest import REQUIRED_COLUMNS as REQUIRED_COLUMNS
from rigport.domain.customs.manifest import Lines, ParsedManifest, Progress
from rigport.domain.customs.manifest import ManifestError as ManifestError
from rigport.errors import InputError, NotFoundError
from rigport.services import clients
from rigport.services._unit import unit
from rigport.services.catalog import get_catalog
from rigport.settings import Settings


class ManifestImported(TypedDict):
    """`rigport import manifest --json` and `POST /api/v1/import`: what was added, and whether the units agree."""

    shipment: str
    client: str  # the shipment's client (issue #28)
    source: str
    lines: int
    units: int
    value_usd: Decimal
    shipment_total_units: int
    units_match_shipment: bool


def parse_manifest(
    data: bytes, source: str, settings: Settings | None = None, progress: Progress | None = None
) -> ParsedManifest:
    """Validate every row against the catalog in force; raise ManifestError listing all problems, or return
    the line items."""
    return rules.parse_manifest(data, source, get_catalog(settings), progress)


def check_manifest(
    data: bytes, source: str, settings: Settings | None = None, progress: Progress | None = None
) -> Lines:
    """Validate every row against the catalog in force; the lines column by column (see `rules.Lines`)."""
    return rules.check_manifest(data, source, get_catalog(settings), progress)



def insert_lines(
    uow: AbstractUnitOfWork, row: ShipmentRow, lines: Lines, source: str, actor: str, label: str
) -> None:
    """Add checked lines to a shipment inside the caller's transaction (nothing is committed here): refused with
    every clash (a line number or serial already stored) named, else inserted (in bulk on the database) and
    audited."""
    existing_lines = uow.shipments.line_numbers(row.id) if row.id is not None else set()
    stored_serials = uow.shipments.stored_serials(row.id) if row.id is not None else set()
    problems = []
    if existing_lines or stored_serials:  # nothing stored: nothing to clash
        for line_no, serials in zip(lines.line_no, lines.serials, strict=True):
            if line_no in existing_lines:
                problems.append(f"line {line_no}: line number already stored for {label}")
            problems += [
                f"line {line_no}, column serials: serial {s!r} is already stored for {label}"
                for s in serials
                if s in stored_serials
            ]
    if problems:
        raise ManifestError(source, problems)
    with rules.gc_paused():
        uow.shipments.add_line_items(row, lines)
    row.updated_at = dt.datetime.now(dt.UTC)  # new line items are a change to the shipment: its version moves
    uow.audit.record(actor, "import-manifest", "shipment", label, None,
                     {"source": Path(source).name, "lines": len(lines), "units": lines.units,
                      "value_usd": str(lines.value_usd)})  # fmt: skip


def import_manifest(
    data: bytes,
    source: str,
    shipment_reference: str,
    actor: str,
    settings: Settings | None = None,
    progress: Progress | None = None,
    client: str | None = None,
    *,
    uow: AbstractUnitOfWork | None = None,
) -> ManifestImported:
    """Parse, then insert every line item in one transaction (or none).

    With `client` (id or name), the shipment must be that client's: a manifest filed under the wrong importer
    is refused before anything is written. `uow`: the caller's unit of work (the fast tests' in-memory one), else
    the database's of `settings`."""
    settings = settings if settings is not None or uow is None else uow.settings  # the catalog it checks against
    lines = check_manifest(data, source, settings, progress)
    units, value_usd = lines.units, lines.value_usd
    with unit(settings, uow) as uow:
        row = uow.shipments.get(shipment_reference)
        if row is None:
            raise NotFoundError(f"shipment {shipment_reference!r} not found")
        if client is not None and client.strip():
            named = clients.find(uow, client)
            if named.id != row.client_id:
                raise InputError(f"shipment {row.reference!r} is not {named.name!r}'s", field="client")
        insert_lines(uow, row, lines, source, actor, row.reference)  # audited under the stored reference
        uow.commit()
    if progress:
        progress(len(lines), len(lines))
    return {
        "shipment": shipment_reference,
        "client": row.client.name,
        "source": Path(source).name,
        "lines": len(lines),
        "units": units,
        "value_usd": value_usd,
        "shipment_total_units": row.total_units,
        "units_match_shipment": units == row.total_units,
    }
