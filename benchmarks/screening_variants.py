"""Screening: hit rates of `compare` on variants of real list names (not the labelled pairs).

A second, synthetic view of matching quality next to the labelled pairs: take person and organisation
names from the bundled lists, make variants that should still match (a vowel, consonant or doubled letter
changed in the longest word, a vowel in the shortest word, a middle name dropped, a typo, a legal form
added) and variants that should not (the given name replaced by a common given name of the lists, the
surname by another listed surname, the distinctive word of an organisation by another list word), and
count how many reach the default threshold. One fixed seed, so two versions of the matcher can be
compared. Random letter changes are not all realistic spellings, so read the rates as relative figures.

    PYTHONPATH=src:. python -m benchmarks.screening_variants [--show KIND]
"""

from __future__ import annotations

import argparse
import random
from collections import Counter, defaultdict
from collections.abc import Callable

from rigport.domain.screening.match import DEFAULT_THRESHOLD, compare
from rigport.domain.screening.normalize import normalize
from rigport.services.screening import get_index

SEED = 7
SAMPLE = 400
VOWELS = "aeiou"


def _words(name: str) -> list[str]:
    return [w for w in name.replace(",", " ").split() if w.isalpha()]


def _variants() -> dict[str, list[tuple[float, str, str]]]:
    index = get_index()
    rng = random.Random(SEED)
    names = [
        (index.name_text[i], index.entries[index.name_entry[i]].kind)
        for i in range(index.size)
        if not index.name_weak[i]
    ]
    persons = [n for n, kind in names if kind == "person" and 2 <= len(_words(n)) <= 4]
    orgs = [n for n, kind in names if kind != "person" and 2 <= len(n.split()) <= 6 and normalize(n).distinctive]
    given = [g for g, _ in Counter(_words(p)[-1] for p in persons).most_common(200)]  # "SURNAME, Given"
    surnames = [_words(p)[0] for p in persons]

    def change(word: str, pool: str, where: Callable[[str], bool]) -> str | None:
        spots = [i for i, c in enumerate(word.lower()) if i > 0 and where(c)]
        if not spots:
            return None
        i = rng.choice(spots)
        return word[:i] + rng.choice([c for c in pool if c != word[i].lower()]) + word[i + 1 :]

    def doubled(word: str) -> str:
        for i in range(1, len(word)):
            if word[i].lower() == word[i - 1].lower():
                return word[:i] + word[i + 1 :]
        i = rng.randrange(1, len(word))
        return word[:i] + word[i] + word[i:]

    out: dict[str, list[tuple[float, str, str]]] = defaultdict(list)

    def score(kind: str, words: list[str], name: str) -> None:
        query = " ".join(words)
        out[kind].append((compare(query, name)[0], query, name))

    for name in rng.sample(persons, SAMPLE):
        ws = _words(name)
        k = max(range(len(ws)), key=lambda i: len(ws[i]))
        for kind, new in (
            ("person ok: vowel changed", change(ws[k], VOWELS, lambda c: c in VOWELS)),
            ("person ok: consonant changed", change(ws[k], "bcdfgklmnprst", lambda c: c not in VOWELS)),
            ("person ok: letter doubled/undoubled", doubled(ws[k])),
        ):
            if new:
                score(kind, [*ws[:k], new, *ws[k + 1 :]], name)
        j = min(range(len(ws)), key=lambda i: len(ws[i]))
        if len(ws[j]) >= 3 and (new := change(ws[j], VOWELS, lambda c: c in VOWELS)):
            score("person ok: vowel changed in shortest word", [*ws[:j], new, *ws[j + 1 :]], name)
        if len(ws) >= 3:
            score("person ok: middle name dropped", [ws[0], *ws[2:]], name)
        other = rng.choice(given)
        if other.lower() not in (w.lower() for w in ws):
            score("person NOT: other common given name", [*ws[:-1], other], name)
        other = rng.choice(surnames)
        if other.lower() != ws[0].lower():
            score("person NOT: other listed surname", [other, *ws[1:]], name)

    vocab = [t for o in rng.sample(orgs, 3000) for t in normalize(o).distinctive if len(t) > 4]
    for name in rng.sample(orgs, SAMPLE):
        ws = name.split()
        distinctive = normalize(name).distinctive
        spots = [i for i, w in enumerate(ws) if w.lower().strip(",.") in distinctive]
        if not spots:
            continue
        k = max(spots, key=lambda i: len(ws[i]))
        if len(ws[k]) >= 5:
            i = rng.randrange(1, len(ws[k]) - 1)
            typo = ws[k][:i] + rng.choice("aeioubcdkmnrst") + ws[k][i + 1 :]
            score("org ok: typo", [*ws[:k], typo, *ws[k + 1 :]], name)
        score("org ok: legal form added", [name.upper(), "LLC"], name)
        other = rng.choice(vocab)
        if other not in normalize(name).tokens:
            score("org NOT: distinctive word replaced", [*ws[:k], other.capitalize(), *ws[k + 1 :]], name)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", help="print the misses (ok kinds) or the false hits (NOT kinds) of this kind")
    args = parser.parse_args()
    results = _variants()
    for kind, rows in sorted(results.items()):
        hits = sum(s >= DEFAULT_THRESHOLD for s, _, _ in rows)
        print(f"{kind:42s} n={len(rows):4d}  hit rate {hits / len(rows):.3f}")
    if args.show:
        wrong_is_hit = " NOT:" in args.show
        for s, query, name in results.get(args.show, []):
            if (s >= DEFAULT_THRESHOLD) == wrong_is_hit:
                print(f"{s:.3f}  {query}  |  {name}")


if __name__ == "__main__":
    main()
