"""Use case: read the audit trail (issue #30) — who did what, when, with the record before and after.

The trail is append-only (`AuditRepository`); this filters and pages it for the dashboard's /audit page, the
audit section of a shipment's page, `rigport audit` and `GET /api/v1/audit`. Filtering is done by the query.

Who sees what: a shipment's own trail is for anyone who may read the shipment (viewer and above, as its API
route always was). The overall trail is for operators and admins; account entries (users, API tokens and
calendar links: entity `user` or `token`) only for admins, since they say who may sign in with which role.
An identity scoped to some clients (issue #28) reads only its shipments' trails, not the overall one.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.db.protocols import AbstractUnitOfWork
from rigport.adapters.db.repository import AuditFilters as AuditFilters
from rigport.adapters.db.shipment_mapping import Instant
from rigport.adapters.db.shipment_reads import get_row
from rigport.errors import InputError
from rigport.services._unit import unit
from rigport.services.clients import BrokerOnlyError
from rigport.settings import Settings

ACCOUNT_ENTITIES = ("user", "token")
ENTITIES = ("shipment", "screening", "reminder_recipient", "client", *ACCOUNT_ENTITIES)
MAX_PER_PAGE = 500


class AuditRecord(TypedDict):
    id: int
    at: Instant
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(TypedDict):
    entries: list[AuditRecord]
    total: int
    page: int
    pages: int
    per_page: int


def check_filters(filters: AuditFilters) -> None:
    if filters.entity is not None and filters.entity not in ENTITIES:
        raise InputError(f"expected one of {', '.join(ENTITIES)}, got {filters.entity!r}", field="entity")
    if filters.since and filters.until and filters.since > filters.until:
        raise InputError(f"the range ends ({filters.until}) before it starts ({filters.since})", field="until")
    for name in ("actor", "action", "entity_id"):
        value = getattr(filters, name)
        if value is not None and len(value) > 200:
            raise InputError(f"at most 200 characters, got {len(value)}", field=name)


def search_audit(
    filters: AuditFilters, *, page: int = 1, per_page: int = 50, accounts: bool = False,
    settings: Settings | None = None, _shipment_checked: bool = False, uow: AbstractUnitOfWork | None = None,
) -> AuditPage:  # fmt: skip
    """One page (from 1) of the entries that match, newest first; without `accounts`, user and token entries
    are left out (see the module's doc). The overall trail spans every client: an identity scoped to some
    clients (issue #28) is refused it (403) and reads its shipments' trails instead. `uow`: the caller's unit of
    work (the fast tests' in-memory one), else the database's of `settings`."""
    check_filters(filters)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InputError(f"expected 1 to {MAX_PER_PAGE}, got {per_page}", field="per_page")
    if not 1 <= page <= 10**6:
        raise InputError(f"expected 1 or more, got {page}", field="page")
    if not accounts:
        if filters.entity in ACCOUNT_ENTITIES:
            raise InputError(f"entries about {filters.entity}s are for admins", field="entity")
        filters = AuditFilters(**{**filters.__dict__, "hide_entities": ACCOUNT_ENTITIES})
    with unit(settings, uow) as uow:
        if not _shipment_checked and not uow.scope.broker_wide:
            raise BrokerOnlyError("the overall audit trail spans every client; yours is limited to its clients: "
                                  "read a shipment's own trail on its page")  # fmt: skip
        rows, total = uow.audit.search(filters, limit=per_page, offset=(page - 1) * per_page)
        entries: list[AuditRecord] = [
            {"id": a.id, "at": a.at, "actor": a.actor, "action": a.action, "entity": a.entity,
             "entity_id": a.entity_id, "before": a.before, "after": a.after}
            for a in rows
        ]  # fmt: skip
    return {"entries": entries, "total": total, "page": page, "pages": max(1, math.ceil(total / per_page)),
            "per_page": per_page}  # fmt: skip


def shipment_audit(
    reference: str, filters: AuditFilters, *, page: int = 1, per_page: int = 50, settings: Settings | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> AuditPage:
    """A shipment's own trail, filtered and paged like the overall one (the shipment must exist)."""
    with unit(settings, uow) as work:
        stored = get_row(work, reference).reference
    scoped = AuditFilters(**{**filters.__dict__, "entity": "shipment", "entity_id": stored})
    return search_audit(scoped, page=page, per_page=per_page, accounts=False, settings=settings,
                        _shipment_checked=True, uow=uow)  # the shipment was found in the caller's scope



def parse_day(text: str | None, field: str) -> dt.date | None:
    """A date filter as typed in a URL or a flag: YYYY-MM-DD, or nothing."""
    if text is None or not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"expected a date YYYY-MM-DD, got {text!r}", field=field) from None


class Change(TypedDict):
    field: str
    before: str
    after: str


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None, *, width: int = 160) -> list[Change]:
    """The fields an entry changed, each as short text ("" where it had no value): what a person reads first.

    Nested records are opened one level ("file.filename"); a field absent on one side (a record created or
    removed) shows as "" there, and a field that reads the same on both sides ("" and nothing) is no change.
    """

    def shown(value: Any) -> str:
        if value is None:
            return ""
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False,
                                                               separators=(",", ": "), default=str)  # fmt: skip
        return text if len(text) <= width else text[: width - 1] + "…"

    def flat(record: dict[str, Any] | None) -> dict[str, object]:  # "field" or "field.inner" -> its value
        out: dict[str, object] = {}
        for key, value in (record or {}).items():
            if isinstance(value, dict) and value:
                out.update({f"{key}.{inner}": v for inner, v in value.items()})
            else:
                out[key] = value
        return out

    old, new = flat(before), flat(after)
    keys = list(old) + [k for k in new if k not in old]
    pairs = ((k, shown(old.get(k)), shown(new.get(k))) for k in keys)
    return [{"field": k, "before": b, "after": a} for k, b, a in pairs if b != a]
