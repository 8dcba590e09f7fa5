"""Use case: how likely a hold is, which evidence is missing, and what a hold would cost."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy import select

from rigport.catalog import Catalog
from rigport.customs.model import HELD_STATES
from rigport.customs.risk import LineFacts, RiskFacts, assess
from rigport.errors import InputError, NotFoundError
from rigport.services.catalog import get_catalog
from rigport.services.delay import delay_cost_per_unit_day
from rigport.services.manifest import parse_manifest
from rigport.settings import Settings, get_settings
from rigport.store.tables import EventRow, ShipmentRow
from rigport.store.uow import UnitOfWork

RESTRICTED_LIST_PREFIX = "restricted"


def load_config(settings: Settings) -> dict[str, Any]:
    if settings.risk_weights_file is not None:
        try:
            return tomllib.loads(settings.risk_weights_file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"{settings.risk_weights_file}: cannot read risk weights ({exc})") from None
    return tomllib.loads(resources.files("rigport.data").joinpath("risk_weights.toml").read_text(encoding="utf-8"))


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


def _screen(names: list[str], party_names: list[str], settings: Settings) -> tuple[list[str], list[str]]:
    from rigport.services.screening import screen_name

    restricted, party_hits = [], []
    for name in {n for n in names if n.strip()}:
        for match in screen_name(name, settings=settings)["matches"]:
            if str(match["list"]).lower().startswith(RESTRICTED_LIST_PREFIX):
                restricted.append(f"{name} ~ {match['name']}")
    for name in {n for n in party_names if n.strip()}:
        matches = screen_name(name, settings=settings)["matches"]
        if matches:
            party_hits.append(f"{name} ~ {matches[0]['name']} ({matches[0]['list']})")
    return restricted, party_hits


def assess_shipment(reference: str, settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or get_settings()
    catalog = get_catalog(settings)
    with UnitOfWork(settings) as uow:
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
        per_day = delay_cost_per_unit_day(row, settings) * row.total_units
        storage = row.storage_usd_per_unit_day * row.total_units
        chip_names = [ln.chip_supplier for ln in lines] + [p.name for p in row.parties if p.role == "chip_supplier"]
        parties = [p.name for p in row.parties]
        value = row.declared_value_usd
    restricted, party_hits = _screen(chip_names, parties, settings)
    facts = RiskFacts(lines, documents, us_party, restricted, party_hits, prior_holds, prior_total)
    return {"shipment": reference, **assess(facts, load_config(settings), per_day, storage, value)}


def _prior(uow: UnitOfWork, row: ShipmentRow) -> tuple[int, int]:
    """Comparable shipments in the user's own records (same port or importer) and how many were held."""
    others = [
        s
        for s in uow.session.scalars(select(ShipmentRow))
        if s.id != row.id
        and (
            s.port.lower() == row.port.lower()
            or (row.importer_of_record and s.importer_of_record == row.importer_of_record)
        )
    ]
    held_states = {s.value for s in HELD_STATES}
    held_ids = set(uow.session.scalars(select(EventRow.shipment_id).where(EventRow.to_state.in_(held_states))))
    return sum(1 for s in others if s.id in held_ids), len(others)


def assess_manifest(
    data: bytes,
    source: str,
    *,
    documents: list[str],
    us_responsible_party: bool,
    parties: list[str],
    storage_per_unit_day: Decimal = Decimal(0),
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Before anything is stored: the same assessment from an invoice / packing list."""
    settings = settings or get_settings()
    parsed = parse_manifest(data, source, settings)
    catalog = get_catalog(settings)
    lines = [_line(catalog, i.model_id, i.origin, i.chip_supplier, i.quantity, i.value_usd) for i in parsed.items]
    restricted, party_hits = _screen([ln.chip_supplier for ln in lines], parties, settings)
    facts = RiskFacts(lines, {d: "" for d in documents}, us_responsible_party, restricted, party_hits)
    per_day = _per_day(parsed.items, catalog, settings)
    storage = storage_per_unit_day * parsed.units
    return {"manifest": source, **assess(facts, load_config(settings), per_day, storage, parsed.value_usd)}


def _per_day(items: Any, catalog: Catalog, settings: Settings) -> Decimal:
    from rigport.economics import MiningInputs, hold_cost
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
