"""Use case: how likely a hold is, which evidence is missing, and what a hold would cost."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from importlib import resources
from typing import Any, NotRequired, cast

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.tables import ShipmentRow
from rigport.domain.catalog import Catalog
from rigport.domain.customs.model import AT_PORT_STATES, DOCUMENT_KINDS, HELD_STATES, LineItem, State
from rigport.domain.customs.risk import LineFacts, RiskFacts, assess
from rigport.errors import InputError, NotFoundError
from rigport.services._unit import settings_of, unit
from rigport.services.catalog import get_catalog
from rigport.services.delay import delay_cost_per_unit_day, storage_rate_per_unit_day
from rigport.services.manifest import COUNTRIES, parse_manifest
from rigport.settings import Settings, get_settings

RESTRICTED_LIST_PREFIX = "restricted"


class HoldRisk(TypedDict):
    """How likely a hold is, why, what evidence is missing and what a hold would cost (customs.risk.assess), for
    the units a hold could still catch."""

    probability: float
    level: str
    base_probability: float
    observed_hold_rate: float | None
    factors: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    cost_if_held_usd: Decimal
    expected_hold_cost_usd: Decimal
    assumptions: dict[str, Any]
    units_not_yet_held: int
    units_held: int
    total_units: int
    warnings: list[str]


class ShipmentAssessment(HoldRisk):
    shipment: str  # the stored shipment's reference, or a draft's


class ManifestAssessment(HoldRisk):
    manifest: str  # the file name


class RiskWeights(TypedDict):
    """The risk weights (`data/risk_weights.toml`, or the file RIGPORT_RISK_WEIGHTS_FILE names), as
    `domain.customs.risk.assess` reads them."""

    base_probability: float
    hold_days_mean: float
    petition_cost_usd: float
    factors: dict[str, dict[str, Any]]  # factor code -> weight, reason and the factor's own keys
    withdrawn_labs: NotRequired[list[str]]
    covered_lab_countries: NotRequired[list[str]]


def load_config(settings: Settings) -> RiskWeights:
    """The risk weights in force; a file without the numbers or the factors the rules read is refused here,
    naming the file and the key, rather than failing later in an assessment."""
    if settings.risk_weights_file is not None:
        source = str(settings.risk_weights_file)
        try:
            document = tomllib.loads(settings.risk_weights_file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"{source}: cannot read risk weights ({exc})") from None
    else:
        source = "risk_weights.toml (bundled)"
        document = tomllib.loads(resources.files("rigport.data").joinpath("risk_weights.toml").read_text("utf-8"))
    for key in ("base_probability", "hold_days_mean", "petition_cost_usd"):
        if isinstance(document.get(key), bool) or not isinstance(document.get(key), int | float):
            raise InputError(f"{source}: {key}: expected a number, got {document.get(key)!r}")
    if not isinstance(document.get("factors"), dict):
        raise InputError(f"{source}: factors: expected [factors.<code>] tables with a weight and a reason")
    return cast(RiskWeights, document)


def _line(
    catalog: Catalog, model_id: str | None, origin: str, chip_supplier: str, units: int, value: Decimal
) -> LineFacts:
    model = None
    if model_id:
        try:
            model = catalog.get(model_id)
        except NotFoundError:
            model = None
    sophgo = "yes" if "sophgo" in chip_supplier.lower() else (model.sophgo_content if model else "unknown")
    return LineFacts(
        model_id,
        model.family if model else "",
        model.maker if model else "",
        model.origin if model else "",
        origin,
        sophgo,
        chip_supplier or (model.chip_supplier if model else ""),
        units,
        value,
    )


def _screen(
    names: list[str], party_names: list[str], settings: Settings, uow: AbstractUnitOfWork | None = None
) -> tuple[list[str], list[str]]:
    """Chip suppliers on a restricted list, and parties with any hit (reviewers' dismissals read through `uow`)."""
    from rigport.services.screening import screen_name

    restricted, party_hits = [], []
    for name in {n for n in names if n.strip()}:
        for match in screen_name(name, settings=settings, uow=uow)["matches"]:
            if str(match["list"]).lower().startswith(RESTRICTED_LIST_PREFIX):
                restricted.append(f"{name} ~ {match['name']}")
    for name in {n for n in party_names if n.strip()}:
        matches = screen_name(name, settings=settings, uow=uow)["matches"]
        if matches:
            party_hits.append(f"{name} ~ {matches[0]['name']} ({matches[0]['list']})")
    return restricted, party_hits


def assess_shipment(
    reference: str, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> ShipmentAssessment:
    settings = settings_of(settings, uow)
    catalog = get_catalog(settings)
    given = uow  # the screening below opens its own, on the same store
    with unit(settings, uow) as uow:
        row = uow.shipments.get(reference)
        if row is None:
            raise NotFoundError(f"shipment {reference!r} not found")
        lines = [
            _line(catalog, li.model_id, li.origin, li.chip_supplier, li.quantity, li.unit_value_usd * li.quantity)
            for li in row.line_items
        ]
        documents = {d.kind: d.lab_name for d in row.documents}
        us_party = any(p.role in ("importer", "consignee") and p.country == "US" for p in row.parties)
        prior_holds, prior_total = _prior(uow, row)
        # Risk is for the units not yet held (at the port or before it): units already detained or seized
        # carry their cost so far and per further day instead (issue #25).
        not_yet_held = sum(q.quantity for q in row.quantities if State(q.state) in AT_PORT_STATES)
        # the cost of delay already holds storage; assess() adds storage itself, so take it out here
        storage_rate = storage_rate_per_unit_day(row)
        per_day = (delay_cost_per_unit_day(row, settings) - storage_rate) * not_yet_held
        storage = storage_rate * not_yet_held
        chip_names = [ln.chip_supplier for ln in lines] + [p.name for p in row.parties if p.role == "chip_supplier"]
        parties = [p.name for p in row.parties]
        value = row.declared_value_usd * not_yet_held / row.total_units if row.total_units else Decimal(0)
        held = sum(q.quantity for q in row.quantities if State(q.state) in HELD_STATES)
        total = row.total_units
    restricted, party_hits = _screen(chip_names, parties, settings, given)
    facts = RiskFacts(lines, documents, us_party, restricted, party_hits, prior_holds, prior_total)
    result = assess(facts, load_config(settings), per_day, storage, value)
    if not not_yet_held:  # nothing left that a hold could still catch
        result["cost_if_held_usd"] = result["expected_hold_cost_usd"] = Decimal("0.00")
    # added with issue #25: which units the expected cost of a hold is for
    return cast(ShipmentAssessment, {
        "shipment": reference, **result, "units_not_yet_held": not_yet_held, "units_held": held, "total_units": total,
        "warnings": _warnings(settings),
    })  # fmt: skip


def _prior(uow: AbstractUnitOfWork, row: ShipmentRow) -> tuple[int, int]:
    """Comparable shipments in the user's own records (same port or importer) and how many were held."""
    return _prior_for(uow, row.port, row.importer_of_record, exclude_id=row.id)


def _prior_for(uow: AbstractUnitOfWork, port: str, importer: str, exclude_id: int | None = None) -> tuple[int, int]:
    return uow.shipments.prior_holds(port, importer, exclude_id)


def assess_manifest(
    data: bytes,
    source: str,
    *,
    documents: list[str],
    us_responsible_party: bool,
    parties: list[str],
    storage_per_unit_day: Decimal = Decimal(0),
    settings: Settings | None = None,
) -> ManifestAssessment:
    """Before anything is stored: the same assessment from an invoice / packing list."""
    settings = settings or get_settings()
    parsed = parse_manifest(data, source, settings)
    catalog = get_catalog(settings)
    lines = [_line(catalog, i.model_id, i.origin, i.chip_supplier, i.quantity, i.value_usd) for i in parsed.items]
    restricted, party_hits = _screen([ln.chip_supplier for ln in lines], parties, settings)
    facts = RiskFacts(lines, {d: "" for d in documents}, us_responsible_party, restricted, party_hits)
    per_day = _per_day(parsed.items, catalog, settings)
    storage = storage_per_unit_day * parsed.units
    return cast(ManifestAssessment, {
        "manifest": source, **assess(facts, load_config(settings), per_day, storage, parsed.value_usd),
        **_not_yet_held(parsed.units), "warnings": _warnings(settings),
    })  # fmt: skip


def _warnings(settings: Settings) -> list[str]:
    """The cost of a day held is priced from the network snapshot: say when it is past its horizon."""
    from rigport.services.horizons import snapshot_warnings
    from rigport.services.network import current_snapshot

    return snapshot_warnings(current_snapshot(settings))


def _per_day(items: Any, catalog: Catalog, settings: Settings) -> Decimal:
    from rigport.domain.economics import MiningInputs, hold_cost
    from rigport.services.network import current_snapshot

    snap = current_snapshot(settings)
    total = Decimal(0)
    for item in items:
        if not item.model_id:
            continue
        model = catalog.get(item.model_id)
        inputs = MiningInputs(
            model.hashrate_th,
            model.power_w,
            item.quantity,
            Decimal(str(settings.default_power_price_usd_kwh)),
            snap.difficulty,
            snap.price_usd,
            snap.fees_btc_per_block,
            snap.height,
            unit_price_usd=item.unit_value_usd,
        )
        total += hold_cost(inputs, 1).shipment_per_day_usd
    return total


@dataclass
class AssessmentDraft:
    """A shipment not stored yet (API body, dashboard form): what the buyer knows before it ships."""

    reference: str
    items: list[LineItem]
    documents: dict[str, str] = field(default_factory=dict)  # kind -> lab name ("" when not a test report)
    parties: list[dict[str, str]] = field(default_factory=list)  # role, name, country
    us_responsible_party: bool | None = None  # None: a US importer or consignee among the parties
    port: str = ""
    importer_of_record: str = ""
    storage_usd_per_unit_day: Decimal = Decimal(0)
    declared_value_usd: Decimal | None = None
    total_units: int | None = None

    def validate(self, catalog: Catalog) -> None:
        """Field-named errors (the API turns them into 422 problem details)."""
        if not self.items:
            raise InputError("line_items: expected at least one line item")
        for n, item in enumerate(self.items):
            if item.model_id:
                try:
                    catalog.get(item.model_id)
                except NotFoundError as exc:
                    raise InputError(f"line_items[{n}].model_id: {exc}") from None
            elif not item.description.strip():
                raise InputError(f"line_items[{n}]: expected a model_id or a description")
            if item.origin.upper() not in COUNTRIES:
                raise InputError(f"line_items[{n}].origin: expected an ISO 3166 two-letter code, got {item.origin!r}")
        for kind in self.documents:
            if kind not in DOCUMENT_KINDS:
                raise InputError(f"documents: expected kinds from {', '.join(DOCUMENT_KINDS)}, got {kind!r}")
        units = sum(i.quantity for i in self.items)
        if self.total_units is not None and self.total_units != units:
            raise InputError(f"total_units: expected the sum of the line item quantities ({units}), "
                             f"got {self.total_units}")  # fmt: skip


def assess_draft(
    draft: AssessmentDraft, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> ShipmentAssessment:
    """The stored-shipment assessment for a draft, before anything is stored (nothing is written).

    Same output as `assess_shipment` (`GET /api/v1/shipments/{ref}/risk`), with `shipment` = the draft's
    reference. Prior holds at the same port or importer come from the user's records when a port or
    importer is given.
    """
    settings = settings_of(settings, uow)
    catalog = get_catalog(settings)
    draft.validate(catalog)
    items = [replace(i, origin=i.origin.upper()) for i in draft.items]
    lines = [_line(catalog, i.model_id, i.origin, i.chip_supplier, i.quantity, i.value_usd) for i in items]
    party_names = [p["name"] for p in draft.parties] + ([draft.importer_of_record] if draft.importer_of_record else [])
    chip_names = [ln.chip_supplier for ln in lines] + [p["name"] for p in draft.parties if p["role"] == "chip_supplier"]
    us_party = draft.us_responsible_party
    if us_party is None:
        us_party = any(p["role"] in ("importer", "consignee") and p.get("country", "").upper() == "US"
                       for p in draft.parties)  # fmt: skip
    prior_holds, prior_total = 0, 0
    if draft.port or draft.importer_of_record:
        with unit(settings, uow) as store:
            prior_holds, prior_total = _prior_for(store, draft.port, draft.importer_of_record)
    restricted, party_hits = _screen(chip_names, party_names, settings, uow)
    facts = RiskFacts(lines, dict(draft.documents), us_party, restricted, party_hits, prior_holds, prior_total)
    units = sum(i.quantity for i in items)
    value = draft.declared_value_usd if draft.declared_value_usd is not None else sum(
        (i.value_usd for i in items), Decimal(0))  # fmt: skip
    per_day = _per_day(items, catalog, settings)
    storage = draft.storage_usd_per_unit_day * units
    return cast(ShipmentAssessment, {
        "shipment": draft.reference, **assess(facts, load_config(settings), per_day, storage, value),
        **_not_yet_held(units), "warnings": _warnings(settings),
    })  # fmt: skip


def _not_yet_held(units: int) -> dict[str, int]:
    """Before anything is stored every unit is still ahead of the port: the whole shipment is at risk."""
    return {"units_not_yet_held": units, "units_held": 0, "total_units": units}
