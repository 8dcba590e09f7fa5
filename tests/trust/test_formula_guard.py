"""CSV exports neutralise formulas hidden behind leading whitespace (issue #26, item 10).

Spreadsheets trim a cell's leading space, tab or newline before deciding it is a formula, so
" =HYPERLINK(...)" or "\\n@SUM(...)" runs as one unless guarded.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rigport.entrypoints.cli.output import spreadsheet_safe
from tests.helpers import run_cli

HIDDEN = [" =1+1", "  +1+1", "\n=HYPERLINK(\"http://x\",\"y\")", "\t@SUM(A1:A2)", "\r\n-2+3", " \t\n=cmd|' /C calc'!A0",
          "\u00a0=1+1", "\u2003@x"]  # fmt: skip
HARMLESS = ["Bitmain", " Bitmain", "1-2", "a=b", "", "\u00e9=1"]


@pytest.mark.parametrize("cell", HIDDEN)
def test_formula_behind_whitespace_is_neutralised(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", HARMLESS)
def test_plain_text_is_left_alone(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell


def test_screen_compare_output_neutralises_hidden_formulas(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    with pairs.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["left", "right", " =note"])
        writer.writerows([["Bitmain", "Bitmain", n] for n in HIDDEN])
    out = tmp_path / "scores.csv"
    result = run_cli("screen", "compare", "--pairs", str(pairs), "--output", str(out))
    assert result.returncode == 0, result.stderr
    cells = [cell for row in csv.reader(out.open(newline="")) for cell in row]
    assert cells
    for cell in cells:
        assert not cell.lstrip().startswith(("=", "+", "-", "@")), repr(cell)
    assert sum(cell.startswith("'") for cell in cells) >= len(HIDDEN) + 1
