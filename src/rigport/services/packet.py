"""Use case: the entry packet, a printable dossier of one shipment (HTML, and PDF where a browser exists).

The packet gathers what a broker hands to CBP or to counsel: the shipment, its line items, the
evidence checklist (services.assess), screening results with the list versions they were run
against (services.screening), landed cost (customs.landed_cost), the legal clocks with their
citations (customs.clocks) and, when units are seized, a petition worksheet pre-filled from the
record with the blanks a person must complete (content per 19 CFR 171.1 — the issue said 171.11, its
number before T.D. 00-57 in 2000; filing per 19 CFR 171.2). Everything shown comes from the system of
record or the bundled, dated tables; nothing is invented, and every blank is marked `TO ADD`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport import __version__
from rigport.adapters.db.shipment_mapping import DocumentFileView, DocumentView, EventView, LineItemView
from rigport.adapters.render import packet as document
from rigport.domain.customs.clocks import (
    ADMIN_FORFEITURE_CITATION,
    BOND_CITATION,
    bond_amount,
    forfeiture_route,
)
from rigport.domain.customs.landed_cost import LandedCost, compare_hts, landed_cost
from rigport.errors import InputError, RigportError
from rigport.services._unit import settings_of, unit
from rigport.services.assess import ShipmentAssessment
from rigport.services.screening import StoredMatch
from rigport.services.shipment_views import ClockView, ShipmentDetail
from rigport.settings import Settings

if TYPE_CHECKING:
    from rigport.adapters.db.protocols import AbstractUnitOfWork

# Units in these states are under seizure: a petition for relief (or a supplemental one) is the live remedy.
PETITION_STATES = ("SEIZED", "PETITIONED", "PETITION_DENIED", "SUPPLEMENTAL_PETITION")
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
CENT = Decimal("0.01")

# Citations for the petition worksheet (19 CFR Part 171; 19 USC 1618 is the remission authority).
PETITION_CONTENT_CITATION = "19 CFR 171.1 (petition for relief: description, date and place, facts relied on)"
PETITION_FILING_CITATION = "19 CFR 171.2(a), (b)(1), (d)"
PETITION_EXTENSION_CITATION = "19 CFR 171.2(c); 171.15"
REMISSION_AUTHORITY = "19 USC 1618"
SEIZURE_AUTHORITY_2025 = "19 USC 1595a(c)(2)(A)"
SUPPLEMENTAL_CITATION = "19 CFR 171.61"


class DutyComponent(TypedDict):
    code: str
    rate: Decimal
    basis: str
    amount_usd: Decimal
    citation: str
    note: str
    refundable: bool
    verified_through: dt.date | None


class LandedCostGroup(TypedDict):
    """Duties, fees and landed cost of one (HTS code, origin) group of line items."""

    hts: str
    origin: str
    units: int
    entered_value_usd: Decimal
    components: list[DutyComponent]
    total_duties_and_fees_usd: Decimal
    landed_cost_usd: Decimal
    landed_cost_per_unit_usd: Decimal
    potentially_refundable_ieepa_usd: Decimal
    potentially_refundable_section_122_usd: Decimal
    warnings: list[str]


class HtsOption(TypedDict):
    hts: str
    total_duties_and_fees_usd: Decimal
    difference_usd: Decimal  # against the code declared


class PacketLandedCost(TypedDict):
    """Landed cost of a shipment's line items on its entry date (the packet and the shipment page)."""

    entry_date: dt.date
    entry_date_basis: str
    mode: str
    groups: list[LandedCostGroup]
    errors: list[str]  # groups that could not be costed, and why
    hts_options: list[HtsOption]  # other HTS codes, with a single group only
    multi_group: bool
    total_duties_and_fees_usd: Decimal
    landed_cost_usd: Decimal
    warnings: list[str]


class LiveMatch(TypedDict):
    """A match of a screening run made for the packet and not stored."""

    list: str
    entry_id: str
    entry_ids: list[str]
    name: str
    relation: str
    score: float | None
    status: str  # "hit"
    explanation: str
    programs: list[str]


class PacketSubject(TypedDict):
    subject: str
    role: str
    matches: list[StoredMatch] | list[LiveMatch]
    status: str  # hit | dismissed | clear


class PacketScreening(TypedDict):
    """The shipment's latest stored screening run, or (`stored` false) names screened now and not stored."""

    stored: bool
    run_id: int | None
    screened_at: dt.datetime
    actor: str
    threshold: float | None
    lists: list[dict[str, Any]]  # the list versions screened against
    subjects: list[PacketSubject]


