"""Screening through the index finds every listed name that `compare` matches with a query one slip away.

`rigport screen` scores only the candidates the index reaches (`ScreeningIndex.candidates`), while
`rigport screen compare` scores any two names. A slip that `match` reads as the same word (a letter
changed, added, dropped or doubled, two neighbouring letters swapped) must therefore also lead the index
from the query's word to the list's word, or a name that `compare` matches is never scored by `screen`.
The gap was in short words: the delete table covered words of four letters or more, so a vowel slip in a
three-letter word (Ala / Ali), which the slip rule and the joined-name rescue accept, was out of reach.

The queries are real names of the bundled lists with one word changed in one of those ways, short words
preferred (one fixed seed). Whenever `compare` says the query matches the listed name, and so would the
score `screen` gives that name (which also weighs the entry's type), screening the query must return the
entry.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from rigport.domain.screening import index as index_module
from rigport.domain.screening.index import ScreeningIndex
from rigport.domain.screening.match import (
    DEFAULT_THRESHOLD,
    adjust,
    align,
    compare,
    infer_kind,
    slip_pair,
    token_similarity,
)
from rigport.domain.screening.normalize import normalize
from rigport.services.screening import get_index

SEED = 20260507
QUERIES = 1000
SHORT_WORD_SHARE = 0.7  # most changes go to words of two to four letters, where the gap was
VOWELS = "aeiou"
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _slips(rng: random.Random) -> dict[str, Callable[[str], str | None]]:
    """One slip of each kind that `match` accepts in some word length, applied at a random place."""

    def vowel_changed(w: str) -> str | None:
        spots = [i for i, c in enumerate(w) if c in VOWELS]
        if not spots:
            return None
        i = rng.choice(spots)
        return w[:i] + rng.choice([v for v in VOWELS if v != w[i]]) + w[i + 1 :]

    def letter_changed(w: str) -> str:
        i = rng.randrange(len(w))
        return w[:i] + rng.choice([c for c in LETTERS if c != w[i]]) + w[i + 1 :]

    def vowel_added(w: str) -> str:
        i = rng.randrange(len(w) + 1)
        return w[:i] + rng.choice(VOWELS) + w[i:]

    def letter_dropped(w: str) -> str | None:
        i = rng.randrange(len(w))
        return w[:i] + w[i + 1 :] if len(w) > 2 else None

    def vowel_dropped(w: str) -> str | None:
        spots = [i for i, c in enumerate(w) if c in VOWELS]
        if not spots or len(w) <= 3:
            return None
        i = rng.choice(spots)
        new = w[:i] + w[i + 1 :]
        return new if any(c in VOWELS for c in new) else None  # (a word without vowels reads as a code)

    def letter_doubled(w: str) -> str:
        i = rng.randrange(len(w))
        return w[:i] + w[i] + w[i:]

    def letters_swapped(w: str) -> str:
        i = rng.randrange(len(w) - 1)
        return w[:i] + w[i + 1] + w[i] + w[i + 2 :]

    return {
        "vowel changed": vowel_changed,
        "letter changed": letter_changed,
        "vowel added": vowel_added,
        "vowel dropped": vowel_dropped,
        "letter dropped": letter_dropped,
        "letter doubled": letter_doubled,
        "letters swapped": letters_swapped,
    }


# The slips the slip rule alone reads as the same word (`match.slip_pair`, `token_similarity` 0: short words); a
# query is kept for these kinds only when its slip is such a pair, and for the other kinds only when it is not.
VOWEL_SLIPS = ("vowel changed", "vowel added", "vowel dropped", "letters swapped")
# Slips that only the joined-name rescue accepts, when the rest of a long name agrees: a consonant changed or
# dropped in a short word, any slip in a two-letter word or a generic one (NEW AGE SHIPPING / NEW ACE SHIPPING);
# and slips in common words that are reached but ranked below MAX_CANDIDATES.
OTHER_SLIPS = VOWEL_SLIPS + ("letter changed", "letter dropped", "letter doubled")


def _slipped_queries(
    index: ScreeningIndex, kinds: tuple[str, ...], min_length: int, slip_rule_only: bool
) -> list[tuple[str, str, int]]:
    """(kind of slip, query, name number): list names with one slip in one word of `min_length` letters or more,
    a slip only the slip rule reads as the same word or (`slip_rule_only` False) any other."""
    rng = random.Random(SEED)
    slips = _slips(rng)
    # Weak aliases only hit at 0.95 and "A/B" fields are compared as alternatives: both are scored apart.
    names = [n for n in range(index.size) if not index.name_weak[n] and "/" not in index.name_text[n]]
    out: list[tuple[str, str, int]] = []
    while len(out) < QUERIES:
        name_no = rng.choice(names)
        words = index.name_text[name_no].split()
        spots = [k for k, w in enumerate(words) if w.isalpha() and len(w) >= min_length]
        short = [k for k in spots if len(words[k]) <= 4]
        if not spots:
            continue
        k = rng.choice(short if short and rng.random() < SHORT_WORD_SHARE else spots)
        kind = rng.choice(kinds)
        word = words[k].lower()
        new = slips[kind](word)
        if new is None or new == word:
            continue
        if slip_rule_only == (slip_pair(new, word) and token_similarity(new, word) == 0.0):
            out.append((kind, " ".join([*words[:k], new, *words[k + 1 :]]), name_no))
    return out


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    return get_index()


def _missed(
    index: ScreeningIndex, queries: list[tuple[str, str, int]], reach_only: bool = False
) -> tuple[int, list[tuple[str, str, str]]]:
    """How many queries `compare` matches with their list name, and those of them `screen` does not return (or,
    `reach_only`, that are no candidate however many candidates are scored)."""
    matched = 0
    missed: list[tuple[str, str, str]] = []
    for kind, query, name_no in queries:
        listed = index.name_text[name_no]
        if not compare(query, listed)[1]:
            continue
        entry = index.entries[index.name_entry[name_no]]
        qn = normalize(query)
        scored = adjust(align(qn, normalize(listed)), infer_kind(qn, None), entry.kind)
        if scored.score < DEFAULT_THRESHOLD:  # the entry's type lowers what `compare` alone cannot know
            continue
        matched += 1
        if reach_only:
            if name_no not in index.candidates(query, DEFAULT_THRESHOLD):
                missed.append((kind, query, listed))
        elif not any(hit.entry is entry for hit in index.screen(query)):
            missed.append((kind, query, listed))
    return matched, missed


def test_every_name_compare_matches_one_vowel_slip_away_is_a_candidate(
    index: ScreeningIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reach: the name is among the candidates when the cap on their number (MAX_CANDIDATES) is lifted."""
    monkeypatch.setattr(index_module, "MAX_CANDIDATES", 1 << 30)
    matched, missed = _missed(index, _slipped_queries(index, VOWEL_SLIPS, 3, True), reach_only=True)
    assert matched > QUERIES // 2  # not vacuous: most slips keep the name
    assert not missed, f"{len(missed)} of {matched} matched names not candidates, e.g. {missed[:8]}"


