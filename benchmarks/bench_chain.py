"""Chain math: how fast difficulty and retargets compute, against bare integer/float work."""

from __future__ import annotations

import csv
from pathlib import Path

from benchmarks.harness import Result, best_of
from rigport.domain.chain import difficulty_from_bits, next_bits

EPOCHS = Path(__file__).resolve().parents[2] / "shared" / "data" / "chain" / "epochs.csv"


def _epochs() -> list[tuple[int, int, int]]:
    if EPOCHS.exists():
        rows = list(csv.DictReader(EPOCHS.read_text(encoding="utf-8").splitlines()))
        return [(int(r["bits"], 16), int(r["start_time"]), int(r["end_time"])) for r in rows if r["end_time"]]
    return [(0x1D00FFFF, 0, 1_209_600 + i) for i in range(413)]


def run() -> list[Result]:
    epochs = _epochs() * 20
    n = len(epochs)
    t_retarget = best_of(lambda: [next_bits(b, s, e) for b, s, e in epochs])
    t_difficulty = best_of(lambda: [difficulty_from_bits(b) for b, _, _ in epochs])
    # Baseline: the bare big-integer multiply/divide each retarget must do, without validation.
    t_base = best_of(lambda: [((b & 0x7FFFFF) << 200) * (e - s) // 1_209_600 for b, s, e in epochs])
    return [
        Result("chain", "retargets per second", n / t_retarget, "ops/s", "bare int mul/div", t_base / t_retarget),
        Result(
            "chain", "GetDifficulty per second", n / t_difficulty, "ops/s", "bare int mul/div", t_base / t_difficulty
        ),
    ]