class SeizedGoods(TypedDict):
    models: list[str]
    line_items: list[LineItemView]
    serial_ranges: list[str]
    partial: bool  # only some of the shipment's units are seized


class SeizedValue(TypedDict):
    declared_value_usd: Decimal
    seized_units_value_usd: Decimal
    per_unit_usd: Decimal
    forfeiture_route: str
    forfeiture_route_citation: str
    bond_usd: Decimal
    bond_citation: str


class Seizure(TypedDict):
    notice_mailed_on: dt.date | None
    place: str


class PetitionCitations(TypedDict):
    content: str
    filing: str
    extension: str
    remission: str
    seizure_authority_2025: str
    supplemental: str


class PetitionWorksheet(TypedDict):
    """The facts of a petition for relief, from the record (19 CFR 171.1); blanks are for a person to fill."""

    seized_units: int
    states: dict[str, int]
    description: SeizedGoods
    value: SeizedValue
    seizure: Seizure
    petition_clock: ClockView | None
    petition_filed_on: dt.date | None
    facts: list[str]
    evidence_missing: list[dict[str, Any]]
    chronology: list[EventView]
    documents: list[DocumentView]
    citations: PetitionCitations


class LineTotals(TypedDict):
    units: int
    value_usd: Decimal


class Attachment(DocumentFileView):
    """A document's uploaded file as the packet links it."""

    id: int  # a document with a file is stored: it has an id
    kind: str
    href: str


class PacketData(TypedDict):
    """Everything the packet shows, as plain values (the template only formats)."""

    generated_on: dt.date
    generated_at: dt.datetime
    version: str
    shipment: ShipmentDetail
    risk: ShipmentAssessment
    screening: PacketScreening
    landed_cost: PacketLandedCost
    line_totals: LineTotals
    petition: PetitionWorksheet | None
    attachments: list[Attachment]


class PacketWritten(TypedDict):
    """`rigport packet --json`: where the packet was written."""

    shipment: str
    html: str
    pdf: str | None
    note: str | None  # why there is no PDF
    petition_worksheet: bool
    attachments: list[str]  # the evidence files copied beside the packet


def safe_filename(reference: str) -> str:
    """A file name stem from user data: letters, digits, dot, dash, underscore only; never a path."""
    stem = SAFE_NAME.sub("_", reference).strip("._")[:64]
    return stem or "shipment"


def _entry_date(view: Mapping[str, Any]) -> tuple[dt.date, str]:
    """Entry date for duties: the recorded entry-filed event, else the arrival date (said so in the packet)."""
    for event in view["events"]:
        if event["event"] == "entry-filed" and not event.get("voided"):
            return event["occurred_on"], "date of the recorded entry-filed event"
    arrival = dt.date.fromisoformat(view["arrival_date"])
    return arrival, "arrival date (no entry-filed event recorded)"


def _landed_cost_view(cost: LandedCost) -> LandedCostGroup:
    return {
        "hts": cost.hts,
        "origin": cost.origin,
        "units": cost.units,
        "entered_value_usd": cost.entered_value_usd,
        "components": [
            {"code": c.code, "rate": c.rate, "basis": c.basis, "amount_usd": c.amount_usd, "citation": c.citation,
             "note": c.note, "refundable": c.refundable, "verified_through": c.verified_through}
            for c in cost.components
        ],  # fmt: skip
        "total_duties_and_fees_usd": cost.total_duties_and_fees_usd,
        "landed_cost_usd": cost.landed_cost_usd,
        "landed_cost_per_unit_usd": (cost.landed_cost_usd / cost.units).quantize(CENT, ROUND_HALF_UP),
        "potentially_refundable_ieepa_usd": cost.refundable_usd,
        "potentially_refundable_section_122_usd": cost.refundable_section_122_usd,
        "warnings": cost.warnings,
    }


