"""Regenerate the shipped person-name frequency table from the lists in force (a maintainer's tool).

`PYTHONPATH=src python -m rigport.adapters.lists.name_frequency` writes
`rigport/data/screening/person-name-frequency.csv`; the counting rule is the domain's
(`rigport.domain.screening.frequency.count`).
"""

from __future__ import annotations

import csv

from rigport.adapters.lists.index_cache import get_index
from rigport.domain.screening import frequency


def main() -> None:
    index = get_index()
    counts = frequency.count(index.postings, lambda n: index.entries[index.name_entry[n]].kind == "person")
    frequency.DATA.parent.mkdir(parents=True, exist_ok=True)
    with frequency.DATA.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["token", "person_names"])
        for token, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            writer.writerow([token, n])
    print(f"{len(counts)} common person-name words -> {frequency.DATA}")


if __name__ == "__main__":
    main()
