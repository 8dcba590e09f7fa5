"""Candidate generation without scanning every list name.

An inverted index maps each canonical token to the names that contain it. Fuzzy lookups use a
symmetric-delete table (every token with one character deleted, as in SymSpell): two tokens within
about two edits share a key, so a misspelt query word still finds its list word in O(len) lookups.
Very common tokens (generic words) are skipped when a query has rarer ones. Each candidate is then
scored with the full token alignment in `match`; only candidates are scored.
"""

from __future__ import annotations

import gc
import heapq
import math
import zlib
from array import array
from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import Final

from rigport.domain.screening.match import (
    DEFAULT_THRESHOLD,
    ORG_KINDS,
    SLIP_IDENTITY_SCORE,
    SLIP_MIN_LENGTH,
    TOKEN_MIN_SIMILARITY,
    Comparison,
    SlipQuery,
    adjust,
    align,
    consonant_skeleton,
    infer_kind,
    name_parts,
    name_weights,
    relation,
    skeleton_similarity,
    slip_pair,
    token_similarity,
    token_weight,
)
from rigport.domain.screening.model import Explanation, Hit, ListEntry, ScreeningList
from rigport.domain.screening.normalize import (
    GENERIC,
    HONORIFICS,
    SLIP_QUERY_MIN,
    NormalName,
    identity_keys,
    may_hold_legal_form,
    normalize,
    one_letter_less,
    slip_keys,
)

MAX_CANDIDATES = 60
COMMON_DF: Final = 400  # tokens in more names than this only count when the query has nothing rarer
WEAK_ALIAS_MIN: Final = 0.95
BOUND_SLACK: Final = 0.1
BOUND_RANK_DIGITS: Final = 1
SIMILAR_CACHE_MAX: Final = 1 << 16  # remembered look-ups of similar list words (cleared when full)
JOINED_RANK: Final = 100.0  # a list name that is the whole query written as one word ranks first
WINDOW_MARGIN: Final = 1e-9  # the slice is cut this far below the bound needed; each name is then checked exactly
COUNTRY_BOOST_MAX: Final = 1.05  # adjust() adds at most +0.03: a name scoring below threshold/1.05 cannot become a hit


def _deletes(token: str) -> set[str]:
    """`token` with one letter deleted, every way (`normalize.one_letter_less`). Down to three-letter words: a
    vowel slip in a short word (Ala / Ali, Kim / Kym) is one word to the slip rule of `match` (`slip_pair`), so
    the index must reach it too."""
    if len(token) < SLIP_MIN_LENGTH:
        return set()
    return one_letter_less(token)


# A list word a query word reaches: (its posting, the posting's idf, the query word's weight, the word's position,
# whether the list word is only a slip away: `match.slip_pair`, a pair `token_similarity` scores 0).
#
# Such a pair only counts through the slip rule, which needs the rest of the two names to agree (a distinctive word
# matched exactly): a name reached through slips alone is no candidate, unless a query word too common to look up
# may be the rest of it.
Reach = tuple[list[int], float, float, int, bool]


def _bound(matched: float, wq: float, wc: float) -> float:
    """Best score a list name of weight `wc` could reach against a query of weight `wq` if the query words it
    holds (weighing `matched`) all matched perfectly: the weighted share of both names, blended with the share
    of the smaller name (the scoring formula of `match.align`).

    As a function of `wc` it rises up to min(matched, wq) and falls after (`_window` relies on it).
    """
    small = wq if wq < wc else wc
    if matched > small:
        matched = small
    return matched / (wq + wc) + 0.5 * matched / small if small else 0.0


def _window(posting: list[int], weights: list[float], matched: float, wq: float, need: float) -> tuple[int, int]:
    """The slice of `posting` (name numbers sorted by name weight) whose `_bound` reaches `need`.

    The bound rises with the name's weight up to min(matched, wq) and falls after: one bisection on each side.
    """
    if need <= 0.0:
        return 0, len(posting)
    peak = min(matched, wq)
    lo, hi = 0, len(posting)  # top: the first name weighing `peak` or more
    while lo < hi:
        mid = (lo + hi) // 2
        if weights[posting[mid]] < peak:
            lo = mid + 1
        else:
            hi = mid
    top = lo
    lo, hi = 0, top  # start: the first name before `top` whose bound reaches `need` (the bound rises here)
    while lo < hi:
        mid = (lo + hi) // 2
        if _bound(matched, wq, weights[posting[mid]]) < need:
            lo = mid + 1
        else:
            hi = mid
    start = lo
    lo, hi = top, len(posting)  # end: past the last name from `top` on whose bound reaches `need` (it falls)
    while lo < hi:
        mid = (lo + hi) // 2
        if _bound(matched, wq, weights[posting[mid]]) < need:
            hi = mid
        else:
            lo = mid + 1
    return start, lo


