"""Per-request lookups (store/lookups.py) return exactly what the same statements return through Core.

The hot three run on the DBAPI connection with SQLAlchemy's processors applied by hand; a missed processor
would show here as a string where a datetime belongs (SQLite stores datetimes as text) or a wrong count.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Executable, select

from rigport.adapters.db import lookups
from rigport.adapters.db.engine import get_lookup_engine
from rigport.adapters.db.screening_tables import ScreeningDecisionRow
from rigport.adapters.db.uow import UnitOfWork
from rigport.services import shipments
from rigport.services.auth import create_token, hash_token, revoke_token
from rigport.settings import Settings


def core_read(settings: Settings, statement: Executable, params: dict[str, Any] | None = None) -> list[Any]:
    """The same statement through SQLAlchemy Core: the reference the plain reads must equal."""
    with get_lookup_engine(settings).connect() as conn:
        return list(conn.execute(statement, params))


def test_lookups_equal_core_reads(settings: Settings) -> None:
    for ref in ("L-1", "L-2"):
        draft = shipments.ShipmentDraft(ref, "air", "Detroit", dt.date(2025, 2, 1), 10, Decimal(1000))
        shipments.create_shipment(draft, "test", settings)
    shipments.record_event("L-2", "entry-filed", dt.date(2025, 2, 2), "test", settings=settings)
    token, info = create_token("viewer", label="expiring", expires_in_days=3, settings=settings)
    revoke_token(info["id"], settings)

    stored = lookups.token_by_hash(settings, hash_token(token))
    (core,) = core_read(settings, lookups._TOKEN, {"token_hash": hash_token(token)})
    assert stored is not None and tuple(core) == (
        stored.id, stored.token_hash, stored.role, stored.label, stored.expires_at, stored.revoked_at,
        stored.client_ids,
    )  # fmt: skip
    assert isinstance(stored.expires_at, dt.datetime) and isinstance(stored.revoked_at, dt.datetime)
    assert stored.revoked_at < stored.expires_at
    assert lookups.token_by_hash(settings, hash_token("rp_unknown")) is None

    version = asyncio.run(lookups.shipment_version(settings, "L-2"))
    assert version == (shipments.get_shipment("L-2", settings)["version"], 1)  # and its client: the default
    assert asyncio.run(lookups.shipment_version(settings, "NOPE")) is None
    (fingerprint,) = core_read(settings, lookups._FINGERPRINT)
    assert asyncio.run(lookups.shipments_fingerprint(settings)) == tuple(fingerprint)
    assert asyncio.run(lookups.shipments_fingerprint(settings))[0] == 2

    with UnitOfWork(settings) as uow:
        uow.session.add(ScreeningDecisionRow(name_key="ACME TRADING", name="Acme Trading", list_id="csl",
                                             entry_id="e-1", entry_fingerprint="f", reason="another Acme"))  # fmt: skip
        uow.commit()
    with UnitOfWork(settings) as uow:  # the ORM's reading of the same row is the reference
        entity = uow.session.scalars(select(ScreeningDecisionRow)).one()
        expected = [lookups.StoredDecision(*(getattr(entity, f) for f in lookups.StoredDecision._fields))]
    assert lookups.decisions_for_name(settings, "ACME TRADING") == expected
    assert asyncio.run(lookups.decisions_for_name_async(settings, "ACME TRADING")) == expected
    assert isinstance(expected[0].decided_at, dt.datetime)
    assert lookups.decisions_for_name(settings, "NOBODY") == []


def test_lookups_leave_no_transaction_open(settings: Settings) -> None:
    """A pooled connection returned inside a transaction would hold locks and an old snapshot on PostgreSQL."""
    lookups.token_by_hash(settings, hash_token("rp_unknown"))
    connection = get_lookup_engine(settings).raw_connection()
    try:
        dbapi = connection.dbapi_connection
        if settings.database_url:
            assert dbapi.info.transaction_status == 0  # type: ignore[union-attr]  # psycopg: IDLE
        else:
            assert not dbapi.in_transaction  # type: ignore[union-attr]
    finally:
        connection.close()


def test_async_lookups_reuse_their_connection_and_agree(settings: Settings) -> None:
    """The API awaits these on its event loop (psycopg's asyncio connection on PostgreSQL)."""
    draft = shipments.ShipmentDraft("A-1", "air", "Detroit", dt.date(2025, 2, 1), 10, Decimal(1000))
    shipments.create_shipment(draft, "test", settings)
    token, _ = create_token("operator", expires_in_days=5, settings=settings)

    async def both_twice() -> list[object]:
        results: list[object] = []
        for _ in range(2):  # the second round reuses the loop's idle connection
            results += [
                await lookups.token_by_hash_async(settings, hash_token(token)),
                await lookups.shipment_version(settings, "A-1"),
                await lookups.shipment_version(settings, "NOPE"),
                await lookups.shipments_fingerprint(settings),
            ]
        return results

    (fingerprint,) = core_read(settings, lookups._FINGERPRINT)
    expected = [
        lookups.token_by_hash(settings, hash_token(token)),
        (shipments.get_shipment("A-1", settings)["version"], 1),  # and its client: the default
        None,
        tuple(fingerprint),
    ]
    assert asyncio.run(both_twice()) == expected * 2
