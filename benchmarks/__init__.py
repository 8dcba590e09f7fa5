"""Benchmarks: `make bench` (python -m benchmarks) runs every benchmarks/bench_*.py module.

Each module exposes ``run() -> list[Result]``. Machines are shared and noisy, so every result is
a ratio against a baseline measured in the same run, next to the absolute figures.
"""