def _sums(reached: list[Reach], names: set[int]) -> tuple[dict[int, float], dict[int, float]]:
    """Summed idf and covered query-word weight of `names`, added in the order of the query words and their
    postings; a name in two similar list words' postings of one query word is covered once."""
    scores: dict[int, float] = {}
    covered: dict[int, float] = {}
    if not names:
        return scores, covered
    word_names: set[int] = set()
    word, word_weight = -1, 0.0
    for posting, idf, weight, position, _ in reached:
        if position != word:
            for name_no in word_names:
                covered[name_no] = covered.get(name_no, 0.0) + word_weight
            word_names, word, word_weight = set(), position, weight
        hit = names.intersection(posting)
        for name_no in hit:
            scores[name_no] = scores.get(name_no, 0.0) + idf
        if weight:
            word_names |= hit
    for name_no in word_names:
        covered[name_no] = covered.get(name_no, 0.0) + word_weight
    return scores, covered


def _one_deleted(short: str, long: str) -> bool:
    """Whether `short` is `long` with one letter deleted (one of `_deletes(long)`)."""
    if len(long) != len(short) + 1:
        return False
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


_TAG_CRC: Final = {tag: zlib.crc32(f"{tag} ".encode()) for tag in ("d", "w", "f", "b")}


def _hash(tag: str, key: str) -> int:
    """CRC-32 of "tag key": the tag's prefix is hashed once (`zlib.crc32` continues from a running value)."""
    return zlib.crc32(key.encode(), _TAG_CRC[tag])


def _pair(key: int, name_no: int) -> int:
    """A (32-bit key, name) pair as one 64-bit number: sorted as the pair would be, kept in an array("Q")."""
    return key << 32 | name_no


@dataclass
class KeyTable:
    """Many names per 32-bit key, looked up by key: (key, name) pairs (`_pair`) as two arrays sorted by key, cut
    into about as many buckets as there are keys by the top bits of the key (`shift`), and where each bucket
    starts. A dict of lists took ~70 MB more at its peak (the disk cache's pickling); sorted as plain numbers,
    not as tuples: a list of 300,000 tuples took seconds to sort and tens of MB to hold.

    A bucket holds a key or two: most keys a query makes are in none and cost one look at `starts`, and a key
    that is there is found by a short scan (a bisection boxed a number at each step: with 65,536 buckets of
    about 8 keys a look-up took a tenth of a batch's time).
    """

    keys: array[int]
    names: array[int]
    starts: array[int]
    shift: int

    @classmethod
    def build(cls, pairs: array[int]) -> KeyTable:
        ordered = sorted(pairs)
        keys = array("I", [v >> 32 for v in ordered])
        bits = min(24, max(8, len(keys).bit_length()))  # 2**bits buckets: at least as many as keys, 64 MB at most
        shift = 32 - bits
        starts = [0] * ((1 << bits) + 1)
        for key in keys:
            starts[(key >> shift) + 1] += 1
        for b in range(1, len(starts)):
            starts[b] += starts[b - 1]
        return cls(keys, array("I", [v & 0xFFFFFFFF for v in ordered]), array("I", starts), shift)

    def lookup(self, key: int) -> list[int]:
        """The names of `key`, in name order."""
        bucket = key >> self.shift
        starts = self.starts
        lo, end = starts[bucket], starts[bucket + 1]
        if lo == end:
            return []
        keys = self.keys
        while lo < end and keys[lo] < key:
            lo += 1
        hi = lo
        while hi < end and keys[hi] == key:
            hi += 1
        return list(self.names[lo:hi]) if hi > lo else []

    def __getstate__(self) -> dict[str, object]:
        return {"keys": self.keys, "names": self.names, "starts": self.starts, "shift": self.shift}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():  # (compiled by mypyc, the class has no __dict__)
            setattr(self, name, value)


