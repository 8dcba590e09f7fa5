"""The one row reader behind clocks.csv and tariffs.csv: the same refusals, naming file, row and column."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

import pytest

from rigport.domain.customs.clocks import parse_rules
from rigport.domain.customs.tariffs import parse_rate_table
from rigport.errors import InputError

CLOCKS = resources.files("rigport.data").joinpath("clocks.csv").read_text(encoding="utf-8")
TARIFFS = resources.files("rigport.data").joinpath("tariffs.csv").read_text(encoding="utf-8")


def header_and_row(text: str) -> tuple[str, list[str]]:
    lines = text.splitlines()
    return lines[0], lines[1].split(",")


Parse = Callable[[str, str], tuple[object, ...]]
TABLES = [(parse_rules, CLOCKS, "verified_through"), (parse_rate_table, TARIFFS, "note")]


@pytest.mark.parametrize(("parse", "text", "last"), TABLES)
def test_both_tables_refuse_alike(parse: Parse, text: str, last: str) -> None:
    header, row = header_and_row(text)
    with pytest.raises(InputError, match=rf"^mine\.csv, row 2, column {last}: missing$"):  # a short line
        parse(f"{header}\n{','.join(row[:-1])}\n", "mine.csv")
    with pytest.raises(InputError, match=r"^mine\.csv: no rows$"):
        parse(f"{header}\n", "mine.csv")
    with pytest.raises(InputError, match=r"^mine\.csv: missing column citation; expected columns "):
        parse(text.replace(header, header.replace("citation", "cite"), 1), "mine.csv")
    at = header.split(",").index("verified_through")
    wrong = ",".join(row[:at] + ["2025-02-30"] + row[at + 1 :])
    with pytest.raises(InputError, match=r"^mine\.csv, row 3, column verified_through: expected a date YYYY-MM-DD, "
                                         r"got '2025-02-30'$"):  # fmt: skip
        parse(f"{header}\n{','.join(row)}\n{wrong}\n", "mine.csv")
    cite = header.split(",").index("citation")
    blank = ",".join(row[:cite] + [" "] + row[cite + 1 :])
    with pytest.raises(InputError, match=r"^mine\.csv, row 2, column citation: expected a value$"):
        parse(f"{header}\n{blank}\n", "mine.csv")
    assert len(parse(f"{header}\n{','.join(row)},extra,cells\n", "mine.csv")) == 1  # extra cells are ignored
