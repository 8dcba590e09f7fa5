"""Plain values shared by the screening package: list entries, list versions, hits.

Everything here is a frozen dataclass so loaded lists and indexes can be cached and shared
between threads without copying.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Literal

EntryKind = Literal["person", "org", "vessel", "aircraft", "component", ""]


@dataclass(frozen=True, slots=True)  # (slots: tens of thousands are held by every index, ~250 bytes less each)
class Alias:
    """Another name of an entry; weak aliases (short or flagged) only count when matched exactly."""

    name: str
    kind: str = "aka"
    weak: bool = False


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One party (or component) on a list, with the facts a reviewer needs to judge a hit."""

    list_id: str
    entry_id: str
    name: str
    kind: EntryKind = ""
    aliases: tuple[Alias, ...] = ()
    programs: tuple[str, ...] = ()
    source_list: str = ""
    countries: tuple[str, ...] = ()
    federal_register_notice: str = ""
    license_requirement: str = ""
    license_policy: str = ""
    start_date: str = ""
    remarks: str = ""
    source_url: str = ""

    def all_names(self) -> list[tuple[str, bool]]:
        """The primary name and every alias as (name, weak)."""
        return [(self.name, False), *((a.name, a.weak) for a in self.aliases)]

    @property
    def fingerprint(self) -> str:
        """Changes whenever a fact that a reviewer decision depends on changes (names, programs, type)."""
        parts = [self.name, self.kind, *sorted(a.name for a in self.aliases), *sorted(self.programs)]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class ListVersion:
    """Which copy of a list was used: where it came from, its hash and its date."""

    list_id: str
    title: str
    source: str
    sha256: str
    published: dt.date | None
    loaded: dt.date
    entries: int
    names: int
    counts: dict[str, int] = field(default_factory=dict)
    date_note: str = ""

    @property
    def as_of(self) -> dt.date:
        """The date the content is current as of: publication date when known, else load date."""
        return self.published or self.loaded

    def age_days(self, today: dt.date) -> int:
        return (today - self.as_of).days


@dataclass(frozen=True)
class ScreeningList:
    """A fully loaded list: its version and every entry (never half-loaded)."""

    version: ListVersion
    entries: tuple[ListEntry, ...]


@dataclass(frozen=True)
class Explanation:
    """Why two names were judged alike: token by token."""

    matched_tokens: tuple[tuple[str, str, float], ...]
    unmatched_query_tokens: tuple[str, ...]
    unmatched_list_tokens: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def text(self) -> str:
        parts = []
        if self.matched_tokens:
            parts.append(
                "matched " + ", ".join(f"{a}={b}" if a == b else f"{a}~{b}" for a, b, _ in self.matched_tokens)
            )
        if self.unmatched_query_tokens:
            parts.append("not in list name: " + ", ".join(self.unmatched_query_tokens))
        if self.unmatched_list_tokens:
            parts.append("not in query: " + ", ".join(self.unmatched_list_tokens))
        parts.extend(self.notes)
        return "; ".join(parts)


@dataclass(frozen=True)
class Hit:
    """One list entry that matched a query name, with the evidence."""

    entry: ListEntry
    matched_name: str
    score: float
    explanation: Explanation
    relation: str = "same"  # "same" (this party) or "possible-affiliate" (the listed name plus a qualifier)

    def to_dict(self) -> dict[str, object]:
        e = self.entry
        return {
            "list": e.list_id,
            "source_list": e.source_list,
            "entry_id": e.entry_id,
            "name": e.name,
            "matched_name": self.matched_name,
            "relation": self.relation,
            "score": round(self.score, 4),
            "programs": list(e.programs),
            "type": e.kind,
            "countries": list(e.countries),
            "federal_register_notice": e.federal_register_notice,
            "license_requirement": e.license_requirement,
            "license_policy": e.license_policy,
            "start_date": e.start_date,
            "entry_fingerprint": e.fingerprint,
            "explanation": self.explanation.text(),
            "matched_tokens": [
                {"query": a, "list": b, "similarity": round(s, 3)} for a, b, s in self.explanation.matched_tokens
            ],
            "unmatched_query_tokens": list(self.explanation.unmatched_query_tokens),
            "unmatched_list_tokens": list(self.explanation.unmatched_list_tokens),
        }
