"""Request bodies (pydantic). Responses are the services' plain dicts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["manufacturer", "seller", "broker", "forwarder", "consignee", "importer", "chip_supplier"]
    name: str = Field(min_length=1, max_length=300)
    country: str = Field(default="", max_length=2)
    address: str = Field(default="", max_length=500)


class ShipmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: str = Field(min_length=1, max_length=64)
    mode: Literal["vessel", "air"]
    port: str = Field(min_length=1, max_length=80)
    arrival_date: dt.date
    total_units: int = Field(ge=1, le=10_000_000)
    declared_value_usd: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    carrier: str = Field(default="", max_length=120)
    transport_doc: str = Field(default="", max_length=80)
    entry_number: str = Field(default="", max_length=40)
    importer_of_record: str = Field(default="", max_length=200)
    other_agency_hold: bool = False
    storage_usd_per_unit_day: Decimal = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2)
    storage_facility: str = Field(default="", max_length=120)
    parties: list[PartyIn] = Field(default_factory=list, max_length=100)


class ShipmentPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, description="The version you read; a stale version gets 409.")
    port: str | None = Field(default=None, min_length=1, max_length=80)
    carrier: str | None = Field(default=None, max_length=120)
    transport_doc: str | None = Field(default=None, max_length=80)
    entry_number: str | None = Field(default=None, max_length=40)
    importer_of_record: str | None = Field(default=None, max_length=200)
    other_agency_hold: bool | None = None
    storage_usd_per_unit_day: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    storage_facility: str | None = Field(default=None, max_length=120)
    declared_value_usd: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=2)


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: str = Field(min_length=1, max_length=40)
    date: dt.date
    quantity: int | None = Field(default=None, ge=1, le=10_000_000)
    from_state: str | None = Field(default=None, max_length=32)
    version: int | None = Field(default=None, ge=1, description="If given, a stale version gets 409.")
    data: dict[str, Any] = Field(default_factory=dict)


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(min_length=1, max_length=40)
    date: dt.date | None = None
    reference: str = Field(default="", max_length=120)
    lab_name: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=2000)
