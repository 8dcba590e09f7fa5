"""Run every benchmark module and write docs/benchmarks.md."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import platform
import shutil
import sys
from pathlib import Path

from benchmarks.harness import Result

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "benchmarks.md"
NOTES = "## Notes"


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()} - {os.cpu_count()} cores - {cpu} - Python {platform.python_version()}"


def main(argv: list[str]) -> int:
    only = set(argv)
    modules = sorted(p.stem for p in (ROOT / "benchmarks").glob("bench_*.py"))
    unknown = only - set(modules) - {m.removeprefix("bench_") for m in modules}
    if unknown:  # a typo would otherwise run nothing and stamp the report with a new date
        known = ", ".join(m.removeprefix("bench_") for m in modules)
        print(f"no benchmark named {', '.join(sorted(unknown))}; the benchmarks are: {known}", file=sys.stderr)
        return 2
    chosen = [m for m in modules if not only or m in only or m.removeprefix("bench_") in only]
    missing = missing_commands(chosen)
    if missing:  # found before a long run, not as a traceback half-way through it
        for line in missing:
            print(line, file=sys.stderr)
        return 2
    results: list[Result] = []
    load_before = _load()
    for name in chosen:
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        for result in module.run():
            results.append(result)
            verdict = {True: "meets target", False: "MISSES target", None: ""}[result.passed]
            ratio = f" ratio {result.ratio:.3g}" if result.ratio is not None else ""
            print(f"   {result.measure}: {result.value:,.4g} {result.unit}{ratio} {verdict}", flush=True)
    write_report(results, " ".join(["make bench", *argv]), load_before)
    return 0 if all(r.passed is not False for r in results) else 1


def _load() -> str:
    """The load average (1, 5, 15 min): on a shared machine it says how far the absolute figures can be trusted."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def screening_build() -> str:
    """Whether the screening modules ran compiled (mypyc extensions) or as pure Python (about 1.4x slower)."""
    from rigport.domain.screening import index

    return "compiled (mypyc)" if not index.__file__.endswith(".py") else "pure Python (no mypyc extensions)"


def missing_commands(modules: list[str]) -> list[str]:
    """What each chosen benchmark needs (its `NEEDS`: command -> where it comes from) and PATH lacks."""
    missing = []
    for name in modules:
        needs: dict[str, str] = getattr(importlib.import_module(f"benchmarks.{name}"), "NEEDS", {})
        for command, source in needs.items():
            if shutil.which(command) is None:
                bench = name.removeprefix("bench_")
                missing.append(f"benchmark {bench} needs the command {command}, not found on PATH: install {source}")
    return missing


def _kept_rows(ran: set[str]) -> list[str]:
    """Rows of benchmarks not run this time stay in the report, each with its own date."""
    if not REPORT.exists():
        return []
    kept = []
    for line in REPORT.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 9 and cells[0] not in ("benchmark",) and cells[0] not in ran:
            kept.append(line)
    return kept


def _kept_notes() -> list[str]:
    """The hand-written part of the report, from its `## Notes` heading on, is kept as it is."""
    if not REPORT.exists():
        return []
    lines = REPORT.read_text(encoding="utf-8").splitlines()
    return ["", *lines[lines.index(NOTES) :]] if NOTES in lines else []


def write_report(results: list[Result], command: str, load_before: str = "") -> None:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    kept = _kept_rows({r.benchmark for r in results})
    notes = _kept_notes()
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (python -m benchmarks). Shared, noisy machines: read the ratio against",
        "the baseline measured in the same run; absolute figures are for orientation only. What each",
        "baseline is and which figure a target is read against: see Notes below the table.",
        "",
        f"- Last run: {now}",
        f"- Machine: {machine()}",
        f"- Command: `{command}` (rows of benchmarks not in this run are kept with their own date)",
        f"- Load average (1 / 5 / 15 min) at the start: {load_before or '-'}; at the end: {_load()}",
        f"- Screening modules: {screening_build()}",
        "",
        "| benchmark | measure | value | unit | baseline (same run) | ratio | target | result | date |",
        "|---|---|---|---|---|---|---|---|---|",
        *kept,
    ]
    for r in results:
        verdict = {True: "meets", False: "misses", None: "-"}[r.passed]
        ratio = f"{r.ratio:.3g}" if r.ratio is not None else "-"
        lines.append(
            f"| {r.benchmark} | {r.measure} | {r.value:,.4g} | {r.unit} | {r.baseline or '-'} | {ratio} "
            f"| {r.target or '-'} | {verdict} | {now} |"
        )
    lines += notes
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