def landed_cost_for(view: Mapping[str, Any]) -> PacketLandedCost:
    """Duties and fees per (HTS code, origin) group of the line items, on the entry date.

    A group's unit value is its average; MPF minimum/maximum apply per entry (19 CFR 24.23(b)(1)),
    so with more than one group the MPF shown per group is an upper bound, and the packet says so.
    """
    entry_date, basis = _entry_date(view)
    groups: dict[tuple[str, str], tuple[int, Decimal]] = {}
    for li in view["line_items"]:
        units, value = groups.get((li["hts_code"], li["origin"]), (0, Decimal(0)))
        groups[(li["hts_code"], li["origin"])] = (units + li["quantity"], value + li["unit_value_usd"] * li["quantity"])
    costed: list[LandedCostGroup] = []
    errors: list[str] = []
    hts_options: list[HtsOption] = []
    for (hts, origin), (units, value) in sorted(groups.items()):
        unit_value = value / units
        try:
            cost = landed_cost(hts=hts, origin=origin, entry_date=entry_date, mode=view["mode"], units=units,
                               unit_value_usd=unit_value)  # fmt: skip
        except InputError as exc:
            errors.append(f"{hts} / {origin}: {exc}")
            continue
        costed.append(_landed_cost_view(cost))
        if len(groups) == 1:
            options = compare_hts(origin=origin, entry_date=entry_date, mode=view["mode"], units=units,
                                  unit_value_usd=unit_value)  # fmt: skip
            hts_options = [
                {"hts": o.hts, "total_duties_and_fees_usd": o.total_duties_and_fees_usd,
                 "difference_usd": o.total_duties_and_fees_usd - cost.total_duties_and_fees_usd}
                for o in options
            ]  # fmt: skip
    return {
        "entry_date": entry_date, "entry_date_basis": basis, "mode": view["mode"], "groups": costed,
        "errors": errors, "hts_options": hts_options, "multi_group": len(groups) > 1,
        "total_duties_and_fees_usd": sum((g["total_duties_and_fees_usd"] for g in costed), Decimal(0)),
        "landed_cost_usd": sum((g["landed_cost_usd"] for g in costed), Decimal(0)),
        "warnings": list(dict.fromkeys(w for g in costed for w in g["warnings"])),
    }  # fmt: skip


def _stored_run_view(run: Any) -> PacketScreening:
    """A stored run grouped by subject: 'hit' if any open (or reopened) match, else 'dismissed' or 'clear'."""
    from rigport.services.screening import add_stored_match

    found: dict[tuple[str, str], list[StoredMatch]] = {}
    for r in run.results:
        matches = found.setdefault((r.subject, r.role), [])
        if r.status != "clear":
            add_stored_match(matches, r)  # one row per listed party, every entry id kept
    subjects: list[PacketSubject] = []
    for (name, role), matches in found.items():
        statuses = {m["status"] for m in matches}
        status = "hit" if statuses & {"hit", "reopened"} else ("dismissed" if statuses else "clear")
        subjects.append({"subject": name, "role": role, "matches": matches, "status": status})
    return {"stored": True, "run_id": run.id, "screened_at": run.screened_at, "actor": run.actor,
            "threshold": run.threshold, "lists": run.list_versions,
            "subjects": subjects}  # fmt: skip


def _screening(
    shipment_id: int, view: Mapping[str, Any], settings: Settings, uow: AbstractUnitOfWork | None = None
) -> PacketScreening:
    """The latest stored screening run of the shipment; if none, screen now without storing (a read stays a read)."""
    from rigport.services.screening import list_versions, screen_name

    with unit(settings, uow) as reading:
        runs = reading.screening.runs_for_shipment(shipment_id, limit=1)
        if runs:
            return _stored_run_view(runs[0])
    names: list[tuple[str, str, str | None, str | None]] = [
        (p["name"], p["role"], None, p["country"] or None) for p in view["parties"]
    ]
    if view["importer_of_record"]:
        names.append((view["importer_of_record"], "importer of record", "org", None))
    if view["carrier"]:
        names.append((view["carrier"], "carrier", "org", None))
    names += [(li["chip_supplier"], f"chip supplier (line {li['line_no']})", "org", None)
              for li in view["line_items"] if li["chip_supplier"]]  # fmt: skip
    out_subjects: list[PacketSubject] = []
    seen = set()
    for name, role, kind, country in names:
        if (name, role) in seen or not name.strip():
            continue
        seen.add((name, role))
        result = screen_name(name, kind=kind, country=country, settings=settings, uow=uow)
        matches: list[LiveMatch] = [
            {"list": m["list"], "entry_id": m["entry_id"], "entry_ids": m["entry_ids"], "name": m["name"],
             "relation": m["relation"], "score": m["score"], "status": "hit", "explanation": m["explanation"],
             "programs": m["programs"]}
            for m in result["matches"]
        ]  # fmt: skip
        out_subjects.append({"subject": name, "role": role, "status": "hit" if matches else "clear",
                             "matches": matches})  # fmt: skip
    lists: list[dict[str, Any]] = [
        {k: v[k] for k in ("list", "as_of", "sha256", "source", "entries")} for v in list_versions(settings)
    ]
    return {"stored": False, "run_id": None, "screened_at": dt.datetime.now(dt.UTC), "actor": "packet",
            "threshold": None, "lists": lists, "subjects": out_subjects}  # fmt: skip


