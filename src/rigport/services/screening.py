"""Screening use cases: screen a name or a batch, compare two names, reviewer decisions, screen a shipment,
and load or update the lists.

The list copies on disk, their download and the cached index are adapters (`rigport.adapters.lists`); the
matching is the domain's (`rigport.domain.screening`). The database adapters are imported inside the
functions that use them, on purpose: screening a name with no database must neither create one nor pay
for importing SQLAlchemy (the CLI starts in a fraction of a second).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NotRequired, cast

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.adapters.lists import copies as list_files
from rigport.adapters.lists import download, index_cache, watchlist
from rigport.adapters.lists.copies import list_copies as list_copies
from rigport.adapters.lists.copies import read_copy as read_copy
from rigport.adapters.lists.index_cache import cached_index as cached_index
from rigport.adapters.lists.index_cache import get_index as get_index
from rigport.adapters.lists.index_cache import warm_index as warm_index
from rigport.domain.screening.index import ScreeningIndex
from rigport.domain.screening.loaders import load_csl_csv, load_csl_json, load_ofac, load_user_list
from rigport.domain.screening.match import DEFAULT_THRESHOLD, compare_relation
from rigport.domain.screening.model import Hit, ListVersion
from rigport.domain.screening.normalize import normalize
from rigport.errors import InputError, NotFoundError, UnavailableError
from rigport.services._unit import settings_of, unit
from rigport.services.screening_groups import (
    SAME,
    Decision,
    PartyHits,
    PartyMatch,
    Review,
    group_hits,
    split_source_list,
)
from rigport.settings import Settings, get_settings

if TYPE_CHECKING:  # for the annotations only: importing it at run time would load SQLAlchemy (see above)
    from rigport.adapters.db.protocols import AbstractUnitOfWork

KINDS = ("ofac-sdn", "csl", "user")
UPDATE_HINT = "run `rigport lists update` (online) or `rigport lists load FILE --kind ofac-sdn|csl|user`"


DOWNLOADABLE_LISTS = ("ofac-sdn", "csl")


class ListVersionView(TypedDict):
    """A list version as users see it (`version_dict`); `bundled` only in `list_status`."""

    list: str
    title: str
    source: str
    sha256: str
    published: str | None
    loaded: str
    as_of: str
    date_note: str
    age_days: int
    stale: bool
    freshness: str  # "current", "stale" or "curated"
    entries: int
    names: int
    counts: dict[str, int]
    warning: str | None
    bundled: NotRequired[bool]


class ListStatus(TypedDict):
    """`rigport lists status --json` and `GET /api/v1/lists`."""

    lists: list[ListVersionView]
    warnings: list[str]
    max_age_days: int


class StoredMatch(TypedDict):
    """A listed party's row in a stored run (its result rows, one per entry, joined: `add_stored_match`)."""

    list: str
    source_list: str
    sub_list: str
    agency: str
    entry_id: str
    entry_ids: list[str]
    name: str
    matched_name: str
    relation: str
    score: float | None
    programs: list[str]
    explanation: str
    status: str  # "hit", "dismissed" or "reopened"


class StoredSubject(TypedDict):
    subject: str
    role: str
    status: str  # "hit", "dismissed", "reopened" or "clear"
    matches: list[StoredMatch]


class StoredScreening(TypedDict):
    """The latest stored screening run of a shipment, as the dashboard shows it."""

    shipment: str
    run_id: int
    screened_at: dt.datetime
    actor: str
    threshold: float
    lists: list[dict[str, Any]]
    hits: int
    subjects: list[StoredSubject]


class ChangedHit(TypedDict):
    name: str
    list: str
    entry_id: str


class Rescreen(TypedDict):
    """Hits that appeared or disappeared for the remembered names after a list update."""

    new_hits: list[ChangedHit]
    cleared_hits: list[ChangedHit]


class ListUpdate(TypedDict):
    """`rigport lists update --json`: lists replaced, lists kept (with why), the versions now in force."""

    updated: list[str]
    errors: list[str]
    lists: list[ListVersionView]
    rescreen: Rescreen


class RelationCounts(TypedDict):
    same_party: int
    possible_affiliates: int


