"""The system of record's domain: shipments of mining hardware and what is known about them.

Plain dataclasses: the store maps them to tables, the services move them through the lifecycle.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from typing import get_type_hints

from rigport.errors import InputError


class State(StrEnum):
    """Where units of a shipment stand in the customs process (19 CFR parts 141-174; docs/system-of-record.md)."""

    ARRIVED = "ARRIVED"
    ENTERED = "ENTERED"
    GO_WAREHOUSE = "GO_WAREHOUSE"
    EXAM_PRESENTED = "EXAM_PRESENTED"
    DETAINED = "DETAINED"
    RELEASED = "RELEASED"
    EXCLUDED = "EXCLUDED"
    DEEMED_EXCLUDED = "DEEMED_EXCLUDED"
    PROTESTED = "PROTESTED"
    PROTEST_DENIED = "PROTEST_DENIED"
    CIT_ACTION = "CIT_ACTION"
    SEIZED = "SEIZED"
    PETITIONED = "PETITIONED"
    JUDICIAL_REFERRAL = "JUDICIAL_REFERRAL"
    REMITTED = "REMITTED"
    PETITION_DENIED = "PETITION_DENIED"
    SUPPLEMENTAL_PETITION = "SUPPLEMENTAL_PETITION"
    RE_EXPORTED = "RE_EXPORTED"
    ABANDONED = "ABANDONED"
    DESTROYED = "DESTROYED"
    FORFEITED = "FORFEITED"


TERMINAL_STATES = frozenset(
    {State.RELEASED, State.RE_EXPORTED, State.ABANDONED, State.DESTROYED, State.FORFEITED, State.CIT_ACTION}
)
HELD_STATES = frozenset(
    {State.DETAINED, State.EXCLUDED, State.DEEMED_EXCLUDED, State.PROTESTED, State.PROTEST_DENIED, State.SEIZED,
     State.PETITIONED, State.JUDICIAL_REFERRAL, State.REMITTED, State.PETITION_DENIED, State.SUPPLEMENTAL_PETITION,
     State.CIT_ACTION}
)  # fmt: skip
AT_PORT_STATES = frozenset({State.ARRIVED, State.ENTERED, State.GO_WAREHOUSE, State.EXAM_PRESENTED})

# The five groups a person working a port crisis talks about, for portfolio totals and charts.
# Seizure and everything that follows it (petitions, remission not yet released) count as "seized";
# detention, exclusion and the protest/court route as "detained".
STATE_GROUPS: dict[str, frozenset[State]] = {
    "at_port": AT_PORT_STATES,
    "detained": frozenset({State.DETAINED, State.EXCLUDED, State.DEEMED_EXCLUDED, State.PROTESTED,
                           State.PROTEST_DENIED, State.CIT_ACTION}),
    "seized": frozenset({State.SEIZED, State.PETITIONED, State.JUDICIAL_REFERRAL, State.PETITION_DENIED,
                         State.SUPPLEMENTAL_PETITION, State.REMITTED}),
    "released": frozenset({State.RELEASED}),
    "closed": frozenset({State.RE_EXPORTED, State.ABANDONED, State.DESTROYED, State.FORFEITED}),
}  # fmt: skip


def state_group(state: State) -> str:
    return next(group for group, states in STATE_GROUPS.items() if state in states)


class Mode(StrEnum):
    VESSEL = "vessel"
    AIR = "air"


PARTY_ROLES = ("manufacturer", "seller", "broker", "forwarder", "consignee", "importer", "chip_supplier")
DOCUMENT_KINDS = (
    "commercial_invoice", "packing_list", "fcc_sdoc", "compliance_statement", "test_report",
    "certificate_of_origin", "detention_notice", "seizure_notice", "bill_of_lading", "other",
)  # fmt: skip

HTS_PATTERN = re.compile(r"^\d{4}\.\d{2}\.\d{4}$")


# A shipment reference appears in URLs (/shipments/{reference}), file names and paperwork, so it is drawn
# from a small alphabet: letters A-Z, digits, and "-", "_", "." inside, 1-64 characters. Input is read as
# NFKC (full-width "ＡＢ－１" is "AB-1"), trimmed of surrounding whitespace, and upper-cased: references differ
# by their characters, never by case, width, spaces, tabs, newlines, NUL or invisible characters (issue #26).
REFERENCE_PATTERN = re.compile(r"[A-Z0-9](?:[A-Z0-9._-]{0,62}[A-Z0-9])?")
REFERENCE_RULE = 'letters A-Z, digits 0-9 and "-", "_", "." between them, 1 to 64 characters (case does not count)'


def normalize_reference(text: str) -> str:
    """The canonical form of a shipment reference, or InputError naming the field and the alphabet."""
    canonical = unicodedata.normalize("NFKC", text).strip().upper()
    if not REFERENCE_PATTERN.fullmatch(canonical):
        raise InputError(f"reference: expected {REFERENCE_RULE}, got {text!r}")
    return canonical


# Dates a record may carry. Customs clocks, storage and costs count days from them, so a date out of this
# range is a typing slip that would overflow or mislead every later read (issue #26): refused on the way in.
EARLIEST_RECORD_DATE = dt.date(1990, 1, 1)
FUTURE_ALLOWANCE_DAYS = 731  # an arrival may be planned up to two years ahead


def latest_record_date(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=FUTURE_ALLOWANCE_DAYS)


def check_record_date(value: dt.date, name: str, today: dt.date) -> dt.date:
    """A shipment, event or document date from 1990-01-01 to two years after `today`, else InputError naming it."""
    latest = latest_record_date(today)
    if not EARLIEST_RECORD_DATE <= value <= latest:
        raise InputError(f"{name}: expected a date from {EARLIEST_RECORD_DATE} to {latest} (two years ahead), "
                         f"got {value}")  # fmt: skip
    return value


def check_hts(code: str, where: str) -> str:
    """HTSUS statistical codes are written NNNN.NN.NNNN (e.g. 8543.70.9960)."""
    cleaned = code.strip()
    if not HTS_PATTERN.match(cleaned):
        raise InputError(f"{where}: expected an HTS code like 8543.70.9960, got {code!r}")
    return cleaned


@dataclass
class LineItem:
    """One invoice line: a model (from the catalog, or free text) with its units and serials."""

    line_no: int
    quantity: int
    unit_value_usd: Decimal
    hts_code: str
    origin: str
    model_id: str | None = None
    description: str = ""
    chip_supplier: str = ""
    serials: list[str] = field(default_factory=list)

    @property
    def value_usd(self) -> Decimal:
        return self.unit_value_usd * self.quantity


@dataclass
class Party:
    role: str
    name: str
    country: str = ""
    address: str = ""


@dataclass
class Document:
    kind: str
    date: dt.date | None = None
    reference: str = ""
    lab_name: str = ""
    notes: str = ""


@dataclass
class Shipment:
    """An import of mining hardware; `quantities` says how many units stand in each state."""

    reference: str
    mode: Mode
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
    # Facilities that bill per pallet: both set, and they win over the per-unit rate (docs/system-of-record.md).
    storage_pallets: int | None = None
    storage_usd_per_pallet_day: Decimal | None = None
    quantities: dict[State, int] = field(default_factory=dict)
    line_items: list[LineItem] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        if not self.quantities:
            self.quantities = {State.ARRIVED: self.total_units}

    @property
    def held_units(self) -> int:
        return sum(n for s, n in self.quantities.items() if s in HELD_STATES)

    @property
    def primary_state(self) -> State:
        """The state a person would name: the largest open (non-terminal) group, else the largest."""
        open_groups = [(n, s) for s, n in self.quantities.items() if n > 0 and s not in TERMINAL_STATES]
        groups = open_groups or [(n, s) for s, n in self.quantities.items() if n > 0]
        return max(groups, key=lambda g: (g[0], g[1].value))[1]

    def check_invariant(self) -> None:
        if any(n < 0 for n in self.quantities.values()):
            raise AssertionError(f"{self.reference}: negative quantity in {self.quantities}")
        if sum(self.quantities.values()) != self.total_units:
            raise AssertionError(f"{self.reference}: quantities {self.quantities} do not add up to {self.total_units}")


# --- the one definition of a shipment's recorded fields ------------------------------------------------------
# `Shipment` above is the source: the fields a person records (its dataclass fields, less the derived state and
# the children) are read from it here. The row mapping and creation derive from these tuples; the draft, the
# summary view, the editable fields, the table and the API schemas are checked against them by
# tests/customs/test_shipment_fields.py, so a field added to `Shipment` and forgotten elsewhere fails a test.

_NOT_RECORDED = frozenset({"quantities", "line_items", "parties", "documents", "id", "version"})
RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Shipment) if f.name not in _NOT_RECORDED)
# Fixed when the shipment is opened: the identity, and what its quantities and clocks are counted from.
FIXED_FIELDS: tuple[str, ...] = ("reference", "mode", "arrival_date", "total_units")
EDITABLE_FIELDS: tuple[str, ...] = tuple(name for name in RECORD_FIELDS if name not in FIXED_FIELDS)
_TYPES = get_type_hints(Shipment)
MONEY_FIELDS: tuple[str, ...] = tuple(n for n in RECORD_FIELDS if _TYPES[n] in (Decimal, Decimal | None))
OPTIONAL_FIELDS: tuple[str, ...] = tuple(n for n in RECORD_FIELDS if type(None) in getattr(_TYPES[n], "__args__", ()))
