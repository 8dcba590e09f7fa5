"""Demo scenario modelled on the 2024-25 detentions and seizures of ASIC miners (see docs/demo.md).

Dates are relative to the day the demo is seeded so that the clocks are live; each shipment says
which reported event it mirrors. Values and storage rates are illustrative, not case records.
Seeding is idempotent: a shipment whose reference exists is left alone.
Every hold of the scenario made at the FCC's request is marked `other_agency_hold`: CBP detained those units on
another agency's behalf, so the 19 CFR 151.16 clocks may not apply to them (151.16(a)).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.domain.customs.tariffs import DEFAULT_HTS
from rigport.services import clients, manifest, shipments
from rigport.services._unit import unit
from rigport.settings import Settings

ACTOR = "demo-seed"


@dataclass(frozen=True)
class DemoShipment:
    reference: str
    mirrors: str
    mode: str
    port: str
    model_id: str
    units: int
    unit_value: Decimal
    origin: str
    arrived_days_ago: int
    storage_per_unit_day: Decimal
    importer: str
    other_agency_hold: bool
    events: tuple[tuple[str, int, int | None], ...]  # (event, days after arrival, quantity or None=all)
    documents: tuple[str, ...] = ()
    parties: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)


SCENARIO: tuple[DemoShipment, ...] = (
    DemoShipment(
        "DEMO-SFO-S21PRO",
        "Jan 2025 seizure notice, ~$5M of Antminer S21 Pro at San Francisco (19 USC 1595a(c)(2)(A))",
        "vessel",
        "San Francisco",
        "antminer-s21-pro",
        1200,
        Decimal("4200"),
        "CN",
        70,
        Decimal("3.00"),
        "Prairie Summit Hosting LLC",
        True,
        (
            ("entry-filed", 3, None),
            ("exam-presented", 6, None),
            ("detention", 9, None),
            ("seizure-notice-mailed", 45, None),
            ("petition-filed", 60, None),
        ),
        ("commercial_invoice", "packing_list"),
        (("manufacturer", "Bitmain Technologies Ltd.", "CN"), ("broker", "Bayview Customs Brokerage Inc.", "US")),
    ),
    DemoShipment(
        "DEMO-SFO-S21",
        "Nov 2024 FCC-requested holds of Antminer S21; thousands released by March 2025, rest seized",
        "vessel",
        "San Francisco",
        "antminer-s21",
        2500,
        Decimal("3400"),
        "CN",
        64,
        Decimal("2.50"),
        "Ridgeline Digital Mining Inc.",
        True,
        (
            ("entry-filed", 2, None),
            ("exam-presented", 5, None),
            ("detention", 8, None),
            ("release", 40, 1500),
            ("seizure-notice-mailed", 55, None),
        ),
        ("commercial_invoice", "packing_list", "fcc_sdoc"),
        (("manufacturer", "Bitmain Technologies Ltd.", "CN"), ("forwarder", "Pacific Gate Logistics", "US")),
    ),
    DemoShipment(
        "DEMO-DTW-T21",
        "Early 2025 holds of Antminer T21 at Detroit, released after about two months",
        "air",
        "Detroit",
        "antminer-t21",
        1800,
        Decimal("2900"),
        "CN",
        90,
        Decimal("2.00"),
        "Great Lakes Hashworks LLC",
        True,
        (("entry-filed", 1, None), ("exam-presented", 4, None), ("detention", 7, None), ("release", 66, None)),
        ("commercial_invoice", "packing_list", "fcc_sdoc", "compliance_statement"),
        (("manufacturer", "Bitmain Technologies Ltd.", "CN"),),
    ),
    DemoShipment(
        "DEMO-SFO-M60S",
        "Feb 2025: holds widened to MicroBT WhatsMiner units",
        "vessel",
        "San Francisco",
        "whatsminer-m60s",
        1500,
        Decimal("3000"),
        "CN",
        21,
        Decimal("2.50"),
        "Ridgeline Digital Mining Inc.",
        True,
        (("entry-filed", 2, None), ("exam-presented", 6, None), ("detention", 10, None)),
        ("commercial_invoice", "packing_list"),
        (("manufacturer", "MicroBT Electronics Technology Co., Ltd.", "CN"),),
    ),
    DemoShipment(
        "DEMO-DTW-A1566",
        "Feb 2025: Canaan Avalon units held at Detroit; excluded and protested",
        "vessel",
        "Detroit",
        "avalon-a1566",
        1000,
        Decimal("2600"),
        "CN",
        80,
        Decimal("2.00"),
        "Great Lakes Hashworks LLC",
        True,
        (
            ("entry-filed", 2, None),
            ("exam-presented", 5, None),
            ("detention", 9, None),
            ("exclusion", 36, None),
            ("protest-filed", 62, None),
        ),
        ("commercial_invoice", "packing_list", "test_report"),
        (("manufacturer", "Canaan Inc.", "CN"),),
    ),
    DemoShipment(
        "DEMO-LAX-SEAL2",
        "Sourcing alternative: Bitdeer SealMiner A2 (Malaysia) entered without a hold",
        "vessel",
        "Los Angeles",
        "sealminer-a2",
        2000,
        Decimal("3500"),
        "MY",
        12,
        Decimal("0"),
        "Prairie Summit Hosting LLC",
        False,
        (("entry-filed", 2, None), ("release", 4, None)),
        ("commercial_invoice", "packing_list", "fcc_sdoc", "compliance_statement", "certificate_of_origin"),
        (("manufacturer", "Bitdeer Technologies Group", "SG"),),
    ),
)


class DemoSeeded(TypedDict):
    """What `seed` did: references created and already present, and the whole scenario's units and value."""

    created: list[str]
    skipped: list[str]
    units: int
    declared_value_usd: Decimal


