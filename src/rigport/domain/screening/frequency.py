"""How common each word of a person's name is on the bundled lists: common given names weigh less.

"Ali", "Muhammad", "Kim" or "Jose" are each in hundreds of listed names, so sharing one says little
about whether two names are the same person; a rare surname says much more. The counts are taken
from the person entries of the bundled OFAC SDN and CSL copies (names and aliases) and shipped as
`rigport/data/screening/person-name-frequency.csv`, so a pair comparison (`compare`) and the index
weigh a word the same way without loading the lists. Only words found mostly in person names are
kept: an organisation word common on the lists (Huawei, Gazprom: many listed subsidiaries) is not a
common name and keeps its full weight.

Regenerate after the bundled lists change:
`PYTHONPATH=src python -m rigport.domain.screening.frequency` (writes the CSV).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "screening" / "person-name-frequency.csv"
MIN_COUNT = 20  # words in fewer listed person names than this keep their full weight
PERSON_SHARE = 0.8  # and words mostly found in organisation names too


def load(path: Path = DATA) -> dict[str, int]:
    """Word -> number of listed person names that contain it (only the common ones; a missing word is rare)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["token"]: int(row["person_names"]) for row in csv.DictReader(fh)}


def count(index: object) -> dict[str, int]:
    """Common person-name words of an index: in MIN_COUNT person names or more, and mostly in person names."""
    from rigport.domain.screening.index import ScreeningIndex

    assert isinstance(index, ScreeningIndex)
    person: Counter[str] = Counter()
    for token, posting in index.postings.items():
        n = sum(1 for name_no in posting if index.entries[index.name_entry[name_no]].kind == "person")
        if n >= MIN_COUNT and n >= PERSON_SHARE * len(posting):
            person[token] = n
    return dict(person)


def main() -> None:
    from rigport.services.screening import get_index

    counts = count(get_index())
    DATA.parent.mkdir(parents=True, exist_ok=True)
    with DATA.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["token", "person_names"])
        for token, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            writer.writerow([token, n])
    print(f"{len(counts)} common person-name words -> {DATA}")


if __name__ == "__main__":
    main()