def test_every_name_compare_matches_one_vowel_slip_away_is_screened(index: ScreeningIndex) -> None:
    matched, missed = _missed(index, _slipped_queries(index, VOWEL_SLIPS, 3, True))
    assert not missed, f"{len(missed)} of {matched} matched names not screened, e.g. {missed[:8]}"


@pytest.mark.xfail(strict=True, reason="known gap: slips only the joined-name rescue accepts are not indexed (cost)")
def test_every_name_compare_matches_one_other_slip_away_is_screened(index: ScreeningIndex) -> None:
    matched, missed = _missed(index, _slipped_queries(index, OTHER_SLIPS, 2, False))
    assert matched > QUERIES // 2
    assert not missed, f"{len(missed)} of {matched} matched names not screened, e.g. {missed[:8]}"


@pytest.mark.parametrize("word", ["ali", "ala", "kim", "los", "abu", "ola", "kym", "khan", "ivan", "zhu"])
def test_every_list_word_one_vowel_slip_away_is_reached(index: ScreeningIndex, word: str) -> None:
    """Every list word the slip rule reads as a short query word is among its similar words (a plain scan)."""
    reached = set(index.similar_tokens(word))
    scanned = {t for t in index.postings if abs(len(t) - len(word)) <= 1 and slip_pair(word, t)}
    assert scanned <= reached, sorted(scanned - reached)[:10]