def _settle() -> None:
    """Move the objects alive now (the finished index: millions of postings, names and entries) out of the
    cyclic garbage collector's reach (gc.freeze). They live as long as the index and hold no cycles to
    reclaim, yet every full collection walked all of them: screening spent a noticeable share of its time
    there, growing with the token caches of `match`. Reference counting still frees them when the index goes.
    """
    gc.collect()
    gc.freeze()


@dataclass
class ScreeningIndex:
    """Every name and alias of the loaded lists, indexed by token; picklable for the on-disk cache."""

    entries: list[ListEntry] = field(default_factory=list)
    name_entry: list[int] = field(default_factory=list)
    name_text: list[str] = field(default_factory=list)
    name_weak: list[bool] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)  # token -> names, sorted by name weight
    # The symmetric-delete table (`_deletes`, hashed) -> list words, as numbers into `vocabulary`: a dict of the
    # ~177,000 deletes as strings, each with a list, took ~30 MB and many of the objects the disk cache pickles.
    vocabulary: list[str] = field(default_factory=list)
    deletes: KeyTable = field(default_factory=lambda: KeyTable.build(array("Q")))
    joined: dict[str, list[int]] = field(default_factory=dict)
    skeletons: dict[str, list[str]] = field(default_factory=dict)
    name_weight: list[float] = field(default_factory=list)
    # Identity (`normalize.identity_keys`, hashed): "w" + the name's words in any order -> names; "f" + with the
    # legal form -> names that state one; "b" + the words -> names that state none (a query with a legal form is
    # also the bare name). And `normalize.slip_keys` -> names. Each a `KeyTable`.
    identities: KeyTable = field(default_factory=lambda: KeyTable.build(array("Q")))
    slips: KeyTable = field(default_factory=lambda: KeyTable.build(array("Q")))
    versions: list[object] = field(default_factory=list)
    _similar: dict[tuple[str, bool], list[tuple[str, bool]]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, lists: list[ScreeningList]) -> ScreeningIndex:
        """The index over `lists`. The cyclic garbage collector is off meanwhile: the build makes millions of
        objects and frees none in cycles, yet each full collection walked all of them made so far."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            return cls._build(lists)
        finally:
            if enabled:
                gc.enable()

    @classmethod
    def _build(cls, lists: list[ScreeningList]) -> ScreeningIndex:
        index = cls()
        postings: dict[str, list[int]] = defaultdict(list)
        joined: dict[str, list[int]] = defaultdict(list)
        identity: array[int] = array("Q")
        slips: array[int] = array("Q")
        for lst in lists:
            index.versions.append(lst.version)
            for entry in lst.entries:
                entry_no = len(index.entries)
                index.entries.append(entry)
                person = entry.kind == "person"
                for text, weak in entry.all_names():
                    norm = normalize(text)
                    if not norm.tokens:
                        continue
                    name_no = len(index.name_text)
                    index.name_entry.append(entry_no)
                    index.name_text.append(text)
                    index.name_weak.append(weak)
                    index.name_weight.append(sum(name_weights(norm), 0.0))
                    for token in set(norm.tokens):
                        postings[token].append(name_no)
                    joined["".join(norm.tokens)].append(name_no)
                    # A person's name with a word spelled like a legal form (PAO, Yu Liang) is also identical to
                    # itself read as a person's (every word a name part), in any order.
                    as_person = person and may_hold_legal_form(text)
                    for read in (norm, normalize(text, True)) if as_person else (norm,):
                        words, full = identity_keys(read)
                        identity.append(_pair(_hash("w", words), name_no))
                        identity.append(_pair(_hash("f", full) if full else _hash("b", words), name_no))
                    slips.extend(_pair(key, name_no) for key in set(slip_keys(norm)))
        index.vocabulary = list(postings)
        deletes: array[int] = array("Q")
        for token_no, token in enumerate(index.vocabulary):  # each word under its deletes, and under itself
            deletes.extend(_pair(_hash("d", d), token_no) for d in (*_deletes(token), token))
        skeletons: dict[str, list[str]] = defaultdict(list)
        for token in postings:
            if token.isalpha() and len(skeleton := consonant_skeleton(token)) >= 2:
                skeletons[skeleton].append(token)
        weight = index.name_weight.__getitem__
        index.postings = {token: sorted(names, key=lambda n: (weight(n), n)) for token, names in postings.items()}
        index.joined = dict(joined)
        index.identities = KeyTable.build(identity)
        index.slips = KeyTable.build(slips)
        index.deletes = KeyTable.build(deletes)
        index.skeletons = dict(skeletons)
        _settle()
        return index

    def __getstate__(self) -> dict[str, object]:
        """The disk cache holds the index, not the look-ups made with it."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "_similar"}

    def __setstate__(self, state: dict[str, object]) -> None:
        """Unpickled from the disk cache: the index is complete, so it is settled like a fresh build."""
        for name, value in state.items():  # (compiled by mypyc, the class has no __dict__)
            setattr(self, name, value)
        self._similar = {}
        _settle()

    @property
    def size(self) -> int:
        return len(self.name_text)

    def similar_tokens(self, token: str, abjad: bool = False) -> list[str]:
        """Vocabulary tokens within about two edits of `token` (itself included when present), and the short words
        the slip rule reads as `token` (`match.slip_pair`: Ala / Ali, Kim / Kym).

        A word transliterated from Arabic or Hebrew script (`abjad`) is written without most vowels
        (صدام -> sdm): it also finds the list words with the same consonant skeleton (Saddam -> sdm).
        """
        return [vocab for vocab, _ in self.similar_words(token, abjad)]

    def similar_words(self, token: str, abjad: bool = False) -> list[tuple[str, bool]]:
        """`similar_tokens`, each with whether it is only a slip away (`match.slip_pair`, similar by no other rule).

        Remembered per word: a batch repeats its words (company words, common given names).
        """
        key = (token, abjad)
        cached = self._similar.get(key)
        if cached is None:
            if len(self._similar) >= SIMILAR_CACHE_MAX:
                self._similar.clear()
            cached = self._similar[key] = self._similar_words(token, abjad)
        return cached

    def _similar_words(self, token: str, abjad: bool) -> list[tuple[str, bool]]:
        found = {token} if token in self.postings else set()
        if abjad:
            skeleton = consonant_skeleton(token)
            found.update(self.skeletons.get(skeleton, ()) if len(skeleton) >= 2 else ())
        if len(token) >= SLIP_MIN_LENGTH:  # (a word of one or two letters reaches only itself, as before)
            vocabulary = self.vocabulary
            for key in _deletes(token) | {token}:  # the list words `key` is, or is one letter less of
                for token_no in self.deletes.lookup(_hash("d", key)):
                    vocab = vocabulary[token_no]
                    if vocab == key or _one_deleted(key, vocab):  # (32-bit hashes can collide)
                        found.add(vocab)
        similarity = skeleton_similarity if abjad else token_similarity
        words: list[tuple[str, bool]] = []
        for vocab in found:
            if similarity(token, vocab) > 0:
                words.append((vocab, False))
            elif slip_pair(token, vocab):
                words.append((vocab, True))
        return words

    def candidates(self, query: str, threshold: float = 0.0) -> list[int]:
        """Name numbers worth scoring for `query`, best first by summed inverse document frequency.

        A name is dropped when even a perfect match of every query word it contains could not reach
        `threshold` under the scoring formula of `match.align` (see `_bound`); the bound is loosened by
        BOUND_SLACK to stay on the safe side.

        Most names reached are in one posting only (one query word's list word): their bound depends only on
        their own weight, and postings are sorted by name weight, so the names that can pass are a slice
        found by bisection (`_window`). Only names in two postings or more are summed one by one, in the order
        of the query words, so every sum is the float a plain loop over all postings would give.
        """
        norm = normalize(query)
        tokens = list(norm.tokens)
        reached, unindexed_weight, unindexed = self._reached(norm, tokens)
        joined = set(self.joined.get("".join(tokens), ()))
        if not reached and not joined:
            return []
        # Names whose sums need the full replay: in two postings or more, or joined. A name reached through words
        # only a slip away alone is no candidate (see `Reach`) unless a query word is too common to look up.
        seen: set[int] = set()
        summed = set(joined)
        for posting, _, _, _, slip in reached:
            if not slip:
                summed.update(seen.intersection(posting))
                seen.update(posting)
        for posting, _, _, _, slip in reached:
            if slip:
                summed.update(seen.intersection(posting))
                if unindexed:
                    seen.update(posting)
        scores, covered = _sums(reached, summed)
        wq = sum(name_weights(norm), 0.0)
        need = threshold - BOUND_SLACK
        weights = self.name_weight
        keep: list[tuple[float, float, int]] = []
        for name_no in summed:
            bound = _bound(covered.get(name_no, 0.0) + unindexed_weight, wq, weights[name_no])
            if name_no in joined:
                bound = 2.0
                scores[name_no] = scores.get(name_no, 0.0) + JOINED_RANK
            elif bound < need:
                continue
            keep.append((round(bound, BOUND_RANK_DIGITS), scores[name_no], name_no))
        for posting, idf, weight, _, slip in reached:  # the names in this posting alone
            if slip and not unindexed:  # (reached through a slip alone)
                continue
            matched = weight + unindexed_weight
            lo, hi = _window(posting, weights, matched, wq, need - WINDOW_MARGIN)
            for name_no in posting[lo:hi]:
                if name_no in summed:
                    continue
                bound = _bound(matched, wq, weights[name_no])
                if bound >= need:
                    keep.append((round(bound, BOUND_RANK_DIGITS), idf, name_no))
        # Best possible score first (short names that contain all query words), then rarer shared words. The bound
        # is rounded: word weights that differ a little (a common given name) must not outrank a rarer shared word.
        return [name_no for _, _, name_no in heapq.nlargest(MAX_CANDIDATES, keep)]

    def _reached(self, norm: NormalName, tokens: list[str]) -> tuple[list[Reach], float, bool]:
        """(posting, its idf, its query word's weight, the word's position, only a slip away) for each list word a
        query word reaches, the weight of the query words too common to look up (assumed to match any name), and
        whether there is such a word.

        A too-common word's rarer similar list words still rank names (their idf) but cover nothing (weight 0).
        """
        total = max(1, self.size)
        rare = [t for t in tokens if t not in GENERIC and t not in HONORIFICS]
        unindexed_weight = 0.0
        unindexed = False
        lookups = tokens
        if norm.abjad:  # one name written as two words in Arabic script (نصر الله / Nasrallah)
            lookups = tokens + [a + b for a, b in zip(tokens, tokens[1:], strict=False)]
        reached: list[Reach] = []
        for position, token in enumerate(lookups):
            weight = token_weight(token)
            postings = [(self.postings[vocab], slip) for vocab, slip in self.similar_words(token, norm.abjad)]
            kept = [(p, slip) for p, slip in postings if len(p) <= COMMON_DF or (not rare and len(p) <= 20 * COMMON_DF)]
            if len(kept) < len(postings):  # too common to look up: assume it could match any name
                unindexed_weight += weight
                unindexed = True
                weight = 0.0
            reached.extend((p, math.log(total / len(p)), weight, position, slip) for p, slip in kept)
        return reached, unindexed_weight, unindexed

    def screen(
        self,
        query: str,
        *,
        kind: str | None = None,
        country: str | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> list[Hit]:
        """Entries whose name or alias scores at least `threshold` against `query`, best first, one hit per entry.

        A query that carries more than a name (a payment label in front, a c/o or address tail: `match.name_parts`)
        is also screened as each name it holds; the best hit per entry is kept, with a note saying how it was read.
        """
        best = self._screen_one(query, kind, country, threshold)
        for part, note in name_parts(query):
            for entry_no, hit in self._screen_one(part, kind, country, threshold).items():
                current = best.get(entry_no)
                if current is None or hit.score > current.score:
                    e = hit.explanation
                    explanation = Explanation(
                        e.matched_tokens, e.unmatched_query_tokens, e.unmatched_list_tokens, (note, *e.notes)
                    )
                    best[entry_no] = Hit(hit.entry, hit.matched_name, hit.score, explanation, hit.relation)
        return sorted(best.values(), key=lambda h: (-h.score, h.entry.list_id, h.entry.entry_id))

    def _screen_one(self, query: str, kind: str | None, country: str | None, threshold: float) -> dict[int, Hit]:
        qn = normalize(query)
        best = self._identical(qn, kind, country)
        if may_hold_legal_form(query):  # (a person's name with a word spelled like a legal form: PAO, Yu Liang)
            for entry_no, hit in self._identical(normalize(query, True), kind, country).items():
                best.setdefault(entry_no, hit)
        best = {entry_no: hit for entry_no, hit in best.items() if hit.score >= threshold}  # (a stated type counts)
        if not qn.distinctive:  # generic words alone ("Trading Company") never make a hit, unless the name is listed
            return best
        qkind = infer_kind(qn, kind)
        aligned: dict[tuple[tuple[str, ...], tuple[str, ...]], Comparison] = {}  # SDN names recur in the CSL
        for name_no in self.candidates(query, threshold):
            entry_no = self.name_entry[name_no]
            entry = self.entries[entry_no]
            text = self.name_text[name_no]
            cn = normalize(text)
            key = (cn.tokens, cn.legal)
            base = aligned.get(key)
            if base is None:
                base = aligned[key] = align(qn, cn)
            if base.score * COUNTRY_BOOST_MAX < threshold:
                continue
            comparison = adjust(base, qkind, entry.kind, country, entry.countries)
            score = comparison.score
            if self.name_weak[name_no] and score < WEAK_ALIAS_MIN:
                continue
            if score < threshold:
                continue
            current = best.get(entry_no)
            if current is None or score > current.score:
                link = relation(qn, cn, comparison, entry.kind in ORG_KINDS)
                best[entry_no] = Hit(entry, text, score, comparison.explanation, link)
        return best

    def identical_names(self, name: NormalName) -> list[int]:
        """Names equal to `name` after normalization (`normalize.same_identity`), whatever their words weigh."""
        words, full = identity_keys(name)
        if not words:
            return []
        # (a query with a legal form: the names with the same form, and the names that state none)
        found = [*self._identity("f", full), *self._identity("b", words)] if full else self._identity("w", words)
        return [n for n in found if self._same_identity(n, words, full)]

    def _identity(self, tag: str, key: str) -> list[int]:
        return self.identities.lookup(_hash(tag, key))

    def _same_identity(self, name_no: int, words: str, full: str) -> bool:
        """A hashed key found it: the name's own keys say whether it is the same (32-bit hashes can collide)."""
        text = self.name_text[name_no]
        reads = [normalize(text)]
        if may_hold_legal_form(text) and self.entries[self.name_entry[name_no]].kind == "person":
            reads.append(normalize(text, True))
        for read in reads:
            w, f = identity_keys(read)
            if w == words and (not (full and f) or f == full):
                return True
        return False

    def _identical(self, qn: NormalName, kind: str | None = None, country: str | None = None) -> dict[int, Hit]:
        """Entries with a name or alias identical to the query (1.0), or identical but for one slip in one word
        (`match.one_slip_apart`, SLIP_IDENTITY_SCORE): hits before any other rule is asked, whatever the words
        weigh. The scoring that follows may still raise a slip's score. A type or a country the user states
        stays supporting evidence (`match.adjust`); a type guessed from a legal form does not count here."""
        best: dict[int, Hit] = {}
        for name_no in self.identical_names(qn):
            entry_no = self.name_entry[name_no]
            if entry_no not in best:
                entry = self.entries[entry_no]
                tokens = tuple((t, t, 1.0) for t in qn.tokens)
                explanation = Explanation(tokens, (), (), ("identical to a listed name after normalization",))
                stated = adjust(Comparison(1.0, explanation), kind or "", entry.kind, country, entry.countries)
                best[entry_no] = Hit(entry, self.name_text[name_no], stated.score, stated.explanation)
        query = SlipQuery(qn)
        tried: set[int] = set()  # (a name one slip away shares two keys with the query: first and last letter)
        for key in set(slip_keys(qn, SLIP_QUERY_MIN, reach=1)):
            for name_no in self.slips.lookup(key):
                entry_no = self.name_entry[name_no]
                if entry_no in best or name_no in tried:
                    continue
                tried.add(name_no)
                entry = self.entries[entry_no]
                cn = normalize(self.name_text[name_no])
                words = query.apart(cn, (entry.kind == "person") if entry.kind else None)
                if words is None:
                    continue
                same = set(qn.tokens) & set(cn.tokens)
                tokens = (*((t, t, 1.0) for t in qn.tokens if t in same), (words[0], words[1], TOKEN_MIN_SIMILARITY))
                note = f"one slip in one word ({words[0]} / {words[1]}), otherwise identical to a listed name"
                explanation = Explanation(tokens, (), (), (note,))
                slip = Comparison(SLIP_IDENTITY_SCORE, explanation)
                stated = adjust(slip, kind or "", entry.kind, country, entry.countries)
                best[entry_no] = Hit(entry, self.name_text[name_no], stated.score, stated.explanation)
        return best

    def all_names(self) -> list[str]:
        return list(self.name_text)
