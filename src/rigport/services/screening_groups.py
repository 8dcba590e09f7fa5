"""One result row per listed party, same-party hits before possible affiliates.

The Consolidated Screening List repeats one party as several entries: "Huawei Technologies Co., Ltd.
(Huawei)" is on the Entity List three times, once per address, each with its own `_id` and Federal
Register notices. Shown as three rows, one party looks like three and a reviewer judges it three times.
Here the entries of one list, sub-list and primary name become one row that keeps every entry id (a
reviewer's decision is still recorded per entry), with the countries, programs and notices of all of
them, and the row's relation is "same" when any of its entries is the party itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NotRequired, cast

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.domain.screening.model import Hit

SAME = "same"
AFFILIATE = "possible-affiliate"
_RELATION_ORDER = {SAME: 0, AFFILIATE: 1}
# "84 FR 22961", "84 F.R. 22961 5/21/2019", "85 FR  51603": one citation; a notice string that splits into
# pieces each starting like this is a list of citations, merged piece by piece
_CITATION = re.compile(r"\d+\s*F\.?\s*R\.?\s+\d+")


class MatchedToken(TypedDict):
    query: str
    list: str
    similarity: float


class PartyEntry(TypedDict):
    """What differs between the entries of one listed party."""

    entry_id: str
    matched_name: str
    relation: str
    score: float
    countries: list[str]
    federal_register_notice: str
    start_date: str
    entry_fingerprint: str


class Decision(TypedDict):
    """A reviewer's decision on a listed entry for a name (stored in screening_decisions)."""

    name: str
    list: str
    entry_id: str
    entry_name: str
    entry_fingerprint: str
    verdict: str
    reason: str
    reviewer: str
    decided_at: str | None


class Review(Decision):
    """A decision as shown beside a match: in force ("false_positive") or "reopened" (the entry changed since)."""

    status: str
    note: NotRequired[str]


class PartyMatch(TypedDict):
    """One row per listed party: the best hit's fields (`Hit.to_dict`) with every entry's merged in."""

    list: str
    source_list: str
    entry_id: str
    name: str
    matched_name: str
    relation: str
    score: float
    programs: list[str]
    type: str
    countries: list[str]
    federal_register_notice: str
    license_requirement: str
    license_policy: str
    start_date: str
    entry_fingerprint: str
    explanation: str
    matched_tokens: list[MatchedToken]
    unmatched_query_tokens: list[str]
    unmatched_list_tokens: list[str]
    entry_ids: list[str]
    sub_list: str
    agency: str
    entries: list[PartyEntry]
    review: NotRequired[Review]


def split_source_list(source_list: str) -> tuple[str, str]:
    """("Entity List (EL)", "Bureau of Industry and Security") from the CSL's "<list> - <agency>" label."""
    name, sep, agency = source_list.rpartition(" - ")
    if not sep or not name.strip():
        return source_list.strip(), ""
    return name.strip(), agency.strip()


def _key(hit: Hit) -> tuple[str, str, str]:
    """Same list, same sub-list, same primary name (spacing and case aside): the same listed party."""
    e = hit.entry
    return e.list_id, e.source_list, " ".join(e.name.split()).casefold()


def _unique(values: Iterable[str]) -> list[str]:
    """Non-empty values in first-seen order, each once."""
    seen: dict[str, str] = {}
    for value in values:
        v = " ".join(value.split())
        key = v.rstrip(".").casefold()  # "Presumption of denial" and "Presumption of denial." are one policy
        if key and key not in seen:
            seen[key] = v
    return list(seen.values())


def _notice_parts(notice: str) -> list[str]:
    """The citations of a notice field, so notices repeated across a party's entries are listed once."""
    parts = [" ".join(p.split()) for p in re.split(r"[;,]", notice)]
    parts = [p for p in parts if p]
    if parts and all(_CITATION.match(p) for p in parts):
        return parts
    return [" ".join(notice.split())] if notice.strip() else []


def merge_notices(notices: Iterable[str]) -> str:
    return ", ".join(_unique(p for n in notices for p in _notice_parts(n)))


@dataclass(frozen=True)
class PartyHits:
    """The hits on the entries of one listed party, best first (same before affiliate, then by score)."""

    hits: tuple[Hit, ...]

    @property
    def best(self) -> Hit:
        return self.hits[0]

    @property
    def entry_ids(self) -> list[str]:
        return [h.entry.entry_id for h in self.hits]

    @property
    def relation(self) -> str:
        return self.best.relation

    @property
    def score(self) -> float:
        return max(h.score for h in self.hits)

    def to_dict(self) -> PartyMatch:
        """The best hit's fields, with the ids, countries, programs and notices of every entry merged.

        The domain's `Hit.to_dict` is a plain dict; `PartyMatch` names its keys (a test keeps the two equal).
        """
        entries = [h.entry for h in self.hits]
        sub_list, agency = split_source_list(self.best.entry.source_list)
        row = self.best.to_dict()
        row.update(
            entry_ids=self.entry_ids,
            sub_list=sub_list,
            agency=agency,
            score=round(self.score, 4),
            programs=_unique(p for e in entries for p in e.programs),
            countries=_unique(c for e in entries for c in e.countries),
            federal_register_notice=merge_notices(e.federal_register_notice for e in entries),
            license_requirement="; ".join(_unique(e.license_requirement for e in entries)),
            license_policy="; ".join(_unique(e.license_policy for e in entries)),
            start_date=min((e.start_date for e in entries if e.start_date), default=""),
            entries=[_entry_dict(h) for h in self.hits],
        )
        return cast(PartyMatch, row)


def _entry_dict(hit: Hit) -> PartyEntry:
    """What differs between a party's entries: id, name matched, score, countries, notice, date, fingerprint."""
    e = hit.entry
    return {
        "entry_id": e.entry_id,
        "matched_name": hit.matched_name,
        "relation": hit.relation,
        "score": round(hit.score, 4),
        "countries": list(e.countries),
        "federal_register_notice": e.federal_register_notice,
        "start_date": e.start_date,
        "entry_fingerprint": e.fingerprint,
    }


def _rank(hit: Hit) -> tuple[int, float]:
    return _RELATION_ORDER.get(hit.relation, len(_RELATION_ORDER)), -hit.score


def group_hits(hits: Iterable[Hit]) -> list[PartyHits]:
    """One `PartyHits` per listed party: same-party rows first, then possible affiliates, each by score."""
    groups: dict[tuple[str, str, str], list[Hit]] = {}
    for hit in hits:
        groups.setdefault(_key(hit), []).append(hit)
    parties = [PartyHits(tuple(sorted(g, key=_rank))) for g in groups.values()]
    return sorted(parties, key=lambda p: _rank(p.best))  # stable: ties keep the index's order
