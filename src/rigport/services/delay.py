"""Cost of a day held, per unit, for a stored shipment: economics of its line items' models."""

from __future__ import annotations

from decimal import Decimal

from rigport.adapters.db.tables import ShipmentRow
from rigport.domain.economics import MiningInputs, hold_cost
from rigport.errors import NotFoundError
from rigport.services.catalog import catalog_version, get_catalog
from rigport.services.network import current_snapshot
from rigport.settings import Settings


def storage_rate_per_unit_day(row: ShipmentRow) -> Decimal:
    """Storage per unit per day; a per-pallet rate, when the facility bills that way, spread over the units."""
    if row.storage_pallets is not None and row.storage_usd_per_pallet_day is not None and row.total_units:
        per_unit = row.storage_usd_per_pallet_day * row.storage_pallets / row.total_units
        return per_unit.quantize(Decimal("0.0001"))
    return row.storage_usd_per_unit_day


def delay_inputs(settings: Settings) -> tuple[object, ...]:
    """What a cost of delay is priced from besides the shipment: the catalog in force and the network snapshot.

    Part of every cached view's key, so a `network refresh` or an edited catalog file is seen at once.
    """
    return catalog_version(settings), current_snapshot(settings), settings.default_power_price_usd_kwh


def delay_cost_per_unit_day(row: ShipmentRow, settings: Settings) -> Decimal:
    """Quantity-weighted margin forgone + storage + capital cost per unit per day.

    Lines without a catalog model count at the shipment's storage rate only.
    """
    catalog = get_catalog(settings)
    snap = current_snapshot(settings)
    storage = storage_rate_per_unit_day(row)
    total = Decimal(0)
    units = 0
    for li in row.line_items:
        units += li.quantity
        try:
            model = catalog.get(li.model_id) if li.model_id else None
        except NotFoundError:
            model = None
        if model is None:
            total += storage * li.quantity
            continue
        inputs = MiningInputs(
            hashrate_th=model.hashrate_th, power_w=model.power_w, units=1,
            power_price_usd_kwh=Decimal(str(settings.default_power_price_usd_kwh)), difficulty=snap.difficulty,
            price_usd=snap.price_usd, fees_btc_per_block=snap.fees_btc_per_block, height=snap.height,
            unit_price_usd=li.unit_value_usd,
        )  # fmt: skip
        total += hold_cost(inputs, 1, storage).per_unit_per_day_usd * li.quantity
    if units == 0:
        return storage
    return (total / units).quantize(Decimal("0.01"))
