"""Candidate generation gives exactly what a plain loop over every posting gives.

`ScreeningIndex.candidates` skips the names of a posting whose bound cannot pass by bisecting postings
sorted by name weight, and sums only the names in two postings or more. The reference below is the plain
form: every name of every posting summed and bounded one by one. Both must return the same names in the
same order (the sums are the same floats), on the full bundled lists, for real list names, perturbed
ones, made-up ones and names in Arabic script.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import defaultdict

import pytest

from rigport.domain.screening.index import BOUND_RANK_DIGITS, BOUND_SLACK, COMMON_DF, MAX_CANDIDATES, ScreeningIndex
from rigport.domain.screening.match import name_weights, token_weight
from rigport.domain.screening.normalize import GENERIC, HONORIFICS, normalize
from rigport.services.screening import get_index


def reference_candidates(index: ScreeningIndex, query: str, threshold: float) -> list[int]:
    norm = normalize(query)
    tokens = list(norm.tokens)
    total = max(1, index.size)
    scores: dict[int, float] = defaultdict(float)
    covered: dict[int, float] = defaultdict(float)
    rare = [t for t in tokens if t not in GENERIC and t not in HONORIFICS]
    unindexed_weight = 0.0
    unindexed = False
    anchored: set[int] = set()  # names in a posting of a list word that is not only a slip away
    lookups = tokens
    if norm.abjad:
        lookups = tokens + [a + b for a, b in zip(tokens, tokens[1:], strict=False)]
    for token in lookups:
        weight = token_weight(token)
        postings = [(index.postings[vocab], slip) for vocab, slip in index.similar_words(token, norm.abjad)]
        kept = [(p, slip) for p, slip in postings if len(p) <= COMMON_DF or (not rare and len(p) <= 20 * COMMON_DF)]
        for posting, slip in kept:
            if not slip:
                anchored.update(posting)
        if len(kept) < len(postings):
            unindexed_weight += weight
            unindexed = True
            for posting, _ in kept:
                for name_no in posting:
                    scores[name_no] += math.log(total / len(posting))
            continue
        names: set[int] = set()
        for posting, _ in kept:
            for name_no in posting:
                scores[name_no] += math.log(total / len(posting))
            names.update(posting)
        for name_no in names:
            covered[name_no] += weight
    joined = set(index.joined.get("".join(tokens), ()))
    for name_no in joined:
        scores[name_no] += 100.0
    wq = sum(name_weights(norm))
    keep = []
    for name_no, idf_sum in scores.items():
        wc = index.name_weight[name_no]
        m = min(covered.get(name_no, 0.0) + unindexed_weight, min(wq, wc))
        small = min(wq, wc)
        bound = m / (wq + wc) + 0.5 * m / small if small else 0.0
        if name_no in joined:
            bound = 2.0
        elif bound < threshold - BOUND_SLACK or not (unindexed or name_no in anchored):
            continue  # (a name reached through slips alone is no candidate unless a query word is unindexed)
        keep.append((round(bound, BOUND_RANK_DIGITS), idf_sum, name_no))
    return [name_no for _, _, name_no in heapq.nlargest(MAX_CANDIDATES, keep)]


def _queries(index: ScreeningIndex, n: int) -> list[str]:
    rng = random.Random(20261126)
    names = [index.name_text[i] for i in rng.sample(range(index.size), n)]
    queries = list(names)
    for name in names:
        words = name.split()
        if len(words) > 1:
            queries.append(" ".join(words[1:] + words[:1]))  # word order
        longest = max(words, key=len) if words else ""
        if len(longest) > 4:
            j = rng.randrange(1, len(longest) - 1)
            typo = longest[:j] + longest[j + 1] + longest[j] + longest[j + 2 :]
            queries.append(name.replace(longest, typo))
        queries.append(name + " Co., Ltd.")
    queries += ["Kym Jong Un", "Ala Hassan Muhammad", "Muhammad Ila", "Oli Ferozani"]  # vowel slips in short words
    queries += ["Muhammad Ali", "Ali Hassan", "Abdul Rahman Ahmed", "Huawei", "SOPHGO TECHNOLOGIES LTD.", "Acme"]
    queries += ["صدام حسين", "حسن نصر الله", "Rami Makhlouf", "RamiMakhlouf", "Bank", "Technology Trading Company"]
    return queries


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    return get_index()


@pytest.mark.parametrize("threshold", [0.75, 0.5, 0.0])
def test_candidates_equal_the_plain_loop(index: ScreeningIndex, threshold: float) -> None:
    queries = _queries(index, 300 if threshold else 60)
    mismatched = [q for q in queries if index.candidates(q, threshold) != reference_candidates(index, q, threshold)]
    assert not mismatched, mismatched[:5]
    assert sum(bool(index.candidates(q, threshold)) for q in queries) > len(queries) // 2  # not vacuous


def test_postings_are_sorted_by_name_weight(index: ScreeningIndex) -> None:
    for posting in list(index.postings.values())[:2000]:
        keys = [(index.name_weight[n], n) for n in posting]
        assert keys == sorted(keys)