class ScreenReport(TypedDict):
    """`rigport screen NAME --json` and `POST /api/v1/screen`: one row per listed party, same-party rows first."""

    query: str
    type: str | None
    country: str | None
    threshold: float
    lists: list[ListVersionView]
    warnings: list[str]
    same_party: int
    possible_affiliates: int
    matches: list[PartyMatch]
    dismissed: list[PartyMatch]


class Comparison(TypedDict):
    left: str
    right: str
    score: float
    match: bool
    relation: str
    threshold: float


class SubjectResult(TypedDict):
    """One screened party, importer, carrier or chip supplier of a shipment."""

    subject: str
    role: str
    status: str  # "hit", "dismissed" or "clear"
    same_party: int
    possible_affiliates: int
    matches: list[PartyMatch]
    dismissed: list[PartyMatch]


class ShipmentScreening(TypedDict):
    """`rigport screen shipment REF --json` and `POST /api/v1/shipments/{reference}/screen` (stored as a run)."""

    shipment: str
    run_id: int
    screened_at: str
    threshold: float
    lists: list[ListVersionView]
    warnings: list[str]
    hits: int
    subjects: list[SubjectResult]



def version_dict(v: ListVersion, today: dt.date, max_age_days: int) -> ListVersionView:
    """A list version as shown to users: its real as-of date, its age in days and whether it is still current.

    `freshness` is "current" or "stale" for the lists the agencies republish (older than `max_age_days` is stale),
    and "curated" for a list dated by its own entries (the shipped restricted components, a user's list).
    """
    age = v.age_days(today)
    # Downloadable lists go stale; a curated list (shipped restricted components, user list) is dated by its entries.
    stale = v.list_id in DOWNLOADABLE_LISTS and age > max_age_days
    return {
        "list": v.list_id,
        "title": v.title,
        "source": v.source,
        "sha256": v.sha256,
        "published": v.published.isoformat() if v.published else None,
        "loaded": v.loaded.isoformat(),
        "as_of": v.as_of.isoformat(),
        "date_note": v.date_note,
        "age_days": age,
        "stale": stale,
        "freshness": "stale" if stale else ("current" if v.list_id in DOWNLOADABLE_LISTS else "curated"),
        "entries": v.entries,
        "names": v.names,
        "counts": v.counts,
        "warning": (f"{v.list_id} is {age} days old (as of {v.as_of}); older than {max_age_days} days: {UPDATE_HINT}")
        if stale
        else None,
    }


def list_versions(settings: Settings | None = None, today: dt.date | None = None) -> list[ListVersionView]:
    settings = settings or get_settings()
    today = today or dt.date.today()
    return _version_dicts(get_index(settings), settings, today)


def _version_dicts(index: ScreeningIndex, settings: Settings, today: dt.date) -> list[ListVersionView]:
    return [version_dict(v, today, settings.list_max_age_days) for v in index.versions]  # type: ignore[arg-type]


def list_status(settings: Settings | None = None, today: dt.date | None = None) -> ListStatus:
    """Every list in force with version, date, source, counts and a staleness warning."""
    settings = settings or get_settings()
    versions = list_versions(settings, today)
    copies = {c.list_id: c for c in list_copies(settings)}
    for v in versions:
        copy = copies.get(v["list"])
        v["bundled"] = bool(copy and copy.bundled)
    warnings = [v["warning"] for v in versions if v["warning"]]
    return {"lists": versions, "warnings": warnings, "max_age_days": settings.list_max_age_days}


