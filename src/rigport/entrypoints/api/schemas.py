"""Request bodies (pydantic). Responses are the services' typed views (TypedDicts), serialised by `to_jsonable`;
`answers` names a view as a route's documented response, so /openapi.json carries its schema."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator


def answers(view: Any, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=`: its answer is `view` (a TypedDict or list of them) at `status`.

    Documentation only: the route still returns `to_jsonable(...)` of the view, so the JSON stays what it was
    (money as a number; the app writes schemas in validation mode, where a Decimal is a number or a string).
    """
    return {status: {"model": view}}


MAX_ID = 2**31 - 1  # ids, versions, offsets and line numbers: the largest a 32-bit integer column holds


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day_only(value: Any) -> Any:
    """A date is written YYYY-MM-DD, as the schema says; pydantic's lax mode would also read the number 0 or the
    text "0" as a Unix timestamp (1970-01-01), so a typo would pass as a date."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        return value.strip()
    raise ValueError("expected a date as YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_day_only)]


def _accepts_bool(annotation: Any) -> bool:
    if annotation is bool or annotation is Any:
        return True
    return any(_accepts_bool(arg) for arg in get_args(annotation))


class Input(BaseModel):
    """A request body: JSON `true`/`false` is only a boolean, never the number 1 or 0 (issue #26).

    Pydantic's lax mode would read `"threshold": true` as 1.0 and `"quantity": true` as one unit.
    """

    @field_validator("*", mode="before")
    @classmethod
    def _booleans_are_not_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and not _accepts_bool(field.annotation):
            raise ValueError(f"expected a number or text, got {str(value).lower()}")
        return value


class PartyIn(Input):
    model_config = ConfigDict(extra="forbid")
    role: Literal["manufacturer", "seller", "broker", "forwarder", "consignee", "importer", "chip_supplier"]
    name: str = Field(min_length=1, max_length=300)
    country: str = Field(default="", max_length=2)
    address: str = Field(default="", max_length=500)


class ShipmentIn(Input):
    model_config = ConfigDict(extra="forbid")
    reference: str = Field(min_length=1, max_length=64)
    mode: Literal["vessel", "air"]
    port: str = Field(min_length=1, max_length=80)
    arrival_date: IsoDate
    total_units: int = Field(ge=1, le=10_000_000)
    declared_value_usd: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    carrier: str = Field(default="", max_length=120)
    transport_doc: str = Field(default="", max_length=80)
    entry_number: str = Field(default="", max_length=40)
    importer_of_record: str = Field(default="", max_length=200)
    other_agency_hold: bool = False
    storage_usd_per_unit_day: Decimal = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2)
    storage_facility: str = Field(default="", max_length=120)
    storage_pallets: int | None = Field(default=None, ge=0, le=1_000_000, description="With a per-pallet rate.")
    storage_usd_per_pallet_day: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    parties: list[PartyIn] = Field(default_factory=list, max_length=100)
    client: str | None = Field(default=None, min_length=1, max_length=120,
                               description="The client (id or name); needed once more than one client exists.")


class ClientIn(Input):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120, description="The importer's name, unique in any case.")


class ShipmentPatch(Input):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, le=MAX_ID, description="The version you read; a stale version gets 409.")
    client: str | None = Field(default=None, min_length=1, max_length=120,
                               description="Move the shipment to this client (id or name).")
    port: str | None = Field(default=None, min_length=1, max_length=80)
    carrier: str | None = Field(default=None, max_length=120)
    transport_doc: str | None = Field(default=None, max_length=80)
    entry_number: str | None = Field(default=None, max_length=40)
    importer_of_record: str | None = Field(default=None, max_length=200)
    other_agency_hold: bool | None = None
    storage_usd_per_unit_day: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    storage_facility: str | None = Field(default=None, max_length=120)
    declared_value_usd: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=2)
    storage_pallets: int | None = Field(default=None, ge=0, le=1_000_000)
    storage_usd_per_pallet_day: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)


class EventIn(Input):
    model_config = ConfigDict(extra="forbid")
    event: str = Field(min_length=1, max_length=40)
    date: IsoDate
    quantity: int | None = Field(default=None, ge=1, le=10_000_000)
    from_state: str | None = Field(default=None, max_length=32)
    version: int | None = Field(default=None, ge=1, le=MAX_ID, description="If given, a stale version gets 409.")
    data: dict[str, Any] = Field(default_factory=dict)


class VoidIn(Input):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500, description="Why the event is voided; kept in the audit log.")
    version: int | None = Field(default=None, ge=1, le=MAX_ID, description="If given, a stale version gets 409.")


class DocumentIn(Input):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(min_length=1, max_length=40)
    date: IsoDate | None = None
    reference: str = Field(default="", max_length=120)
    lab_name: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=2000)


class LineItemIn(Input):
    """One invoice line of a draft (same fields as a manifest row)."""

    model_config = ConfigDict(extra="forbid")
    line_no: int | None = Field(default=None, ge=1, le=MAX_ID)
    model_id: str | None = Field(default=None, min_length=1, max_length=64, description="Catalog model id.")
    description: str = Field(default="", max_length=300)
    quantity: int = Field(ge=1, le=10_000_000)
    unit_value_usd: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    hts_code: str = Field(pattern=r"^\d{4}\.\d{2}\.\d{4}$", description="HTSUS code like 8543.70.9960.")
    origin: str = Field(min_length=2, max_length=2, description="ISO 3166 country of origin.")
    chip_supplier: str = Field(default="", max_length=120)


class DraftDocumentIn(Input):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["commercial_invoice", "packing_list", "fcc_sdoc", "compliance_statement", "test_report",
                  "certificate_of_origin", "detention_notice", "seizure_notice", "bill_of_lading", "other"]  # fmt: skip
    lab_name: str = Field(default="", max_length=200, description="Test lab (a withdrawn lab makes the report weak).")


class AssessIn(ShipmentIn):
    """A shipment draft assessed before anything is stored: the shipment body plus line items and evidence."""

    reference: str = Field(default="draft", min_length=1, max_length=64)
    arrival_date: IsoDate | None = None  # type: ignore[assignment]
    total_units: int | None = Field(default=None, ge=1, le=10_000_000)  # type: ignore[assignment]
    declared_value_usd: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=2)  # type: ignore[assignment]
    line_items: list[LineItemIn] = Field(min_length=1, max_length=10_000)
    documents: list[DraftDocumentIn] = Field(default_factory=list, max_length=50)
    us_responsible_party: bool | None = Field(
        default=None, description="Default: true when an importer or consignee party is in the US."
    )


class SimulationIn(Input):
    """`POST /api/v1/simulations`: the `rigport simulate` flags, with bounds so one request cannot exhaust memory."""

    model_config = ConfigDict(extra="forbid")
    model: str = Field(min_length=1, max_length=64, description="Catalog model id, e.g. antminer-s21.")
    units: int = Field(ge=1, le=1_000_000)
    unit_price: float | None = Field(default=None, ge=0, le=1e7, description="USD per unit; default: catalog.")
    power_price: float | None = Field(default=None, ge=0, le=10, description="USD per kWh; default: settings.")
    paths: int = Field(default=10_000, ge=1, le=200_000)
    days: int = Field(default=1095, ge=1, le=3650)
    hold_prob: float | None = Field(default=None, ge=0, le=1)
    hold_days_mean: float | None = Field(default=None, ge=0, le=3650)
    fit_holds: bool = Field(default=False, description="Fit hold probability and length to recorded holds.")
    forfeit_prob: float = Field(default=0.0, ge=0, le=1)
    storage_per_day: float = Field(default=0.0, ge=0, le=1e5)
    volatility: float | None = Field(default=None, ge=0, le=5)
    drift: float | None = Field(default=None, ge=-5, le=5)
    difficulty_growth: float | None = Field(default=None, ge=-1, le=10)
    discount_rate: float | None = Field(default=None, ge=0, le=1)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1, description="Default: drawn and stored.")


class PartyPatch(Input):
    model_config = ConfigDict(extra="forbid")
    role: Literal["manufacturer", "seller", "broker", "forwarder", "consignee", "importer", "chip_supplier"] | None = (
        None
    )
    name: str | None = Field(default=None, min_length=1, max_length=300)
    country: str | None = Field(default=None, max_length=2)
    address: str | None = Field(default=None, max_length=500)


class DocumentPatch(Input):
    model_config = ConfigDict(extra="forbid")
    kind: str | None = Field(default=None, min_length=1, max_length=40)
    date: IsoDate | None = None
    reference: str | None = Field(default=None, max_length=120)
    lab_name: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=2000)
