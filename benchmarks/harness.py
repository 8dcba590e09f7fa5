"""Small shared pieces for the benchmark modules: timing, results, the report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    """One measured figure, its same-run baseline and the target it is judged against."""

    benchmark: str
    measure: str
    value: float
    unit: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    passed: bool | None = None


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Fastest of several runs, in seconds: the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
