"""Candidate generation without scanning every list name.

An inverted index maps each canonical token to the names that contain it. Fuzzy lookups use a
symmetric-delete table (every token with one character deleted, as in SymSpell): two tokens within
about two edits share a key, so a misspelt query word still finds its list word in O(len) lookups.
Very common tokens (generic words) are skipped when a query has rarer ones. Each candidate is then
scored with the full token alignment in `match`; only candidates are scored.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from rigport.screening.match import (
    DEFAULT_THRESHOLD,
    adjust,
    align,
    infer_kind,
    token_similarity,
)
from rigport.screening.model import Hit, ListEntry, ScreeningList
from rigport.screening.normalize import GENERIC, HONORIFICS, normalize

MAX_CANDIDATES = 60
COMMON_DF = 400  # tokens in more names than this only count when the query has nothing rarer
WEAK_ALIAS_MIN = 0.95


def _deletes(token: str) -> set[str]:
    if len(token) < 4:
        return set()
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "9": "g"})


@dataclass
class ScreeningIndex:
    """Every name and alias of the loaded lists, indexed by token; picklable for the on-disk cache."""

    entries: list[ListEntry] = field(default_factory=list)
    name_entry: list[int] = field(default_factory=list)
    name_text: list[str] = field(default_factory=list)
    name_weak: list[bool] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    deletes: dict[str, list[str]] = field(default_factory=dict)
    joined: dict[str, list[int]] = field(default_factory=dict)
    versions: list[object] = field(default_factory=list)

    @classmethod
    def build(cls, lists: list[ScreeningList]) -> ScreeningIndex:
        index = cls()
        postings: dict[str, list[int]] = defaultdict(list)
        joined: dict[str, list[int]] = defaultdict(list)
        for lst in lists:
            index.versions.append(lst.version)
            for entry in lst.entries:
                entry_no = len(index.entries)
                index.entries.append(entry)
                for text, weak in entry.all_names():
                    norm = normalize(text)
                    if not norm.tokens:
                        continue
                    name_no = len(index.name_text)
                    index.name_entry.append(entry_no)
                    index.name_text.append(text)
                    index.name_weak.append(weak)
                    for token in set(norm.tokens):
                        postings[token].append(name_no)
                    joined["".join(norm.tokens)].append(name_no)
        deletes: dict[str, list[str]] = defaultdict(list)
        for token in postings:
            for d in _deletes(token):
                deletes[d].append(token)
        index.postings = dict(postings)
        index.joined = dict(joined)
        index.deletes = dict(deletes)
        return index

    @property
    def size(self) -> int:
        return len(self.name_text)

    def similar_tokens(self, token: str) -> list[str]:
        """Vocabulary tokens within about two edits of `token` (itself included when present)."""
        found = {token} if token in self.postings else set()
        keys = _deletes(token) | {token}
        for key in keys:
            found.update(self.deletes.get(key, ()))
            if key in self.postings:
                found.add(key)
        return [t for t in found if token_similarity(token, t) > 0]

    def candidates(self, query: str) -> list[int]:
        """Name numbers worth scoring for `query`, best first by summed inverse document frequency."""
        norm = normalize(query)
        tokens = [t.translate(_LEET) if not t.isdigit() else t for t in norm.tokens]
        total = max(1, self.size)
        scores: dict[int, float] = defaultdict(float)
        rare = [t for t in tokens if t not in GENERIC and t not in HONORIFICS]
        for token in tokens:
            for vocab in self.similar_tokens(token):
                posting = self.postings[vocab]
                if len(posting) > COMMON_DF and (rare or len(posting) > 20 * COMMON_DF):
                    continue
                idf = math.log(total / len(posting))
                for name_no in posting:
                    scores[name_no] += idf
        for name_no in self.joined.get("".join(tokens), ()):
            scores[name_no] += 100.0
        if not scores:
            return []
        best = sorted(scores.items(), key=lambda kv: -kv[1])[:MAX_CANDIDATES]
        return [name_no for name_no, _ in best]

    def screen(
        self,
        query: str,
        *,
        kind: str | None = None,
        country: str | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> list[Hit]:
        """Entries whose name or alias scores at least `threshold` against `query`, best first, one hit per entry."""
        qn = normalize(query)
        if not qn.distinctive:
            return []  # generic words alone ("Technology", "Trading Company") never make a hit
        qkind = infer_kind(qn, kind)
        best: dict[int, Hit] = {}
        for name_no in self.candidates(query):
            entry_no = self.name_entry[name_no]
            entry = self.entries[entry_no]
            text = self.name_text[name_no]
            comparison = adjust(align(qn, normalize(text)), qkind, entry.kind, country, entry.countries)
            score = comparison.score
            if self.name_weak[name_no] and score < WEAK_ALIAS_MIN:
                continue
            if score < threshold:
                continue
            current = best.get(entry_no)
            if current is None or score > current.score:
                best[entry_no] = Hit(entry, text, score, comparison.explanation)
        return sorted(best.values(), key=lambda h: (-h.score, h.entry.list_id, h.entry.entry_id))

    def all_names(self) -> list[str]:
        return list(self.name_text)
