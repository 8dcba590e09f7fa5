"""Use cases of the system of record: create, list, read, update shipments and record customs events.

Entry points (CLI, API, dashboard) call these; they return plain dicts ready for JSON. Each command runs in one
unit of work; the row mapping lives in `adapters.db.shipment_mapping`, the read views in `services.shipment_views`.
Each takes an optional `uow` (any `AbstractUnitOfWork`): the database's by default, the in-memory one in the fast
service tests (docs/architecture.md, "Tests in layers").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db import lookups
from rigport.adapters.db import scope as client_scope
from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.shipment_mapping import (
    DocumentView,
    Instant,
    PartyView,
    document_view,
    event_view,
    is_voided,
    new_row,
    party_view,
    summary,
    to_domain,
    write_quantities,
)
from rigport.adapters.db.shipment_reads import get_row, list_views
from rigport.adapters.db.tables import DocumentRow, EventRow, PartyRow, ShipmentRow
from rigport.domain.customs.lifecycle import TRANSITIONS, apply_event, states_since
from rigport.domain.customs.manifest import Lines
from rigport.domain.customs.model import (
    DOCUMENT_KINDS,
    EDITABLE_FIELDS,
    MONEY_FIELDS,
    OPTIONAL_FIELDS,
    PARTY_ROLES,
    RECORD_FIELDS,
    Mode,
    Shipment,
    State,
    check_hts,
    check_record_date,
    normalize_reference,
)
from rigport.domain.customs.ports import latest_event_date
from rigport.domain.customs.shipment_filter import ShipmentFilter, check_page
from rigport.errors import ConcurrentChangeError, ConflictError, InputError, NotFoundError, TooLargeError
from rigport.services import clients
from rigport.services._unit import unit
from rigport.services.delay import delay_inputs
from rigport.services.evidence import forget_file
from rigport.services.manifest import insert_lines
from rigport.services.shipment_search import find_shipments
from rigport.services.shipment_views import ShipmentDetail, ShipmentListRow, detail
from rigport.services.shipment_views import list_view as list_view  # one list row, as tests and callers make it
from rigport.settings import Settings

CENT = Decimal("0.01")
ChildView = TypeVar("ChildView", PartyView, DocumentView)


class EventPreview(TypedDict):
    """What recording an event would do, shown before a confirmation (`preview_event`)."""

    event: str
    occurred_on: dt.date
    units: int
    from_state: str
    to_state: str | None
    total_units: int
    value_usd: Decimal
    version: int


class AuditEntry(TypedDict):
    id: int
    at: Instant
    actor: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
MAX_UNITS = 10_000_000  # as the API's schema says
MAX_MONEY = Decimal(10) ** 14  # Numeric(16, 2) columns
MAX_DATA_DEPTH = 16  # levels of nesting in an event's free-form `data`
MAX_DATA_BYTES = 64 * 1024  # its size as JSON


def check_event_data(data: dict[str, Any] | None) -> None:
    """An event's `data` is a small note, not a store: depth and size are capped before anything is written.

    Without a cap, `data` nested 500 deep committed and then broke every read of the shipment (RecursionError
    while rendering it) and 20 MiB was accepted (issue #26). Depth is measured without recursion.
    """
    if not data:
        return
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DATA_DEPTH:
            raise InputError(f"data: nested too deep (more than {MAX_DATA_DEPTH} levels of objects and lists)")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list | tuple):
            stack.extend((v, depth + 1) for v in value)
    size = len(json.dumps(data, default=str, ensure_ascii=False).encode())
    if size > MAX_DATA_BYTES:
        raise TooLargeError(f"data: {size:,} bytes as JSON, more than the {MAX_DATA_BYTES:,} bytes an event keeps")


@dataclass
class ShipmentDraft:
    """What a person types to open a shipment record: the domain's recorded fields (`RECORD_FIELDS`, with the
    same defaults; tests/customs/test_shipment_fields.py checks) as typed, and the parties."""

    reference: str
    mode: str
    port: str
    arrival_date: dt.date
    total_units: int
    declared_value_usd: Decimal
    carrier: str = ""
    transport_doc: str = ""
    entry_number: str = ""
    importer_of_record: str = ""
    other_agency_hold: bool = False
    storage_usd_per_unit_day: Decimal = Decimal(0)
    storage_facility: str = ""
    storage_pallets: int | None = None
    storage_usd_per_pallet_day: Decimal | None = None
    parties: list[dict[str, str]] = field(default_factory=list)

    def validate(self) -> None:
        self.reference = normalize_reference(self.reference)  # NFKC, trimmed, upper case, a small alphabet
        if self.mode not in (m.value for m in Mode):
            raise InputError(f"mode: expected vessel or air, got {self.mode!r}")
        check_record_date(self.arrival_date, "arrival_date", dt.date.today())
        if not self.port.strip():
            raise InputError("port: expected the port of entry, got nothing")
        if not 1 <= self.total_units <= MAX_UNITS:
            raise InputError(f"total_units: expected 1 to {MAX_UNITS:,} units, got {self.total_units}")
        for name in ("declared_value_usd", "storage_usd_per_unit_day"):
            value = getattr(self, name)
            if not value.is_finite() or not 0 <= value < MAX_MONEY:
                raise InputError(f"{name}: expected 0 or more, below {MAX_MONEY:,}, got {value}")
        check_pallet_storage(self.storage_pallets, self.storage_usd_per_pallet_day)
        for n, party in enumerate(self.parties, start=1):
            if party.get("role") not in PARTY_ROLES:
                raise InputError(
                    f"parties[{n}].role: expected one of {', '.join(PARTY_ROLES)}, got {party.get('role')!r}"
                )
            if not str(party.get("name", "")).strip():
                raise InputError(f"parties[{n}].name: expected a name, got nothing")


def check_pallet_storage(pallets: int | None, rate: Decimal | None) -> None:
    """A pallet rate needs a pallet count and the other way round; neither may be negative."""
    if (pallets is None) != (rate is None):
        raise InputError("storage_pallets and storage_usd_per_pallet_day: give both, or neither")
    if pallets is not None and not 0 <= pallets <= MAX_UNITS:
        raise InputError(f"storage_pallets: expected 0 to {MAX_UNITS:,}, got {pallets}")
    if rate is not None and (not rate.is_finite() or not 0 <= rate < MAX_MONEY):
        raise InputError(f"storage_usd_per_pallet_day: expected 0 or more, below {MAX_MONEY:,}, got {rate}")


# --- use cases ---------------------------------------------------------------------------------


def create_shipment(
    draft: ShipmentDraft, actor: str, settings: Settings | None = None, client: str | None = None, *,
    uow: AbstractUnitOfWork | None = None, lines: Lines | None = None, lines_source: str = "line items",
) -> ShipmentDetail:
    """Open a shipment record for `client` (id or name; see `clients.for_new_shipment` when it is left out); with
    `lines` (a checked manifest) its line items go in the same transaction, so the shipment is created with all
    its lines or not at all (the dashboard's form, issue #30)."""
    draft.validate()
    with unit(settings, uow) as uow:
        owner = clients.for_new_shipment(uow, client)
        if uow.shipments.exists(draft.reference):  # across clients: references are unique in the book
            raise ConflictError(f"shipment {draft.reference!r} already exists")
        recorded = {name: getattr(draft, name) for name in RECORD_FIELDS}
        shipment = Shipment(**{**recorded, "mode": Mode(draft.mode), "port": draft.port.strip()})
        row = new_row(shipment)
        row.client_id, row.client = owner.id, owner
        for party in draft.parties:
            row.parties.append(
                PartyRow(
                    role=party["role"],
                    name=party["name"].strip(),
                    country=party.get("country", "").upper(),
                    address=party.get("address", ""),
                )
            )
        row.events.append(
            EventRow(
                event="arrival",
                occurred_on=draft.arrival_date,
                quantity=draft.total_units,
                from_state=None,
                to_state=State.ARRIVED.value,
                actor=actor,
                data={},
            )
        )
        uow.shipments.add(row)
        uow.flush()
        uow.audit.record(actor, "create", "shipment", row.reference, None, summary(row))
        if lines is not None:
            insert_lines(uow, row, lines, lines_source, actor, row.reference)  # row.line_items reads them after
            uow.flush()
        view = detail(row, uow.settings)  # every derived value before the commit: an error here stores nothing
        uow.commit()
        return view


def get_shipment(
    reference: str, settings: Settings | None = None, today: dt.date | None = None, *,
    uow: AbstractUnitOfWork | None = None,
) -> ShipmentDetail:  # fmt: skip
    with unit(settings, uow) as uow:
        return detail(get_row(uow, reference), uow.settings, today)


async def detail_key(reference: str, settings: Settings, today: dt.date | None = None) -> tuple[Any, ...]:
    """Everything `get_shipment` is computed from, read with one indexed query instead of the whole shipment.

    Equal keys mean equal views, so a cache may answer with a stored view: every change to a shipment or its
    children bumps its version, days left and costs depend on the date, costs on the catalog and network data.
    Async: the API awaits it on its event loop (`lookups.read_values_async`).
    """
    found = await lookups.shipment_version(settings, reference)
    if found is None and reference != (canonical := _canonical_or_same(reference)):
        reference, found = canonical, await lookups.shipment_version(settings, canonical)
    scope = client_scope.current()
    if found is None or not scope.allows(found[1]):  # this read is outside the unit of work: scope it here
        raise NotFoundError(f"shipment {reference!r} not found")
    return ("shipment", reference, found[0], today or dt.date.today(), delay_inputs(settings), scope.label)


def _canonical_or_same(reference: str) -> str:
    try:
        return normalize_reference(reference)
    except InputError:
        return reference


async def list_key(settings: Settings, today: dt.date | None = None) -> tuple[Any, ...]:
    """What every list view is computed from (shipments with their versions, and the date); see detail_key."""
    scope = client_scope.current().label  # a scoped caller's list is another view than the broker's
    return ("shipments", await lookups.shipments_fingerprint(settings), today or dt.date.today(), scope)


def list_shipments(
    *,
    state: str | None = None,
    port: str | None = None,
    client: str | None = None,
    due_within_days: int | None = None,
    limit: int = 100,
    offset: int = 0,
    settings: Settings | None = None,
    today: dt.date | None = None,
    flt: ShipmentFilter | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> list[ShipmentListRow]:
    """A page of shipments: `state`, `port` and `due_within_days` as before, or a whole `ShipmentFilter`
    (search, importer, sort) with them folded in; filtered, sorted and paged in the database's query
    (`services.shipment_search`). A caller's unit of work (the in-memory one of the fast service tests) gets
    the `ShipmentStore` protocol's page instead: state, port and due within N days, in arrival order."""
    given: dict[str, Any] = {"state": state, "port": port, "client": client, "due_within": due_within_days}
    flt = dataclasses.replace(flt or ShipmentFilter(), **{k: v for k, v in given.items() if v is not None})
    if due_within_days is not None and due_within_days < 0:
        raise InputError(f"due_within_days: expected 0 or more, got {due_within_days}")
    if uow is None:
        return find_shipments(flt, limit=limit, offset=offset, settings=settings, today=today)["rows"]
    flt, today = flt.checked(), today or dt.date.today()
    check_page(limit, offset)
    with uow:
        client_id = clients.find(uow, flt.client).id if flt.client else None
        page = uow.shipments.page_versions(state=flt.state or None, port=flt.port or None, limit=limit,
                                           offset=offset, client_id=client_id)  # fmt: skip
        views = list_views(uow, page, today, list_view)
    if flt.due_within is not None:
        views = [v for v in views if v["next_deadline"] and v["next_deadline"]["days_left"] <= flt.due_within]
    return views


def update_shipment(
    reference: str,
    changes: dict[str, Any],
    actor: str,
    expected_version: int | None = None,
    settings: Settings | None = None,
    *,
    uow: AbstractUnitOfWork | None = None,
) -> ShipmentDetail:
    changes = dict(changes)
    move_to = changes.pop("client", None)  # another client (id or name): the shipment moves to it
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InputError(f"{sorted(unknown)[0]}: not an editable field; editable: {', '.join(EDITABLE_FIELDS)}, "
                         "client")  # fmt: skip
    with unit(settings, uow) as uow:
        row = get_row(uow, reference)
        if expected_version is not None and row.version != expected_version:
            raise ConflictError(
                f"shipment {reference} is at version {row.version}, not {expected_version}: reload it and try again"
            )
        before = summary(row)
        if move_to is not None:
            owner = clients.for_new_shipment(uow, str(move_to))  # seen by the caller's scope, and not archived
            row.client_id, row.client = owner.id, owner
            row.updated_at = dt.datetime.now(dt.UTC)
        for name, value in changes.items():
            if value is None and name not in OPTIONAL_FIELDS:  # every other editable field is required in the record
                raise InputError(f"{name}: expected a value, got null")
            if value is not None and name in MONEY_FIELDS:
                try:
                    value = Decimal(str(value))
                except InvalidOperation:
                    raise InputError(f"{name}: expected a USD amount, got {value!r}") from None
                if not value.is_finite() or not 0 <= value < MAX_MONEY:
                    raise InputError(f"{name}: expected 0 or more, below {MAX_MONEY:,}, got {value}")
            if value is not None and name == "storage_pallets" and (
                isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_UNITS
            ):
                raise InputError(f"storage_pallets: expected a whole number from 0 to {MAX_UNITS:,}, got {value!r}")
            setattr(row, name, value)
        check_pallet_storage(row.storage_pallets, row.storage_usd_per_pallet_day)
        uow.flush()
        uow.audit.record(actor, "update", "shipment", reference, before, summary(row))
        view = detail(row, uow.settings)  # every derived value before the commit: an error here stores nothing
        uow.commit()
        return view


def record_event(
    reference: str,
    event: str,
    occurred_on: dt.date,
    actor: str,
    *,
    quantity: int | None = None,
    from_state: str | None = None,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
    settings: Settings | None = None,
    now: dt.datetime | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> ShipmentDetail:
    """Apply a customs event to some or all units; refused events change nothing.

    The date may not be after the port's today (plus a day) nor before the event that brought the units to
    their state (customs.lifecycle.check_date); `now` stands in for the clock in tests.

    Without `expected_version` the caller asks for the event on the shipment as it is now, so when another
    writer commits first (a version conflict) the event is re-checked against the new state and applied
    again, a few times; with it, the conflict is the caller's to resolve (409).
    """
    for attempt in range(1, UNVERSIONED_ATTEMPTS + 1):
        try:
            return _record_event_once(reference, event, occurred_on, actor, quantity=quantity,
                                      from_state=from_state, data=data, expected_version=expected_version,
                                      settings=settings, now=now, uow=uow)  # fmt: skip
        except ConcurrentChangeError:
            if expected_version is not None or attempt == UNVERSIONED_ATTEMPTS:
                raise
            time.sleep(random.uniform(0, 0.005 * attempt))  # let the winner's commit land; spread the retries
    raise AssertionError("unreachable")


UNVERSIONED_ATTEMPTS = 5


def _record_event_once(
    reference: str,
    event: str,
    occurred_on: dt.date,
    actor: str,
    *,
    quantity: int | None,
    from_state: str | None,
    data: dict[str, Any] | None,
    expected_version: int | None,
    settings: Settings | None,
    now: dt.datetime | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> ShipmentDetail:
    if event not in TRANSITIONS:
        raise InputError(f"event: expected one of {', '.join(TRANSITIONS)}, got {event!r}")
    check_event_data(data)
    source = None
    if from_state is not None:
        if from_state.upper() not in State.__members__:
            raise InputError(f"from_state: expected one of {', '.join(State.__members__)}, got {from_state!r}")
        source = State(from_state.upper())
    with unit(settings, uow) as uow:
        row = get_row(uow, reference)
        if expected_version is not None and row.version != expected_version:
            raise ConflictError(
                f"shipment {reference} is at version {row.version}, not {expected_version}: reload it and try again"
            )
        before = summary(row)
        shipment = to_domain(row)
        transition = apply_event(
            shipment, event, occurred_on, actor=actor, quantity=quantity, from_state=source, data=data,
            since=_since(uow, row), latest=latest_event_date(row.port, now),
        )
        write_quantities(row, shipment)
        # Added by shipment id, not appended to `row.events`: appending loads the whole history first, and
        # inside the write transaction (after the quantities' autoflush), so every writer queued behind a
        # load that grows with the history. The view below reads the events after the commit.
        uow.shipments.add_event(row, EventRow(
            event=transition.event, occurred_on=transition.occurred_on,
            quantity=transition.quantity,
            from_state=transition.from_state.value,
            to_state=transition.to_state.value if transition.to_state else None,
            actor=actor, data=transition.data,
        ))  # fmt: skip
        row.updated_at = dt.datetime.now(dt.UTC)  # bumps the version even for clock-only events
        uow.flush()
        uow.audit.record(actor, f"event:{event}", "shipment", reference, before, summary(row))
        # Every derived value (clocks, costs, the view) before the commit, so a failure there stores nothing and
        # a client never retries an event that was applied (issue #26). The history is read here, inside the
        # write transaction: that costs some lock time, and is the price of never answering 500 after a commit.
        uow.shipments.reload_events(row)
        view = detail(row, uow.settings)
        uow.commit()
        return view


def _replay(row: ShipmentRow, without: EventRow) -> Shipment:
    """The shipment as its events other than `without` (and those already voided) leave it, in recorded order.

    Each event is applied again with its quantity and source state; one that no longer holds (it moved units
    the voided event had brought) refuses the void. Dates are not checked again: taking an event away only
    makes what the others follow earlier, so a date refused here would be one recorded before the check
    existed, and not this void's doing.
    """
    shipment = dataclasses.replace(to_domain(row), quantities={})  # all units back at arrival
    for e in row.events:
        if e is without or is_voided(e) or e.from_state is None:
            continue
        try:
            apply_event(shipment, e.event, e.occurred_on, actor=e.actor, quantity=e.quantity,
                        from_state=State(e.from_state))  # fmt: skip
        except (ConflictError, InputError) as exc:
            raise ConflictError(
                f"event {without.id} ({without.event} on {without.occurred_on}) cannot be voided: event {e.id} "
                f"({e.event} on {e.occurred_on}, {e.quantity:,} units) depends on it — {exc}. Void that one first."
            ) from None
    return shipment


def void_event(
    reference: str,
    event_id: int,
    reason: str,
    actor: str,
    *,
    expected_version: int | None = None,
    settings: Settings | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> ShipmentDetail:
    """Void a mistaken event: it stays in the history, marked with who, when and why, and stops counting.

    State, quantities, clocks and costs are recomputed from the remaining events. A void that would leave an
    impossible history (a later event moved the units it brought) is refused with the reason; nothing changes.
    An event is amended by voiding it and recording the right one.
    """
    reason = reason.strip()
    if not reason:
        raise InputError("reason: say why the event is voided (it is kept in the history and the audit log)")
    if len(reason) > 500:
        raise InputError(f"reason: expected at most 500 characters, got {len(reason)}")
    with unit(settings, uow) as uow:
        row = get_row(uow, reference)
        if expected_version is not None and row.version != expected_version:
            raise ConflictError(
                f"shipment {reference} is at version {row.version}, not {expected_version}: reload it and try again"
            )
        event = next((e for e in row.events if e.id == event_id), None)
        if event is None:
            raise NotFoundError(f"event {event_id} not found on shipment {reference!r}")
        if event.from_state is None:
            raise ConflictError(f"event {event_id} is the shipment's arrival; it cannot be voided")
        if is_voided(event):
            raise ConflictError(f"event {event_id} was already voided on {event.voided_at:%Y-%m-%d} by "
                                f"{event.voided_by}: {event.void_reason}")  # fmt: skip
        before = {**summary(row), "event": event_view(event)}
        shipment = _replay(row, event)
        event.voided_at, event.voided_by, event.void_reason = dt.datetime.now(dt.UTC), actor, reason
        write_quantities(row, shipment)
        row.updated_at = dt.datetime.now(dt.UTC)
        uow.flush()
        uow.audit.record(actor, f"void:{event.event}", "shipment", reference, before,
                         {**summary(row), "event": event_view(event)})  # fmt: skip
        view = detail(row, uow.settings)  # every derived value before the commit: an error here stores nothing
        uow.commit()
        return view


def _since(uow: AbstractUnitOfWork, row: ShipmentRow) -> dict[State, tuple[dt.date, str]]:
    """For each state, the latest event that brought units into it: what a new event's date must not precede."""
    return states_since(row.arrival_date, (
        (on, name, State(state) if state else None) for on, name, state in uow.shipments.event_states(row.id)
    ))  # fmt: skip


# Events that take goods away for good (or start doing so): the dashboard asks for a confirmation showing
# the units and their value before recording one (issue #25).
CONFIRM_EVENTS = frozenset({"seizure-notice-mailed", "forfeiture-notice-published", "forfeiture", "abandon", "destroy"})


def preview_event(
    reference: str,
    event: str,
    occurred_on: dt.date,
    *,
    quantity: int | None = None,
    from_state: str | None = None,
    settings: Settings | None = None,
    now: dt.datetime | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> EventPreview:
    """What recording the event would do — units, states, their declared value — with every check
    `record_event` makes, and nothing written: what a confirmation shows."""
    if event not in TRANSITIONS:
        raise InputError(f"event: expected one of {', '.join(TRANSITIONS)}, got {event!r}")
    if from_state is not None and from_state.upper() not in State.__members__:
        raise InputError(f"from_state: expected one of {', '.join(State.__members__)}, got {from_state!r}")
    with unit(settings, uow) as uow:
        row = get_row(uow, reference)
        shipment = to_domain(row)
        t = apply_event(shipment, event, occurred_on, actor="preview", quantity=quantity,
                        from_state=State(from_state.upper()) if from_state else None, since=_since(uow, row),
                        latest=latest_event_date(row.port, now))  # fmt: skip
        per_unit = row.declared_value_usd / row.total_units if row.total_units else Decimal(0)
        return {
            "event": event, "occurred_on": occurred_on, "units": t.quantity, "from_state": t.from_state.value,
            "to_state": t.to_state.value if t.to_state else None, "total_units": row.total_units,
            "value_usd": (per_unit * t.quantity).quantize(CENT, ROUND_HALF_UP), "version": row.version,
        }  # fmt: skip


def add_document(
    reference: str,
    kind: str,
    actor: str,
    *,
    date: dt.date | None = None,
    doc_reference: str = "",
    lab_name: str = "",
    notes: str = "",
    settings: Settings | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> DocumentView:
    if kind not in DOCUMENT_KINDS:
        raise InputError(f"kind: expected one of {', '.join(DOCUMENT_KINDS)}, got {kind!r}")
    if date is not None:
        check_record_date(date, "date", dt.date.today())
    with unit(settings, uow) as uow:
        row = get_row(uow, reference)
        doc = DocumentRow(kind=kind, date=date, reference=doc_reference, lab_name=lab_name, notes=notes)
        row.documents.append(doc)
        row.updated_at = dt.datetime.now(dt.UTC)
        uow.flush()
        uow.audit.record(actor, "add-document", "shipment", reference, None, document_view(doc))
        uow.commit()
        return document_view(doc)


def add_party(
    reference: str,
    role: str,
    name: str,
    actor: str,
    *,
    country: str = "",
    address: str = "",
    settings: Settings | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> PartyView:
    if role not in PARTY_ROLES:
        raise InputError(f"role: expected one of {', '.join(PARTY_ROLES)}, got {role!r}")
    if not name.strip():
        raise InputError("name: expected a name, got nothing")
    with unit(settings, uow) as uow:
        row = get_row(uow, reference)
        party = PartyRow(role=role, name=name.strip(), country=country.upper(), address=address)
        row.parties.append(party)
        row.updated_at = dt.datetime.now(dt.UTC)
        uow.flush()
        view: PartyView = {"id": party.id, "role": role, "name": party.name, "country": party.country,
                           "address": address}  # fmt: skip
        uow.audit.record(actor, "add-party", "shipment", reference, None, view)
        uow.commit()
        return view


def _child(rows: list[Any], child_id: int, what: str, reference: str) -> Any:
    found = next((r for r in rows if r.id == child_id), None)
    if found is None:
        raise NotFoundError(f"{what} {child_id} not found on shipment {reference!r}")
    return found


def update_party(
    reference: str, party_id: int, changes: dict[str, Any], actor: str, settings: Settings | None = None, *,
    uow: AbstractUnitOfWork | None = None,
) -> PartyView:  # fmt: skip
    """Correct a party's role, name, country or address; the change is audited and bumps the version."""
    unknown = set(changes) - {"role", "name", "country", "address"}
    if unknown:
        raise InputError(f"{sorted(unknown)[0]}: not an editable party field (role, name, country, address)")
    if "role" in changes and changes["role"] not in PARTY_ROLES:
        raise InputError(f"role: expected one of {', '.join(PARTY_ROLES)}, got {changes['role']!r}")
    if "name" in changes and not str(changes["name"] or "").strip():
        raise InputError("name: expected a name, got nothing")
    def party_value(name: str, value: Any) -> Any:
        text = str(value or "").strip()
        return text.upper() if name == "country" else text

    return _update_child(reference, "parties", party_id, "party", party_view, changes, party_value, actor,
                         unit(settings, uow))  # fmt: skip


def remove_party(
    reference: str, party_id: int, actor: str, settings: Settings | None = None, *,
    uow: AbstractUnitOfWork | None = None,
) -> PartyView:  # fmt: skip
    return _remove_child(reference, "parties", party_id, "party", party_view, actor, unit(settings, uow))


def update_document(
    reference: str, document_id: int, changes: dict[str, Any], actor: str, settings: Settings | None = None, *,
    uow: AbstractUnitOfWork | None = None,
) -> DocumentView:  # fmt: skip
    """Correct a document's kind, date, reference, lab or notes (e.g. the lab named on a test report)."""
    unknown = set(changes) - {"kind", "date", "reference", "lab_name", "notes"}
    if unknown:
        raise InputError(f"{sorted(unknown)[0]}: not an editable document field (kind, date, reference, "
                         "lab_name, notes)")  # fmt: skip
    if "kind" in changes and changes["kind"] not in DOCUMENT_KINDS:
        raise InputError(f"kind: expected one of {', '.join(DOCUMENT_KINDS)}, got {changes['kind']!r}")
    if isinstance(changes.get("date"), dt.date):
        check_record_date(changes["date"], "date", dt.date.today())
    def document_value(name: str, value: Any) -> Any:
        return value if name == "date" else str(value or "")

    return _update_child(reference, "documents", document_id, "document", document_view, changes, document_value,
                         actor, unit(settings, uow))  # fmt: skip


def remove_document(
    reference: str, document_id: int, actor: str, settings: Settings | None = None, *,
    uow: AbstractUnitOfWork | None = None,
) -> DocumentView:  # fmt: skip
    """Remove a document; its uploaded file goes too once no other document refers to the same content."""
    removed = _remove_child(reference, "documents", document_id, "document", document_view, actor,
                            unit(settings, uow))  # fmt: skip
    if removed["file"] is not None:
        forget_file(removed["file"]["sha256"], settings, uow=uow)
    return removed


def _update_child(
    reference: str, collection: str, child_id: int, what: str, view: Callable[[Any], ChildView],
    changes: dict[str, Any], value_for: Callable[[str, Any], Any], actor: str, unit: AbstractUnitOfWork,
) -> ChildView:
    """Correct fields of a party or document: audited before and after, and the shipment's version moves on."""
    with unit as uow:
        row = get_row(uow, reference)
        child = _child(getattr(row, collection), child_id, what, reference)
        before = view(child)
        for name, value in changes.items():
            setattr(child, name, value_for(name, value))
        row.updated_at = dt.datetime.now(dt.UTC)
        uow.flush()
        after = view(child)
        uow.audit.record(actor, f"update-{what}", "shipment", reference, before, after)
        uow.commit()
        return after


def _remove_child(
    reference: str, collection: str, child_id: int, what: str, view: Callable[[Any], ChildView], actor: str,
    unit: AbstractUnitOfWork,
) -> ChildView:
    """Remove a party or document: audited with what it was, and the shipment's version moves on."""
    with unit as uow:
        row = get_row(uow, reference)
        children = getattr(row, collection)
        child = _child(children, child_id, what, reference)
        before = view(child)
        children.remove(child)
        row.updated_at = dt.datetime.now(dt.UTC)
        uow.flush()
        uow.audit.record(actor, f"remove-{what}", "shipment", reference, before, None)
        uow.commit()
        return before


def audit_trail(
    reference: str, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> list[AuditEntry]:
    with unit(settings, uow) as uow:
        get_row(uow, reference)
        return [
            {"id": a.id, "at": a.at, "actor": a.actor, "action": a.action, "before": a.before, "after": a.after}
            for a in uow.audit.for_entity("shipment", reference)
        ]


def check_hts_code(code: str, where: str) -> str:
    return check_hts(code, where)
