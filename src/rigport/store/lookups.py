"""One-statement reads on a pooled connection, without an ORM session, for checks made on every request.

The token check and the keys of cached views (`api/cache.py`) run before each API read. Through a unit of
work each cost ~0.5-0.9 ms, mostly session set-up and tear-down; a Core statement on a pooled connection
costs ~0.1 ms (measured on SQLite, docs/reliability.md). Writes and whole views still go through the unit
of work and its repositories.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, Row, bindparam, func, select
from sqlalchemy.exc import DBAPIError

from rigport.settings import Settings
from rigport.store.engine import as_unavailable, ensure_schema, get_engine, get_lookup_engine
from rigport.store.screening_tables import ScreeningDecisionRow
from rigport.store.tables import ShipmentRow, TokenRow

# Built once with bound parameters: building a statement per call costs more than running it.
_TOKEN = select(TokenRow.id, TokenRow.token_hash, TokenRow.role, TokenRow.label, TokenRow.expires_at,
                TokenRow.revoked_at).where(TokenRow.token_hash == bindparam("token_hash"))  # fmt: skip
_VERSION = select(ShipmentRow.version).where(ShipmentRow.reference == bindparam("reference"))
_DECISIONS = select(ScreeningDecisionRow).where(ScreeningDecisionRow.name_key == bindparam("name_key"))
_FINGERPRINT = select(
    func.count(), func.coalesce(func.sum(ShipmentRow.version), 0), func.coalesce(func.max(ShipmentRow.id), 0)
)


@dataclass(frozen=True)
class StoredToken:
    id: int
    token_hash: str
    role: str
    label: str
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


def read(settings: Settings, statement: Executable, params: dict[str, Any] | None = None) -> list[Any]:
    """The rows of one read statement, in one round trip; an outage becomes UnavailableError (503 / exit 1).

    The lookup engine does not ping connections before use, so a connection the server dropped (a restart)
    fails on first use: that one failure is retried on a fresh connection before it counts as an outage.
    """
    engine = get_lookup_engine(settings)
    for attempt in (1, 2):
        try:
            ensure_schema(get_engine(settings))
            with engine.connect() as conn:
                return list(conn.execute(statement, params))
        except DBAPIError as exc:
            if attempt == 1 and exc.connection_invalidated:
                continue
            raise as_unavailable(exc, engine) or exc from None
        except Exception as exc:
            raise as_unavailable(exc, engine) or exc from None
    raise AssertionError("unreachable")


def token_by_hash(settings: Settings, token_hash: str) -> StoredToken | None:
    rows = read(settings, _TOKEN, {"token_hash": token_hash})
    if not rows:
        return None
    return StoredToken(*rows[0])


def shipment_version(settings: Settings, reference: str) -> int | None:
    """The shipment's version alone: one indexed read, to tell whether a cached view is still current."""
    rows = read(settings, _VERSION, {"reference": reference})
    return int(rows[0][0]) if rows else None


def shipments_fingerprint(settings: Settings) -> tuple[int, int, int]:
    """(count, sum of versions, highest id): moves whenever a shipment is added or any shipment changes.

    Versions only grow and every change to a shipment or its children bumps its version, so no two
    states of the table reached by changes share a fingerprint.
    """
    ((count, versions, last_id),) = read(settings, _FINGERPRINT)
    return int(count), int(versions), int(last_id)


def decisions_for_name(settings: Settings, name_key: str) -> list[Row[Any]]:
    """Reviewer decisions on one normalized name (the screening of one name needs no others)."""
    return read(settings, _DECISIONS, {"name_key": name_key})
