"""Recall of screening on real listed names, against a brute-force scan measured on the same queries.

Three query sets, all made from the names and aliases printed on the bundled lists (seeded, so every run
draws the same queries from the same lists):

- exact: every printed name and alias of three letters or more, screened as printed. Each must hit its
  own entry (identity beats every other rule).
- slip: one typing slip (a letter dropped, doubled, swapped with its neighbour or replaced) in one word of
  five letters or more of a listed name.
- mix: a listed organisation name upper-cased, its legal form left out (every word of it) and one letter
  dropped in one word of five letters or more.

The brute-force baseline scores the query against every list name with rapidfuzz WRatio (default
processing) and counts a query found when a name of its own entry scores 85 or more.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rigport.domain.screening.index import ScreeningIndex
from rigport.domain.screening.normalize import LEGAL_WORDS, normalize

SLIP_MIN_WORD = 5
BRUTE_CUTOFF = 85.0


@dataclass(frozen=True)
class Query:
    text: str  # what is screened
    entry_no: int  # the entry it was made from
    source: str  # the printed name it was made from


def printed_names(index: ScreeningIndex, min_letters: int = 3) -> Iterator[Query]:
    """Every name and alias on the lists with at least `min_letters` letters, as printed."""
    for name_no, text in enumerate(index.name_text):
        if sum(c.isalpha() for c in text) >= min_letters:
            yield Query(text, index.name_entry[name_no], text)


def _slip(word: str, rng: random.Random) -> str:
    """`word` with one typing slip: a letter dropped, doubled, swapped with its neighbour or replaced."""
    while True:
        kind = rng.randrange(4)
        i = rng.randrange(len(word))
        if kind == 0:
            out = word[:i] + word[i + 1 :]
        elif kind == 1:
            out = word[: i + 1] + word[i] + word[i + 1 :]
        elif kind == 2 and i + 1 < len(word) and word[i] != word[i + 1]:
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif kind == 3:
            pool = string.ascii_uppercase if word[i].isupper() else string.ascii_lowercase
            letter = rng.choice([c for c in pool if c.lower() != word[i].lower()])
            out = word[:i] + letter + word[i + 1 :]
        else:
            continue
        if out != word:
            return out


def _long_word_positions(words: list[str]) -> list[int]:
    return [i for i, w in enumerate(words) if len(w) >= SLIP_MIN_WORD and w.isalpha()]


def slip_queries(index: ScreeningIndex, n: int, seed: int) -> list[Query]:
    """`n` listed names (primary names and strong aliases) with one slip in one word of five letters or more."""
    rng = random.Random(seed)
    pool = [q for q in printed_names(index) if _long_word_positions(q.text.split())]
    out = []
    for q in rng.sample(pool, n):
        words = q.text.split()
        i = rng.choice(_long_word_positions(words))
        words[i] = _slip(words[i], rng)
        out.append(Query(" ".join(words), q.entry_no, q.source))
    return out


def _legal_word(word: str) -> bool:
    """A word of a legal form (Ltd., Company, the words of Limited Liability Company ...)."""
    return word.lower().strip(".,()\"'") in LEGAL_WORDS


def mix_queries(index: ScreeningIndex, n: int, seed: int) -> list[Query]:
    """`n` listed organisation names upper-cased, without their legal form, one letter dropped in a long word."""
    rng = random.Random(seed)
    pool = []
    for q in printed_names(index):
        if not normalize(q.text).legal:
            continue
        words = [w for w in q.text.replace(",", " ").split() if not _legal_word(w)]
        if words and _long_word_positions(words):
            pool.append((q, words))
    out = []
    for q, words in rng.sample(pool, n):
        words = [w.upper() for w in words]
        i = rng.choice(_long_word_positions(words))
        j = rng.randrange(len(words[i]))
        words[i] = words[i][:j] + words[i][j + 1 :]
        out.append(Query(" ".join(words), q.entry_no, q.source))
    return out


def index_found(index: ScreeningIndex, queries: list[Query]) -> list[bool]:
    """Whether screening each query hits the entry it was made from."""
    found = []
    for q in queries:
        own = index.entries[q.entry_no]
        found.append(any(h.entry is own for h in index.screen(q.text)))
    return found


def brute_found(index: ScreeningIndex, queries: list[Query]) -> list[bool]:
    """Whether rapidfuzz WRatio >= 85 against every list name finds a name of the query's own entry."""
    from rapidfuzz import fuzz, process, utils

    choices = [utils.default_process(t) for t in index.name_text]
    found = []
    for q in queries:
        got = process.extract(
            utils.default_process(q.text), choices, scorer=fuzz.WRatio, score_cutoff=BRUTE_CUTOFF, limit=None,
            processor=None,
        )  # fmt: skip
        found.append(any(index.name_entry[i] == q.entry_no for _, _, i in got))
    return found


def share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def misses(queries: list[Query], flags: list[bool], limit: int = 20) -> list[str]:
    return [f"{q.text!r} (from {q.source!r})" for q, ok in zip(queries, flags, strict=True) if not ok][:limit]


def timed(fn: Callable[[], object]) -> float:
    import time

    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0