def _manifest_csv(demo: DemoShipment) -> bytes:
    prefix = demo.reference.removeprefix("DEMO-")
    lines = ["line,model,quantity,unit_value,hts_code,origin,serials"]
    batch = 100
    for line_no, start in enumerate(range(0, demo.units, batch), start=1):
        count = min(batch, demo.units - start)
        serials = ";".join(f"{prefix}-{n:06d}" for n in range(start + 1, start + count + 1))
        lines.append(f"{line_no},{demo.model_id},{count},{demo.unit_value},{DEFAULT_HTS},{demo.origin},{serials}")
    return ("\n".join(lines) + "\n").encode()


def seed(
    settings: Settings | None = None, today: dt.date | None = None, progress: Callable[[str], None] | None = None,
    *, uow: AbstractUnitOfWork | None = None,
) -> DemoSeeded:
    """Create every demo shipment that does not exist yet; return what was created and skipped."""
    today = today or dt.date.today()
    with unit(settings, uow) as uow:
        existing = uow.shipments.references()
        known_clients = {c.name.lower() for c in uow.clients.list(include_archived=True)}
    # The broker's clients are the importers of record (issue #28): three, with two shipments each.
    for importer in dict.fromkeys(d.importer for d in SCENARIO):
        if importer.lower() not in known_clients:
            clients.create_client(importer, ACTOR, settings, uow=uow)
    created: list[str] = []
    skipped: list[str] = []
    for demo in SCENARIO:
        if demo.reference in existing:
            skipped.append(demo.reference)
            continue
        arrival = today - dt.timedelta(days=demo.arrived_days_ago)
        draft = shipments.ShipmentDraft(
            reference=demo.reference, mode=demo.mode, port=demo.port, arrival_date=arrival, total_units=demo.units,
            declared_value_usd=demo.unit_value * demo.units, carrier="Demo Ocean Lines" if demo.mode == "vessel"
            else "Demo Air Cargo", transport_doc=f"BL-{demo.reference}", importer_of_record=demo.importer,
            other_agency_hold=demo.other_agency_hold, storage_usd_per_unit_day=demo.storage_per_unit_day,
            storage_facility=f"{demo.port} CES", parties=[
                {"role": r, "name": n, "country": c} for r, n, c in demo.parties
            ] + [{"role": "importer", "name": demo.importer, "country": "US"}],
        )  # fmt: skip
        shipments.create_shipment(draft, ACTOR, settings, client=demo.importer, uow=uow)
        manifest.import_manifest(_manifest_csv(demo), f"{demo.reference}-invoice.csv", demo.reference, ACTOR, settings,
                                 uow=uow)  # fmt: skip
        for kind in demo.documents:
            shipments.add_document(
                demo.reference,
                kind,
                ACTOR,
                date=arrival,
                doc_reference=f"{kind}-{demo.reference}",
                notes=f"demo; mirrors: {demo.mirrors}",
                settings=settings,
                uow=uow,
            )
        for event, after_days, quantity in demo.events:
            shipments.record_event(
                demo.reference,
                event,
                arrival + dt.timedelta(days=after_days),
                ACTOR,
                quantity=quantity,
                data={"demo": True},
                settings=settings,
                uow=uow,
            )
        created.append(demo.reference)
        if progress:
            progress(demo.reference)
    units = sum(d.units for d in SCENARIO)
    value = sum((d.unit_value * d.units for d in SCENARIO), Decimal(0))
    return {"created": created, "skipped": skipped, "units": units, "declared_value_usd": value}