def screen_name(
    name: str,
    *,
    kind: str | None = None,
    country: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    settings: Settings | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> ScreenReport:
    """One name against every list in force: `{"query", "lists", "warnings", "matches", "dismissed", ...}`.

    Reviewer decisions come from `uow` when given (a test's in-memory one), else from the database."""
    settings = settings_of(settings, uow)
    index = get_index(settings)
    hits = find_hits(index, name, kind=kind, country=country, threshold=threshold)
    decisions = load_decisions(settings, name, uow=uow) if hits else {}  # a clear name has nothing to dismiss
    return screen_report(
        index, name, hits, decisions, kind=kind, country=country, threshold=threshold, settings=settings
    )



async def screen_name_async(
    name: str,
    *,
    kind: str | None = None,
    country: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    settings: Settings,
) -> ScreenReport:
    """`screen_name` on a server's event loop: the same report, without handing the matching to a thread.

    Matching is computation only and short: it runs on the event loop, where a hand-off to a thread would
    cost more than the work (measured: docs/reliability.md 8). Finding the index in memory reads only the
    user-list directory and its small manifests, as every screen did before. Reviewer decisions (read only when there
    are hits) are awaited: inline on SQLite, on an asyncio connection on PostgreSQL. Loading the index (a
    worker's first screen) reads files: that runs in a worker thread.
    """
    import anyio.to_thread  # only servers call this: the CLI does not import the async stack

    index = cached_index(settings)
    if index is None:
        index = await anyio.to_thread.run_sync(get_index, settings)
    hits = find_hits(index, name, kind=kind, country=country, threshold=threshold)
    decisions = await load_decisions_async(settings, name) if hits else {}
    return screen_report(
        index, name, hits, decisions, kind=kind, country=country, threshold=threshold, settings=settings
    )

def find_hits(
    index: ScreeningIndex, name: str, *, kind: str | None, country: str | None, threshold: float
) -> list[Hit]:
    """The hits of one name: computation only, no input or output (the API runs it on its event loop)."""
    _check_query(name, kind, threshold)
    return index.screen(name, kind=kind, country=country, threshold=threshold)


def screen_report(
    index: ScreeningIndex,
    name: str,
    hits: list[Hit],
    decisions: dict[str, Decision],
    *,
    kind: str | None,
    country: str | None,
    threshold: float,
    settings: Settings,
) -> ScreenReport:
    """What `screen_name` returns, from hits found and the reviewer decisions on the name.

    `matches` holds both relations, one row per listed party, same-party rows first; `same_party` and
    `possible_affiliates` count them, so a reader acts on the first and reviews the second apart.
    """
    versions = _version_dicts(index, settings, dt.date.today())
    matches, dismissed = _apply_decisions(name, hits, decisions)
    return {
        "query": name,
        "type": kind,
        "country": country,
        "threshold": threshold,
        "lists": versions,
        "warnings": _warnings(versions),
        **relation_counts(matches),
        "matches": matches,
        "dismissed": dismissed,
    }


def _warnings(versions: list[ListVersionView]) -> list[str]:
    return [v["warning"] for v in versions if v["warning"]]


def _check_query(name: str, kind: str | None, threshold: float) -> None:
    if not name.strip():
        raise InputError("expected a non-empty name", field="name")
    if kind not in (None, "org", "person"):
        raise InputError(f"expected org or person, got {kind!r}", field="type")
    if not 0 < threshold <= 1:
        raise InputError(f"expected a number in (0, 1], got {threshold}", field="threshold")


def screen_many(
    rows: list[tuple[str, str | None, str | None]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    settings: Settings | None = None,
    progress: Callable[[int], None] | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> list[tuple[str, list[PartyHits]]]:
    """Batch screening: (name, type, country) rows -> open hits per name, one per listed party, in input order.

    Dismissed entries are left out; a party stays while any of its entries is open.
    """
    settings = settings_of(settings, uow)
    index = get_index(settings)
    decisions = load_decisions(settings, uow=uow)
    out = []
    for i, (name, kind, country) in enumerate(rows, start=1):
        hits = index.screen(name, kind=kind, country=country, threshold=threshold)
        kept = [h for h in hits if not _dismissed(name, h, decisions)]
        out.append((name, group_hits(kept)))
        if progress is not None:
            progress(i)
    return out


def compare_names(left: str, right: str, threshold: float = DEFAULT_THRESHOLD) -> Comparison:
    """`match` is true only when the two names are the same party: a possible affiliate never matches."""
    score, match, relation = compare_relation(left, right, threshold=threshold)
    return {"left": left, "right": right, "score": score, "match": match, "relation": relation, "threshold": threshold}


# ---- reviewer decisions (false positives), stored in the database (table screening_decisions) ----


def _name_key(name: str) -> str:
    return normalize(name).key or name.strip().lower()


def _decision_key(name: str, list_id: str, entry_id: str) -> str:
    return f"{_name_key(name)}|{list_id}|{entry_id}"


def load_decisions(
    settings: Settings, name: str | None = None, *, uow: AbstractUnitOfWork | None = None
) -> dict[str, Decision]:
    """Reviewer decisions (on `name` alone when given), keyed by normalized name, list and entry id.

    From `uow` when given; else from the database, where one name is read by the fast lookup (no ORM session)."""
    if uow is not None:
        with uow:
            return _decisions_by_key(uow.screening.decisions(None if name is None else _name_key(name)))
    if _no_database_yet(settings):
        return {}
    if name is not None:
        from rigport.adapters.db import lookups

        return _decisions_by_key(lookups.decisions_for_name(settings, _name_key(name)))
    with unit(settings, None) as uow:
        return _decisions_by_key(uow.screening.decisions())


async def load_decisions_async(settings: Settings, name: str) -> dict[str, Decision]:
    """`load_decisions(settings, name)` awaited on the API's event loop, without a thread hand-off."""
    if _no_database_yet(settings):
        return {}
    from rigport.adapters.db import lookups

    return _decisions_by_key(await lookups.decisions_for_name_async(settings, _name_key(name)))


def _no_database_yet(settings: Settings) -> bool:
    """No database yet, so no decisions: screening a name must not create one (or import SQLAlchemy)."""
    return settings.database_url is None and not settings.sqlite_path.exists()


def _decisions_by_key(rows: Iterable[Any]) -> dict[str, Decision]:
    return {f"{r.name_key}|{r.list_id}|{r.entry_id}": _decision_dict(r) for r in rows}


def _decision_dict(row: Any) -> Decision:
    return {
        "name": row.name,
        "list": row.list_id,
        "entry_id": row.entry_id,
        "entry_name": row.entry_name,
        "entry_fingerprint": row.entry_fingerprint,
        "verdict": row.verdict,
        "reason": row.reason,
        "reviewer": row.reviewer,
        "decided_at": row.decided_at.isoformat(timespec="seconds") if row.decided_at else None,
    }


def _dismissed(name: str, hit: Hit, decisions: dict[str, Decision]) -> Decision | None:
    d = decisions.get(_decision_key(name, hit.entry.list_id, hit.entry.entry_id))
    if d and d.get("entry_fingerprint") == hit.entry.fingerprint:
        return d
    return None


def _decide(
    name: str, hits: list[Hit], decisions: dict[str, Decision]
) -> tuple[list[PartyHits], list[PartyHits], dict[tuple[str, str], Review]]:
    """Open and dismissed parties, and the review of each decided entry (a decision on a changed entry reopens).

    Decisions stay per entry: a party leaves the open matches only when every one of its entries is dismissed.
    """
    open_hits: list[Hit] = []
    closed: list[Hit] = []
    reviews: dict[tuple[str, str], Review] = {}
    for hit in hits:
        d = decisions.get(_decision_key(name, hit.entry.list_id, hit.entry.entry_id))
        entry = (hit.entry.list_id, hit.entry.entry_id)
        if d and d.get("entry_fingerprint") == hit.entry.fingerprint:
            reviews[entry] = _review(d, "false_positive")
            closed.append(hit)
            continue
        if d:
            reopened = _review(d, "reopened")
            reopened["note"] = "the list entry changed since it was dismissed"
            reviews[entry] = reopened
        open_hits.append(hit)
    return group_hits(open_hits), group_hits(closed), reviews


def _review(decision: Decision, status: str) -> Review:
    """A copy of the stored decision with its status (the decision itself is shared by every screening)."""
    return cast(Review, {**decision, "status": status})  # mypy wants `note` in a ** literal; it is optional


def _party_row(party: PartyHits, reviews: dict[tuple[str, str], Review]) -> PartyMatch:
    row = party.to_dict()
    review = next((r for h in party.hits if (r := reviews.get((h.entry.list_id, h.entry.entry_id)))), None)
    if review is not None:
        row["review"] = review
    return row


def _apply_decisions(
    name: str, hits: list[Hit], decisions: dict[str, Decision]
) -> tuple[list[PartyMatch], list[PartyMatch]]:
    """Open matches and dismissed ones, one row per listed party (see `screening_groups`)."""
    open_parties, closed, reviews = _decide(name, hits, decisions)
    return [_party_row(p, reviews) for p in open_parties], [_party_row(p, reviews) for p in closed]


def relation_counts(matches: list[PartyMatch]) -> RelationCounts:
    """How many open matches are the party itself and how many possible affiliates (the two are shown apart)."""
    same = sum(1 for m in matches if m["relation"] == SAME)
    return {"same_party": same, "possible_affiliates": len(matches) - same}


def mark_false_positive(
    name: str, list_id: str, entry_id: str, reason: str, *, reviewer: str = "", settings: Settings | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> Decision:
    """Remember that `name` is not list entry (list_id, entry_id); reopened automatically if the entry changes."""
    return mark_false_positives(name, list_id, [entry_id], reason, reviewer=reviewer, settings=settings, uow=uow)[0]


def mark_false_positives(
    name: str,
    list_id: str,
    entry_ids: list[str],
    reason: str,
    *,
    reviewer: str = "",
    settings: Settings | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> list[Decision]:
    """`mark_false_positive` for every entry of a listed party at once (a result row's `entry_ids`).

    All or nothing: every id is checked against the lists in force before any decision is written.
    """
    from rigport.adapters.db.screening_tables import ScreeningDecisionRow

    settings = settings_of(settings, uow)
    if not reason.strip():
        raise InputError("say why this hit is a false positive", field="reason")
    if not name.strip():
        raise InputError("expected the screened name", field="name")
    if not entry_ids:
        raise InputError("expected at least one entry id", field="entry_ids")
    index = get_index(settings)
    by_id = {e.entry_id: e for e in index.entries if e.list_id == list_id and e.entry_id in entry_ids}
    missing = [i for i in entry_ids if i not in by_id]
    if missing:
        raise NotFoundError(f"list entry {list_id}/{missing[0]} not found in the lists in force; nothing recorded")
    records = []
    with unit(settings, uow) as uow:
        for entry_id in dict.fromkeys(entry_ids):
            entry = by_id[entry_id]
            row = uow.screening.save_decision(
                ScreeningDecisionRow(
                    name_key=_name_key(name), name=name.strip(), list_id=list_id, entry_id=entry_id,
                    entry_name=entry.name, entry_fingerprint=entry.fingerprint, verdict="false_positive",
                    reason=reason.strip(), reviewer=reviewer, decided_at=dt.datetime.now(dt.UTC),
                )
            )  # fmt: skip
            detail = {"name": name, "reason": reason.strip(), "entry_fingerprint": entry.fingerprint}
            uow.audit.record(reviewer or "cli", "dismiss_hit", "screening", f"{list_id}/{entry_id}", None, detail)
            uow.flush()
            records.append(_decision_dict(row))
        uow.commit()
    return records


# ---- screening a stored shipment: every party and chip supplier, results stored with the list versions ----


def screen_shipment(
    reference: str, *, actor: str = "cli", threshold: float = DEFAULT_THRESHOLD, settings: Settings | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> ShipmentScreening:
    """Screen every party, the importer, the carrier and each line's chip supplier of a stored shipment.

    The run, its results and an audit entry are stored in one transaction; decisions are read in the same one."""
    from rigport.adapters.db.screening_tables import ScreeningResultRow, ScreeningRunRow

    settings = settings_of(settings, uow)
    index = get_index(settings)
    versions = list_versions(settings)
    with unit(settings, uow) as uow:
        ship = uow.shipments.get(reference)
        if ship is None:
            raise NotFoundError(f"shipment {reference!r} not found")
        decisions = _decisions_by_key(uow.screening.decisions())
        subjects: list[tuple[str, str, str | None, str | None]] = []
        for party in ship.parties:
            subjects.append((party.name, party.role, None, party.country or None))
        if ship.importer_of_record:
            subjects.append((ship.importer_of_record, "importer of record", "org", None))
        if ship.carrier:
            subjects.append((ship.carrier, "carrier", "org", None))
        for item in ship.line_items:
            if item.chip_supplier:
                subjects.append((item.chip_supplier, f"chip supplier (line {item.line_no})", "org", None))
        seen: set[tuple[str, str]] = set()
        run = ScreeningRunRow(
            shipment_id=ship.id, actor=actor, threshold=threshold, screened_at=dt.datetime.now(dt.UTC),
            list_versions=[{k: v[k] for k in ("list", "as_of", "sha256", "source", "entries")} for v in versions],
        )  # fmt: skip
        out_subjects: list[SubjectResult] = []
        total_hits = 0
        for name, role, kind, country in subjects:
            if (name, role) in seen or not name.strip():
                continue
            seen.add((name, role))
            hits = index.screen(name, kind=kind, country=country, threshold=threshold)
            open_parties, closed, reviews = _decide(name, hits, decisions)
            matches = [_party_row(p, reviews) for p in open_parties]
            dismissed = [_party_row(p, reviews) for p in closed]
            total_hits += len(matches)
            status = "hit" if matches else ("dismissed" if dismissed else "clear")
            out_subjects.append({"subject": name, "role": role, "status": status, **relation_counts(matches),
                                 "matches": matches, "dismissed": dismissed})  # fmt: skip
            # stored one row per entry: the record of what was screened keeps each entry and its fingerprint
            for h in (h for p in open_parties + closed for h in p.hits):
                decided = reviews.get((h.entry.list_id, h.entry.entry_id))
                review = decided["status"] if decided else None
                result_status = "dismissed" if review == "false_positive" else (review or "hit")
                run.results.append(
                    ScreeningResultRow(
                        subject=name, role=role, status=result_status,
                        list_id=h.entry.list_id, entry_id=h.entry.entry_id, entry_name=h.entry.name,
                        matched_name=h.matched_name, score=round(h.score, 4), programs=list(h.entry.programs),
                        explanation=h.explanation.text(), entry_fingerprint=h.entry.fingerprint,
                        relation=h.relation, source_list=h.entry.source_list,
                    )
                )  # fmt: skip
            if not matches and not dismissed:
                run.results.append(ScreeningResultRow(subject=name, role=role, status="clear", list_id="", entry_id="",
                                                      entry_name="", matched_name="", score=None, programs=[],
                                                      explanation="", entry_fingerprint=""))  # fmt: skip
        uow.screening.add_run(run)
        uow.audit.record(
            actor, "screen", "shipment", reference, None, {"hits": total_hits, "subjects": len(out_subjects)}
        )
        uow.flush()
        run_id, screened_at = run.id, run.screened_at
        uow.commit()
    return {
        "shipment": reference,
        "run_id": run_id,
        "screened_at": screened_at.isoformat(timespec="seconds"),
        "threshold": threshold,
        "lists": versions,
        "warnings": _warnings(versions),
        "hits": total_hits,
        "subjects": out_subjects,
    }


def latest_shipment_screening(
    reference: str, settings: Settings | None = None, *, uow: AbstractUnitOfWork | None = None
) -> StoredScreening | None:
    """The most recent stored screening of a shipment (read-only), or None when it was never screened."""
    with unit(settings, uow) as uow:
        ship = uow.shipments.get(reference)
        if ship is None:
            raise NotFoundError(f"shipment {reference!r} not found")
        runs = uow.screening.runs_for_shipment(ship.id, limit=1)
        if not runs:
            return None
        run = runs[0]
        subjects: dict[tuple[str, str], StoredSubject] = {}
        for r in run.results:
            subject = subjects.setdefault((r.subject, r.role), {"subject": r.subject, "role": r.role,
                                                                "status": "clear", "matches": []})
            if r.status != "clear":
                add_stored_match(subject["matches"], r)
                if r.status == "hit" or subject["status"] == "clear":
                    subject["status"] = r.status
        for subject in subjects.values():  # same-party rows first, as in a fresh screening
            subject["matches"].sort(key=lambda m: (m["relation"] != SAME, -(m["score"] or 0.0)))
        return {"shipment": reference, "run_id": run.id, "screened_at": run.screened_at, "actor": run.actor,
                "threshold": run.threshold, "lists": run.list_versions,
                "hits": sum(1 for s in subjects.values() for m in s["matches"] if m["status"] == "hit"),
                "subjects": list(subjects.values())}  # fmt: skip


def add_stored_match(matches: list[StoredMatch], r: Any) -> None:
    """A stored result row (one per entry) joins the row of its listed party: same list, name and status."""
    key = (r.list_id, r.source_list, " ".join(r.entry_name.split()).casefold(), r.status)
    for m in matches:
        if (m["list"], m["source_list"], " ".join(m["name"].split()).casefold(), m["status"]) == key:
            m["entry_ids"].append(r.entry_id)
            if r.relation == SAME:
                m["relation"] = SAME
            if r.score is not None and (m["score"] is None or r.score > m["score"]):
                m["score"], m["matched_name"], m["explanation"] = r.score, r.matched_name, r.explanation
            m["programs"] = m["programs"] + [p for p in r.programs if p not in m["programs"]]
            return
    sub_list, agency = split_source_list(r.source_list)
    matches.append({"list": r.list_id, "source_list": r.source_list, "sub_list": sub_list, "agency": agency,
                    "entry_id": r.entry_id, "entry_ids": [r.entry_id], "name": r.entry_name,
                    "matched_name": r.matched_name, "relation": r.relation, "score": r.score,
                    "programs": list(r.programs), "explanation": r.explanation, "status": r.status})  # fmt: skip


# ---- loading and updating lists: validate completely, then swap in atomically ----


def load_list_file(
    path: Path,
    kind: str,
    *,
    add: Path | None = None,
    alt: Path | None = None,
    name: str | None = None,
    published: dt.date | None = None,
    source: str | None = None,
    settings: Settings | None = None,
) -> ListVersionView:
    """Validate a list file completely, then make it the copy in force for its list id."""
    settings = settings or get_settings()
    if kind not in KINDS:
        raise InputError(f"expected one of {', '.join(KINDS)}, got {kind!r}", field="kind")
    today = dt.date.today()
    data = list_files.read_file(path, kind)
    files: dict[str, tuple[str, bytes]]
    if kind == "ofac-sdn":
        add_data = list_files.read_file(add, "add.csv") if add else None
        alt_data = list_files.read_file(alt, "alt.csv") if alt else None
        lst = load_ofac(data, add_data, alt_data, labels=(str(path), str(add or "add.csv"), str(alt or "alt.csv")),
                        source=source or str(path), published=published, loaded=today)  # fmt: skip
        files = {"sdn": ("sdn.csv", data)}
        if add_data is not None:
            files["add"] = ("add.csv", add_data)
        if alt_data is not None:
            files["alt"] = ("alt.csv", alt_data)
        list_id = "ofac-sdn"
    elif kind == "csl":
        is_json = path.name.lower().endswith((".json", ".json.gz"))
        loader = load_csl_json if is_json else load_csl_csv
        lst = loader(data, label=str(path), source=source or str(path), published=published, loaded=today)
        files = {"csl": ("consolidated.json" if is_json else "consolidated.csv", data)}
        list_id = "csl"
    else:
        list_id = name or "user"
        if not list_id.replace("-", "").replace("_", "").isalnum():
            raise InputError(f"expected letters, digits, '-' or '_', got {list_id!r}", field="list_name")
        suffix = path.suffix.lower() if path.suffix.lower() in (".csv", ".yaml", ".yml") else ".csv"
        lst = load_user_list(data, label=str(path), list_id=list_id, source=source or str(path), loaded=today)
        files = {"user": (f"list{suffix}", data)}
    info = {
        "kind": kind,
        "title": lst.version.title,
        "source": source or str(path.resolve()),
        "published": (published or lst.version.published or today).isoformat(),
        "loaded": today.isoformat(),
        "date_note": lst.version.date_note or ("load date" if not published else "as given"),
    }
    list_files.install_copy(settings, list_id, files, info)
    index_cache.forget()
    return version_dict(read_copy(next(c for c in list_copies(settings) if c.list_id == list_id)).version,
                        today, settings.list_max_age_days)  # fmt: skip


def update_lists(
    *,
    url: str | None = None,
    lists: tuple[str, ...] = ("ofac-sdn", "csl"),
    settings: Settings | None = None,
    uow: AbstractUnitOfWork | None = None,
) -> ListUpdate:
    """Download the official files (or from `url`, a base holding sdn.csv, add.csv, alt.csv, consolidated.csv).

    Each list is downloaded and parsed completely before it replaces the previous copy; a failed,
    truncated or malformed download leaves the previous version in force. Returns the new versions
    and, per list, new and cleared hits for the names screened before (see `rescreen`).
    """
    settings = settings_of(settings, uow)
    urls = download.urls_from(url)
    today = dt.date.today()
    before = _watch_snapshot(settings, uow)
    updated: list[str] = []
    errors: list[str] = []
    with download.client(settings.http_timeout_s) as client:
        for list_id in lists:
            try:
                if list_id == "ofac-sdn":
                    blobs = {r: download.download(client, urls[r]) for r in ("sdn", "add", "alt")}
                    labels = (urls["sdn"], urls["add"], urls["alt"])
                    lst = load_ofac(blobs["sdn"], blobs["add"], blobs["alt"], labels=labels,
                                    source=urls["sdn"], published=today, loaded=today)  # fmt: skip
                    files = {r: (f"{r}.csv", b) for r, b in blobs.items()}
                elif list_id == "csl":
                    blob = download.download(client, urls["csl"])
                    lst = load_csl_csv(blob, label=urls["csl"], source=urls["csl"], published=today, loaded=today)
                    files = {"csl": ("consolidated.csv", blob)}
                else:
                    raise InputError(f"expected ofac-sdn or csl, got {list_id!r}", field="lists")
            except (UnavailableError, InputError) as exc:
                errors.append(
                    f"{list_id}: {exc}" if "previous list kept" in str(exc) else f"{list_id}: {exc}; previous list kept"
                )
                continue
            info = {
                "kind": list_id,
                "title": lst.version.title,
                "source": lst.version.source,
                "published": today.isoformat(),
                "loaded": today.isoformat(),
                "date_note": "downloaded",
            }
            list_files.install_copy(settings, list_id, files, info)
            index_cache.forget()
            updated.append(list_id)
    versions = list_status(settings)["lists"]
    changes: Rescreen = rescreen(settings, before, uow=uow) if updated else {"new_hits": [], "cleared_hits": []}
    return {"updated": updated, "errors": errors, "lists": versions, "rescreen": changes}


# ---- names screened before, re-screened after an update ----


def remember_party(name: str, kind: str | None, country: str | None, settings: Settings | None = None) -> None:
    """Keep an ad-hoc name (not a stored shipment party) so a list update re-screens it too."""
    settings = settings or get_settings()
    names = watchlist.read(settings)
    item = {"name": name, "type": kind, "country": country}
    if item not in names:
        names.append(item)
        watchlist.write(settings, names)


def _stored_parties(
    settings: Settings, uow: AbstractUnitOfWork | None = None
) -> list[tuple[str, str | None, str | None]]:
    if uow is None and _no_database_yet(settings):
        return []  # nothing stored yet
    with unit(settings, uow) as uow:
        return [(n, k or None, c or None) for n, k, c in uow.screening.stored_parties()]


def _watch_snapshot(settings: Settings, uow: AbstractUnitOfWork | None = None) -> dict[str, set[tuple[str, str]]]:
    """Current hits of every stored party and chip supplier, and of names kept with remember_party."""
    rows = [(n["name"], n.get("type"), n.get("country")) for n in watchlist.read(settings)]
    rows += [r for r in _stored_parties(settings, uow) if r not in rows]
    if not rows:
        return {}
    results = screen_many(rows, settings=settings, uow=uow)
    return {name: {(h.entry.list_id, h.entry.entry_id) for p in parties for h in p.hits} for name, parties in results}


def rescreen(
    settings: Settings, before: dict[str, set[tuple[str, str]]], *, uow: AbstractUnitOfWork | None = None
) -> Rescreen:
    """Screen every remembered party again and report hits that appeared or disappeared."""
    after = _watch_snapshot(settings, uow)
    new: list[ChangedHit] = []
    cleared: list[ChangedHit] = []
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name, set()), after.get(name, set())
        new += [{"name": name, "list": lst, "entry_id": eid} for lst, eid in sorted(a - b)]
        cleared += [{"name": name, "list": lst, "entry_id": eid} for lst, eid in sorted(b - a)]
    return {"new_hits": new, "cleared_hits": cleared}
