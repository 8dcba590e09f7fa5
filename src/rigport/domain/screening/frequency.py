"""How common each word of a person's name is on the bundled lists: common given names weigh less.

"Ali", "Muhammad", "Kim" or "Jose" are each in hundreds of listed names, so sharing one says little
about whether two names are the same person; a rare surname says much more. The counts are taken
from the person entries of the bundled OFAC SDN and CSL copies (names and aliases) and shipped as
`rigport/data/screening/person-name-frequency.csv`, so a pair comparison (`compare`) and the index
weigh a word the same way without loading the lists. Only words found mostly in person names are
kept: an organisation word common on the lists (Huawei, Gazprom: many listed subsidiaries) is not a
common name and keeps its full weight.

Regenerate after the bundled lists change:
`PYTHONPATH=src python -m rigport.adapters.lists.name_frequency` (writes the CSV).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final

DATA: Final = Path(__file__).resolve().parents[2] / "data" / "screening" / "person-name-frequency.csv"
MIN_COUNT: Final = 20  # words in fewer listed person names than this keep their full weight
PERSON_SHARE: Final = 0.8  # and words mostly found in organisation names too


def load(path: Path = DATA) -> dict[str, int]:
    """Word -> number of listed person names that contain it (only the common ones; a missing word is rare)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["token"]: int(row["person_names"]) for row in csv.DictReader(fh)}


def count(postings: Mapping[str, Sequence[int]], is_person: Callable[[int], bool]) -> dict[str, int]:
    """Common person-name words of an index's postings (word -> name numbers): in MIN_COUNT person names or
    more, and mostly in person names. `is_person(name_no)` says whether a name belongs to a person entry."""
    person: Counter[str] = Counter()
    for token, posting in postings.items():
        n = sum(1 for name_no in posting if is_person(name_no))
        if n >= MIN_COUNT and n >= PERSON_SHARE * len(posting):
            person[token] = n
    return dict(person)