def _serial_ranges(line_items: list[dict[str, Any]]) -> list[str]:
    out = []
    for li in line_items:
        serials = li["serials"]
        if serials:
            out.append(f"line {li['line_no']}: {serials[0]} ... {serials[-1]} ({len(serials)} serials)")
    return out


def petition_worksheet(
    view: Mapping[str, Any], risk: Mapping[str, Any], screening: PacketScreening
) -> PetitionWorksheet | None:
    """The facts a petition for relief needs, from the record; None unless units are seized or petitioned."""
    quantities = view["quantities"]
    seized_units = sum(quantities.get(s, 0) for s in PETITION_STATES)
    if not seized_units:
        return None
    value = Decimal(str(view["declared_value_usd"]))
    per_unit = value / view["total_units"] if view["total_units"] else Decimal(0)
    seized_value = (per_unit * seized_units).quantize(CENT, ROUND_HALF_UP)
    events = [e for e in view["events"] if not e.get("voided")]
    seizure = next((e for e in events if e["event"] == "seizure-notice-mailed"), None)
    petition_clock = next((c for c in view["clocks"] if c["clock"] == "petition_for_relief"), None)
    petitioned = next((e for e in events if e["event"] == "petition-filed"), None)
    models = sorted({li["model_id"] or li["description"] for li in view["line_items"]})
    present = [e for e in risk["evidence"] if e["status"] == "present"]
    missing = [e for e in risk["evidence"] if e["status"] != "present"]
    hits = [s for s in screening["subjects"] if s["status"] == "hit"]
    facts = [f"Importer of record: {view['importer_of_record'] or 'not recorded'}; entry number: "
             f"{view['entry_number'] or 'not recorded'}."]  # fmt: skip
    facts += [f"{e['label']} is on file ({e['citation']})." for e in present]
    if screening["subjects"]:
        facts.append(
            f"{len(screening['subjects'])} parties and suppliers screened against "
            f"{', '.join(str(v['list']) for v in screening['lists'])}: "
            + ("no open matches." if not hits else f"open matches for {', '.join(s['subject'] for s in hits)}.")
        )
    released = quantities.get("RELEASED", 0)
    if released:
        facts.append(f"{released:,} units of the same shipment were released by CBP.")
    return {
        "seized_units": seized_units,
        "states": {s: quantities[s] for s in PETITION_STATES if quantities.get(s)},
        "description": {
            "models": models,
            "line_items": view["line_items"],
            "serial_ranges": _serial_ranges(view["line_items"]),
            "partial": seized_units < view["total_units"],
        },
        "value": {
            "declared_value_usd": value,
            "seized_units_value_usd": seized_value,
            "per_unit_usd": per_unit.quantize(CENT, ROUND_HALF_UP),
            "forfeiture_route": forfeiture_route(seized_value),
            "forfeiture_route_citation": ADMIN_FORFEITURE_CITATION,
            "bond_usd": bond_amount(seized_value),
            "bond_citation": BOND_CITATION,
        },
        "seizure": {
            "notice_mailed_on": seizure["occurred_on"] if seizure else None,
            "place": ", ".join(x for x in (view["port"], view["storage_facility"]) if x),
        },
        "petition_clock": petition_clock,
        "petition_filed_on": petitioned["occurred_on"] if petitioned else None,
        "facts": facts,
        "evidence_missing": missing,
        "chronology": events,  # a voided event is no fact to put before CBP (the shipment summary still lists it)
        "documents": view["documents"],
        "citations": {
            "content": PETITION_CONTENT_CITATION,
            "filing": PETITION_FILING_CITATION,
            "extension": PETITION_EXTENSION_CITATION,
            "remission": REMISSION_AUTHORITY,
            "seizure_authority_2025": SEIZURE_AUTHORITY_2025,
            "supplemental": SUPPLEMENTAL_CITATION,
        },
    }


