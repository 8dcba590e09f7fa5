"""`make bench NAME...` runs only the named benchmarks, and a name that is no benchmark is refused before the
report is touched (docs/benchmarks.md is only rewritten by a run that measured something)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks import __main__ as bench_main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(
    ("goals", "command"),
    [
        (["bench", "load"], "-m benchmarks load"),
        (["bench", "load", "screening"], "-m benchmarks load screening"),
        (["bench"], "-m benchmarks"),
    ],
)
def test_words_after_bench_name_the_benchmarks(goals: list[str], command: str) -> None:
    """`make -n` prints what would run; the stamp prerequisite is taken as made (`-o`)."""
    out = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed-test", *goals], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    runs = [line for line in out.splitlines() if "-m benchmarks" in line]
    assert [line.split("python", 1)[1].strip() for line in runs] == [command]


def test_an_unknown_benchmark_is_refused_and_the_report_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "benchmarks.md"
    report.write_text("# Benchmarks\n", encoding="utf-8")
    monkeypatch.setattr(bench_main, "REPORT", report)
    assert bench_main.main(["lod"]) == 2
    assert report.read_text(encoding="utf-8") == "# Benchmarks\n"
    assert "no benchmark named lod" in capsys.readouterr().err


def test_a_benchmark_whose_command_is_missing_is_refused_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The load benchmark drives wrk; without it on PATH the run stops at once with a message saying what to
    install (it used to fail with a FileNotFoundError traceback after building its data)."""
    report = tmp_path / "benchmarks.md"
    report.write_text("# Benchmarks\n", encoding="utf-8")
    monkeypatch.setattr(bench_main, "REPORT", report)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no wrk
    assert bench_main.main(["load"]) == 2
    assert report.read_text(encoding="utf-8") == "# Benchmarks\n"
    err = capsys.readouterr().err
    assert "benchmark load needs the command wrk" in err
    assert "apt-get install wrk" in err
