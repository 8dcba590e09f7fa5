"""Use case: find shipments (filter, search, sort, page) and take out tables of them (issue #30).

The filtering, searching, sorting and paging happen in the store (`adapters.db.shipment_search`), so a page
of a list of thousands costs one query and the page's rows, never a pass over every shipment in Python.
The next deadline, which the list can filter and sort by, is kept per shipment in `shipment_next_deadlines`;
it is brought up to date here before a query (only shipments changed since, or all of them after the clock
rules in force changed).

`export_table` gives the rows of a table of the current view (shipments, deadlines, costs, screening
results) as a stream, batch by batch, for `adapters.render.table_export` to write as CSV or XLSX.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from typing_extensions import TypedDict

from rigport.adapters.db import shipment_search as store
from rigport.adapters.db.shipment_reads import list_views
from rigport.adapters.db.uow import UnitOfWork
from rigport.domain.customs import clocks
from rigport.domain.customs.shipment_filter import ShipmentFilter, check_page
from rigport.errors import InputError
from rigport.services import clients
from rigport.services.shipment_views import ShipmentListRow, cost_of_delay, list_view, open_clocks
from rigport.settings import Settings

REFRESH_BATCH = 500  # shipments recomputed per query while bringing next deadlines up to date
EXPORT_BATCH = 500  # shipments read per query while exporting: memory stays bounded by this, not the book
TABLES = ("shipments", "deadlines", "costs", "screening")


class ShipmentPage(TypedDict):
    """One page of the filtered list, with how many shipments the filter keeps in all."""

    rows: list[ShipmentListRow]
    total: int
    limit: int
    offset: int


def rules_fingerprint() -> str:
    """Moves when the clock rules in force change (a user's RIGPORT_CLOCK_FILE), so stored deadlines are redone."""
    return hashlib.blake2b(repr(clocks.rules()).encode(), digest_size=12).hexdigest()


def refresh_next_deadlines(settings: Settings | None = None) -> int:
    """Recompute the stored next deadline of every shipment changed since it was computed; how many were."""
    rules, done = rules_fingerprint(), 0
    while True:
        with UnitOfWork(settings) as uow:
            ids = store.stale_deadlines(uow.session, rules, REFRESH_BATCH)
            if not ids:
                return done
            rows = []
            for row in uow.shipments.with_clock_data(ids):
                first = open_clocks(row)
                due = dt.date.fromisoformat(str(first[0]["due"])) if first else None
                rows.append((row.id, row.version, rules, due, str(first[0]["clock"]) if first else None))
            store.store_deadlines(uow.session, rows)
            uow.commit()
            done += len(rows)
            if len(ids) < REFRESH_BATCH:
                return done


def find_shipments(
    flt: ShipmentFilter,
    *,
    limit: int = 50,
    offset: int = 0,
    settings: Settings | None = None,
    today: dt.date | None = None,
) -> ShipmentPage:
    """One page of the shipments the filter keeps, in its order, and their number."""
    today = today or dt.date.today()
    flt = flt.checked()
    check_page(limit, offset)
    refresh_next_deadlines(settings)
    with UnitOfWork(settings) as uow:
        _check_client(uow, flt)
        total = store.count(uow.session, flt, today)
        page = store.page_versions(uow.session, flt, today, limit, offset)
        rows = list_views(uow, page, today, list_view)
    return {"rows": rows, "total": total, "limit": limit, "offset": offset}


def _check_client(uow: UnitOfWork, flt: ShipmentFilter) -> None:
    """An unknown client (or another's, for a scoped identity) is named as not found, rather than an empty list."""
    if flt.client:
        clients.find(uow, flt.client)


def filter_choices(settings: Settings | None = None) -> dict[str, list[str]]:
    """The ports, importers and clients (of the shipments the caller may see), for the dashboard's filter menus."""
    with UnitOfWork(settings) as uow:
        return store.facets(uow.session)


def iter_shipments(
    flt: ShipmentFilter, settings: Settings | None = None, today: dt.date | None = None
) -> Iterator[ShipmentListRow]:
    """Every shipment the filter keeps, in its order, read EXPORT_BATCH at a time (keyset-free paging is fine:
    an export is a snapshot of a moment, and each batch is its own short transaction)."""
    today = today or dt.date.today()
    offset = 0
    while True:
        batch = find_shipments(flt, limit=EXPORT_BATCH, offset=offset, settings=settings, today=today)["rows"]
        yield from batch
        if len(batch) < EXPORT_BATCH:
            return
        offset += EXPORT_BATCH


# --- tables of the current view ----------------------------------------------------------------------


class ExportTable(TypedDict):
    """A table to write: its name (the file's), its columns, and its rows as a stream of plain values."""

    name: str
    columns: list[str]
    rows: Iterator[Sequence[Any]]


SHIPMENT_COLUMNS = [
    "reference", "mode", "port", "carrier", "transport_doc", "arrival_date", "entry_number", "importer_of_record",
    "state", "units_by_state", "total_units", "declared_value_usd", "next_deadline_due", "next_deadline_clock",
    "next_deadline_days_left", "next_deadline_overdue",
]  # fmt: skip
DEADLINE_COLUMNS = ["shipment", "port", "clock", "due", "days_left", "overdue", "may_not_apply", "kind", "event",
                    "starts_from", "citation", "note"]  # fmt: skip
COST_COLUMNS = [
    "shipment", "port", "state", "total_units", "declared_value_usd", "held_units", "days_held",
    "cost_per_day_usd", "cost_to_date_usd", "forgone_to_date_usd", "storage_accrued_usd", "storage_alert",
]  # fmt: skip
SCREENING_COLUMNS = ["shipment", "run_id", "screened_at", "subject", "role", "status", "list", "entry_ids",
                     "listed_name", "matched_name", "score", "relation", "programs"]  # fmt: skip


def _shipment_rows(rows: Iterator[ShipmentListRow]) -> Iterator[Sequence[Any]]:
    for r in rows:
        d = r["next_deadline"]
        yield [
            r["reference"], r["mode"], r["port"], r["carrier"], r["transport_doc"], r["arrival_date"],
            r["entry_number"], r["importer_of_record"], r["state"],
            "; ".join(f"{s} {n}" for s, n in r["quantities"].items()), r["total_units"], r["declared_value_usd"],
            d["due"] if d else None, d["clock"] if d else None, d["days_left"] if d else None,
            d["overdue"] if d else None,
        ]  # fmt: skip


def _by_rows(
    flt: ShipmentFilter, settings: Settings | None, today: dt.date, make: Callable[[Any], Iterator[Sequence[Any]]]
) -> Iterator[Sequence[Any]]:
    """Rows made from each stored shipment the filter keeps (loaded with its events), batch by batch."""
    offset = 0
    flt = flt.checked()
    refresh_next_deadlines(settings)
    while True:
        with UnitOfWork(settings) as uow:
            page = store.page_versions(uow.session, flt, today, EXPORT_BATCH, offset)
            found = {row.id: row for row in uow.shipments.with_clock_data([i for i, _ in page])} if page else {}
            out = [line for i, _ in page for line in make(found[i])]
        yield from out
        if len(page) < EXPORT_BATCH:
            return
        offset += EXPORT_BATCH


def export_table(
    table: str, flt: ShipmentFilter, settings: Settings | None = None, today: dt.date | None = None
) -> ExportTable:
    """The rows of one table of the current view, streamed. The filter is checked here, before any row."""
    today = today or dt.date.today()
    flt = flt.checked()
    with UnitOfWork(settings) as uow:  # before the first row is asked for: a streamed response has started by then
        _check_client(uow, flt)
    if table == "shipments":
        return {"name": "shipments", "columns": SHIPMENT_COLUMNS,
                "rows": _shipment_rows(iter_shipments(flt, settings, today))}  # fmt: skip
    if table == "deadlines":
        def deadlines(row: Any) -> Iterator[Sequence[Any]]:
            for c in open_clocks(row, today):
                yield [row.reference, row.port, c["clock"], c["due"], c["days_left"], c["overdue"],
                       c["may_not_apply"], c["kind"], c["event"], c["starts_from"], c["citation"],
                       c["note"]]  # fmt: skip

        return {"name": "deadlines", "columns": DEADLINE_COLUMNS, "rows": _by_rows(flt, settings, today, deadlines)}
    if table == "costs":
        from rigport.settings import get_settings

        resolved = settings or get_settings()

        def costs(row: Any) -> Iterator[Sequence[Any]]:
            c = cost_of_delay(row, resolved, today)
            yield [row.reference, row.port, row.primary_state, row.total_units, row.declared_value_usd,
                   c["held_units"], c["days_held"], c["cost_per_day_usd"], c["cost_to_date_usd"],
                   c["forgone_to_date_usd"], c["storage_accrued_usd"], c["storage_alert"]]  # fmt: skip

        return {"name": "costs", "columns": COST_COLUMNS, "rows": _by_rows(flt, settings, today, costs)}
    if table == "screening":
        return {"name": "screening", "columns": SCREENING_COLUMNS,
                "rows": _screening_rows(iter_shipments(flt, settings, today), settings)}  # fmt: skip
    raise InputError(f"expected one of {', '.join(TABLES)}, got {table!r}", field="table")


def _screening_rows(rows: Iterator[ShipmentListRow], settings: Settings | None) -> Iterator[Sequence[Any]]:
    """The latest stored screening of each shipment: a row per listed party matched, or one per clear subject.
    Shipments never screened have no rows."""
    from rigport.services.screening import latest_shipment_screening

    for r in rows:
        result = latest_shipment_screening(r["reference"], settings)
        if result is None:
            continue
        head = [r["reference"], result["run_id"], result["screened_at"]]
        for s in result["subjects"]:
            if not s["matches"]:
                yield [*head, s["subject"], s["role"], s["status"], None, None, None, None, None, None, None]
            for m in s["matches"]:
                yield [*head, s["subject"], s["role"], m["status"], m["list"], "; ".join(m["entry_ids"]),
                       m["name"], m["matched_name"], m["score"], m["relation"], "; ".join(m["programs"])]  # fmt: skip