def packet_data(
    reference: str, settings: Settings | None = None, today: dt.date | None = None, *,
    uow: AbstractUnitOfWork | None = None,
) -> PacketData:  # fmt: skip
    """Everything the packet shows, as plain values (the template only formats); read through `uow` when given."""
    from rigport.services.assess import assess_shipment
    from rigport.services.shipments import get_shipment

    settings = settings_of(settings, uow)
    today = today or dt.date.today()
    view = get_shipment(reference, settings, today, uow=uow)  # NotFoundError (exit 2 / 404) for an unknown one
    risk = assess_shipment(reference, settings, uow=uow)
    screening = _screening(view["id"], view, settings, uow)
    return {
        "generated_on": today,
        "generated_at": dt.datetime.now(dt.UTC).replace(microsecond=0),
        "version": __version__,
        "shipment": view,
        "risk": risk,
        "screening": screening,
        "landed_cost": landed_cost_for(view),
        "line_totals": {
            "units": sum(li["quantity"] for li in view["line_items"]),
            "value_usd": sum((li["unit_value_usd"] * li["quantity"] for li in view["line_items"]), Decimal(0)),
        },
        "petition": petition_worksheet(view, risk, screening),
        "attachments": attachments(view),
    }


def attachments(view: Mapping[str, Any]) -> list[Attachment]:
    """The documents with an uploaded file, each linked to the dashboard's download (signed-in users only);
    `write_packet` copies the files beside the packet and links the copies instead."""
    reference = quote(str(view["reference"]))
    out: list[Attachment] = []
    for d in view["documents"]:
        file: DocumentFileView | None = d["file"]
        if file:
            out.append({"id": d["id"], "kind": d["kind"], **file,
                        "href": f"/shipments/{reference}/documents/{d['id']}/file"})  # fmt: skip
    return out


def _copy_attachments(data: PacketData, directory: Path, stem: str, settings: Settings | None) -> list[str]:
    """Copy each attached file to `<stem>-files/<id>-<name>` beside the packet and point the packet's links there."""
    from rigport.services.evidence import document_file

    if not data["attachments"]:
        return []
    folder = directory / f"{stem}-files"
    copied = []
    for item in data["attachments"]:
        stored = document_file(data["shipment"]["reference"], item["id"], settings)
        target = folder / f"{item['id']}-{safe_filename(item['filename'])}"
        try:
            folder.mkdir(exist_ok=True)
            document.atomic_write(target, stored.path.read_bytes())
        except OSError as exc:
            raise InputError(f"cannot write {target} ({exc.strerror or exc})", field="output") from None
        item["href"] = f"{folder.name}/{target.name}"
        copied.append(str(target))
    return copied


def render_packet_html(
    reference: str, settings: Settings | None = None, today: dt.date | None = None, *,
    uow: AbstractUnitOfWork | None = None,
) -> str:  # fmt: skip
    """The packet as one self-contained HTML page (inline CSS, no external assets), ready to print."""
    return document.render_html(packet_data(reference, settings, today, uow=uow))


def _prepare_dir(output_dir: Path) -> Path:
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create directory {output_dir} ({exc.strerror or exc})", field="output") from None
    if not output_dir.is_dir():
        raise InputError(f"{output_dir} is not a directory", field="output")
    if not os.access(output_dir, os.W_OK | os.X_OK):
        raise InputError(f"directory {output_dir} is not writable", field="output")
    return output_dir


def write_packet(
    reference: str, output_dir: Path | str, settings: Settings | None = None, *, pdf: bool = True,
    today: dt.date | None = None,
) -> PacketWritten:  # fmt: skip
    """Write packet-<reference>.html (and .pdf when a headless browser exists) into output_dir.

    `attachments` are the paths of the evidence files copied to `packet-<reference>-files/`.
    """
    output_dir = Path(output_dir)
    data = packet_data(reference, settings, today)  # an unknown shipment fails before anything is written
    directory = _prepare_dir(output_dir)
    stem = f"packet-{safe_filename(reference)}"
    copied = _copy_attachments(data, directory, stem, settings)
    html = document.render_html(data)
    html_path = directory / f"{stem}.html"
    try:
        document.atomic_write(html_path, html.encode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot write {html_path} ({exc.strerror or exc})", field="output") from None
    pdf_path: Path | None = None
    note: str | None = "PDF not requested"
    if pdf:
        pdf_path = directory / f"{stem}.pdf"
        try:
            note = document.html_to_pdf(html_path, pdf_path)
        except (OSError, RigportError) as exc:
            note = f"no PDF written: {exc}"
        if note is not None:
            pdf_path = None
    return {
        "shipment": reference,
        "html": str(html_path),
        "pdf": str(pdf_path) if pdf_path else None,
        "note": note,
        "petition_worksheet": data["petition"] is not None,
        "attachments": copied,
    }
