"""The column-wise manifest check accepts exactly the files the row-by-row check accepts, with the same lines.

`check_manifest` first checks each column once per distinct value (fast on real manifests, which
repeat models, HTS codes, origins and prices); only when that finds something wrong does it go row
by row (`_parse_row`), which names every problem. These tests hold the two together: against an
oracle that reads the file the way the importer did before the column-wise path existed (one dict
per row, `dict(zip(header, stripped cells))`), every file gives the same problems, or the same lines.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from rigport.domain.customs import manifest as manifest_rules
from rigport.domain.customs.model import LineItem
from rigport.services import manifest, shipments
from rigport.services.catalog import get_catalog
from rigport.settings import Settings

COLUMNS = ["line", "model", "description", "quantity", "unit_value", "hts_code", "origin", "chip_supplier", "serials"]
GOOD = {"line": "", "model": "antminer-s21", "description": "", "quantity": "1", "unit_value": "3400",
        "hts_code": "8543.70.9960", "origin": "CN", "chip_supplier": "", "serials": ""}  # fmt: skip
ODD = ["", " ", "0", "1", "2", "01", " 1 ", "-1", "10000001", "1_000", "١", "²", "2147483648", "1e3", "NaN", "-0",
       "3,400", "$3400", "$-1", "1" * 20, "8543.70.9960", "8543.70.99", "8471.50.0150\n", "CN", "cn", "XX", "MY ",
       "antminer-s21", "ANTMINER-S21", "antminer-s12", "whatsminer-m60s", "a;b", "a|b", "a b", "A1;A2", "A1", "A1;A1",
       "x" * 121, "y" * 301, "\u00a0", "a\nb", '"q"', "é"]  # fmt: skip


def oracle(data: bytes, source: str = "f.csv") -> list[LineItem] | list[str]:
    """The importer's row-by-row reading and checks as they were before the column-wise path: items, or problems."""
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    names = [h.strip().lower() for h in next(reader)]
    missing = [c for c in manifest.REQUIRED_COLUMNS if c not in names]
    if "model" not in names and "description" not in names:
        missing.append("model or description")
    if missing:
        return [f"row 1: missing column(s) {', '.join(missing)}; expected header with "
                f"{', '.join(manifest.REQUIRED_COLUMNS + manifest.OPTIONAL_COLUMNS)}"]  # fmt: skip
    catalog = get_catalog(None)
    problems: list[str] = []
    items: list[LineItem] = []
    seen: dict[str, int] = {}
    lines: dict[int, int] = {}
    rows = (dict(zip(names, map(str.strip, values), strict=False)) for values in reader if "".join(values).strip())
    for row_no, row in enumerate(rows, start=2):
        item = manifest_rules._parse_row(row, row_no, catalog, problems, seen, lines)
        if item is not None:
            items.append(item)
    if not items and not problems:
        problems.append("row 2: expected at least one line item, got none")
    return problems or items


def outcome(data: bytes, source: str = "f.csv") -> list[LineItem] | list[str]:
    try:
        return manifest.parse_manifest(data, source).items
    except manifest.ManifestError as exc:
        return exc.problems


def to_csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()


@st.composite
def manifests(draw: st.DrawFn) -> bytes:
    """Mostly valid files (so the column-wise path succeeds often), with odd cells, ragged rows and repeats."""
    some = st.lists(st.sampled_from([*COLUMNS, "junk"]), max_size=11)
    needed = st.permutations(["model", "quantity", "unit_value", "hts_code", "origin"])
    header = draw(st.one_of(st.permutations(COLUMNS), needed, st.tuples(needed, some).map(lambda t: t[0] + t[1]), some))
    count = draw(st.integers(1, 12))
    odd = draw(st.sampled_from([0, 0.1, 0.5]))  # how often a row has an odd cell
    sep = draw(st.sampled_from([";", "|", " ", "; ", ";;", " | "]))
    rows = []
    for n in range(count):
        row = {**GOOD, "line": str(n + 1) if draw(st.booleans()) else ""}
        units = draw(st.sampled_from([0, 1, 1, 2, 3]))  # 0: no serials
        row["quantity"] = str(max(units, 1))
        row["serials"] = sep.join(f"S{n}-{k}" for k in range(units))
        if draw(st.floats(0, 1)) < odd:
            row[draw(st.sampled_from(COLUMNS))] = draw(st.one_of(st.sampled_from(ODD), st.text(max_size=6)))
        cells = [row.get(name, "") for name in header]
        if draw(st.integers(0, 9)) == 0:  # ragged: short or long
            cells = cells[: draw(st.integers(0, len(cells)))] + draw(st.lists(st.sampled_from(ODD), max_size=2))
        rows.append(cells)
        if draw(st.integers(0, 9)) == 0:
            rows.append(draw(st.sampled_from([[], [""] * len(header), ["  "]])))  # blank rows are skipped
    return to_csv(header, rows)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=manifests())
def test_column_checks_agree_with_row_checks(data: bytes) -> None:
    expected = oracle(data)
    event("imports" if expected and isinstance(expected[0], LineItem) else "refused")
    assert outcome(data) == expected


@given(data=manifests())
@settings(max_examples=200, deadline=None)
def test_column_path_accepts_every_valid_file(data: bytes) -> None:
    """Not only the same answer: a file the row checks accept never needs them (the fast path is taken)."""
    expected = oracle(data)
    if expected and isinstance(expected[0], LineItem):
        header, rows = manifest_rules._rows_from_csv(data, "f.csv")
        lines = manifest_rules._check_columns(rows(), get_catalog(None))
        assert lines is not None and lines.items() == expected


def test_every_kind_of_problem_is_reported_as_before() -> None:
    """A crafted bad file: the report is word for word what the row-by-row importer gave (messages copied from it)."""
    rows = [
        ["1", "antminer-s21", "", "1", "3400", "8543.70.9960", "CN", "", "OK1"],  # good
        ["2", "", "", "1", "3400", "8543.70.9960", "CN", "", ""],  # neither model nor description
        ["3", "antminer-s21", "", "0", "3400", "8543.70.9960", "CN", "", ""],
        ["4", "antminer-s21", "", "10000001", "3400", "8543.70.9960", "CN", "", ""],
        ["5", "antminer-s21", "", "two", "3400", "8543.70.9960", "CN", "", ""],
        ["6", "antminer-s21", "", "1", "-5", "8543.70.9960", "CN", "", ""],
        ["7", "antminer-s21", "", "1", "1e15", "8543.70.9960", "CN", "", ""],
        ["8", "antminer-s21", "", "1", "cheap", "8543.70.9960", "CN", "", ""],
        ["2147483648", "antminer-s21", "", "1", "3400", "8543.70.9960", "CN", "", ""],
        ["10", "antminer-s21", "d" * 301, "1", "3400", "8543.70.9960", "CN", "c" * 121, ""],
        ["11", "antminer-s21", "", "1", "3400", "8543709960", "CN", "", ""],
        ["12", "antminer-s21", "", "1", "3400", "8543.70.9960", "XX", "", ""],
        ["13", "antminer-s21", "", "1", "3400", "8543.70.9960", "CN", "", "OK1"],  # duplicate of row 2
        ["14", "antminer-s21", "", "3", "3400", "8543.70.9960", "CN", "", "A;B"],  # 2 serials for 3 units
        ["15", "antminer-s21", "", "1", "3400", "8543.70.9960", "cn", "", ""],  # good: origin is upper-cased
    ]
    data = to_csv(COLUMNS, rows)
    assert outcome(data) == oracle(data) == [
        "row 3, column model: expected a catalog model id or a description, got ''",
        "row 4, column quantity: expected a whole number of at least 1, got '0'",
        "row 5, column quantity: expected a whole number up to 10,000,000, got '10000001'",
        "row 6, column quantity: expected a whole number of at least 1, got 'two'",
        "row 7, column unit_value: expected a USD amount of 0 or more, below 100,000,000,000,000, got '-5'",
        "row 8, column unit_value: expected a USD amount of 0 or more, below 100,000,000,000,000, got '1e15'",
        "row 9, column unit_value: expected a USD amount of 0 or more, got 'cheap'",
        "row 10, column line: expected a line number up to 2,147,483,647, got '2147483648'",
        "row 11, column description: expected at most 300 characters, got '" + "d" * 40 + "...'",
        "row 11, column chip_supplier: expected at most 120 characters, got '" + "c" * 40 + "...'",
        "row 12, column hts_code: expected an HTS code like 8543.70.9960, got '8543709960'",
        "row 13, column origin: expected an ISO 3166 two-letter country code such as CN or MY, got 'XX'",
        "row 14, column serials: expected serial numbers unique in the file (also on row 2), got 'OK1'",
        "row 15, column serials: expected 3 serial numbers (one per unit), got '2 serials'",
    ]


def test_line_numbers_repeated_in_the_file_are_named() -> None:
    """They used to reach the database and come back as a conflict (409), not as bad input naming the rows."""
    rows = [["1", "antminer-s21", "", "1", "3400", "8543.70.9960", "CN", "", ""],
            ["", "antminer-s21", "", "1", "3400", "8543.70.9960", "CN", "", ""],  # its place, 2, is free
            ["2", "antminer-s21", "", "1", "3400", "8543.70.9960", "CN", "", ""],
            ["1", "antminer-s21", "", "1", "3400", "8543.70.9960", "CN", "", ""]]  # fmt: skip
    data = to_csv(COLUMNS, rows)
    assert outcome(data) == oracle(data) == [
        "row 4, column line: expected line numbers unique in the file (line 2 is also on row 3), got '2'",
        "row 5, column line: expected line numbers unique in the file (line 1 is also on row 2), got '1'",
    ]


def test_unknown_model_names_the_closest_catalog_ids() -> None:
    data = to_csv(COLUMNS, [["1", "antminer-s12", "", "1", "3400", "8543.70.9960", "CN", "", ""]])
    problems = outcome(data)
    assert problems == oracle(data)
    assert problems[0].startswith("row 2, column model: expected a catalog model id (did you mean antminer-s21")


def test_a_superscript_line_number_is_not_a_line_number() -> None:
    """'²' passes str.isdigit but int() refuses it: the importer used to crash; now it is like any non-number."""
    data = to_csv(COLUMNS, [["²", "antminer-s21", "", "1", "3400", "8543.70.9960", "CN", "", ""],
                            ["٣", "antminer-s21", "", "1", "3400", "8543.70.9960", "CN", "", ""]])  # fmt: skip
    assert [i.line_no for i in manifest.parse_manifest(data, "f.csv").items] == [1, 3]


def test_ragged_rows_and_repeated_columns_read_as_before() -> None:
    header = ["model", "quantity", "unit_value", "hts_code", "origin", "quantity", "serials"]
    rows = [["antminer-s21", "9", "3400", "8543.70.9960", "CN", "2", "A;B", "extra"],  # the last 'quantity' wins
            ["antminer-s21", "1", "3400", "8543.70.9960", "CN", "1"],  # short: no serials
            [], ["", "", ""]]  # fmt: skip
    data = to_csv(header, rows)
    items = outcome(data)
    assert items == oracle(data)
    assert [(i.line_no, i.quantity, i.serials) for i in items if isinstance(i, LineItem)] == [
        (1, 2, ["A", "B"]), (2, 1, [])]  # fmt: skip


def test_lines_written_match_the_items(tmp_path: Path) -> None:
    """What the import writes (columns, serials as stored text) is the items, column by column."""
    data = to_csv(COLUMNS, [["7", "antminer-s21", "", "2", "$3,400.50", "8543.70.9960", "my", "", "A1 A2"],
                            ["", "", "PSU", "1", "20", "8504.40.9580", "CN", "", ""]])  # fmt: skip
    lines = manifest.check_manifest(data, "f.csv", Settings(data_dir=tmp_path))
    assert lines.items() == oracle(data)
    assert lines.serial_texts == ["A1\nA2", ""] and lines.units == 3 and str(lines.value_usd) == "6821.00"


def xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("bad", [False, True])
def test_xlsx_takes_the_same_paths(bad: bool) -> None:
    rows: list[list[Any]] = [["line", "model", "quantity", "unit_value", "hts_code", "origin", "serials"],
                             [1, "antminer-s21", 2, 3400, "8543.70.9960", "CN", "V1;V2"],
                             [None, None, None, None, None, None, None],
                             [2, "antminer-s21", 1, 3400.5, "8543.70.9960", "CN", "V1" if bad else "V3"]]  # fmt: skip
    result = outcome(xlsx(rows), "p.xlsx")
    if bad:
        assert result == ["row 3, column serials: expected serial numbers unique in the file (also on row 2), got 'V1'"]
    else:
        assert [(i.line_no, i.quantity, str(i.unit_value_usd), i.serials) for i in result if isinstance(i, LineItem)] \
            == [(1, 2, "3400", ["V1", "V2"]), (2, 1, "3400.5", ["V3"])]  # fmt: skip


CELL = st.one_of(st.text(alphabet="ab1;|", min_size=1, max_size=3), st.text(alphabet=";| \t\x0b\x1c\u2028\x85ab1",
                                                                            max_size=4))  # fmt: skip


@st.composite
def plain_csv(draw: st.DrawFn) -> tuple[list[str], str]:
    """Mostly rectangular quote-free CSV text (sometimes ragged or blank rows) with any line endings."""
    header = draw(st.lists(st.sampled_from(["quantity", "serials", "junk"]), min_size=1, max_size=4))
    if "quantity" not in header:
        header.append("quantity")
    ragged = draw(st.sampled_from([False, False, False, True]))
    row = st.lists(CELL, max_size=len(header) + 1) if ragged else st.lists(CELL, min_size=len(header),
                                                                            max_size=len(header))  # fmt: skip
    lines = draw(st.lists(row.map(",".join), min_size=1, max_size=6))
    ends = draw(st.lists(st.sampled_from(["\n", "\r", "\r\n", "\n\r", "\r\r\n"]), min_size=len(lines),
                         max_size=len(lines)))  # fmt: skip
    text = "".join(line + end for line, end in zip(lines, ends, strict=True))
    return header, text[: draw(st.integers(0, len(text)))] if draw(st.booleans()) else text


@given(case=plain_csv())
@settings(max_examples=1000, deadline=None)
def test_plain_csv_split_is_what_the_csv_module_reads(case: tuple[list[str], str]) -> None:
    """Where the bulk split applies (no quotes, rectangular, quantities given), it reads what the csv module reads."""
    header, body = case
    plain = manifest_rules._plain_csv_columns(",".join(header) + "\r\n" + body, header)
    event("split in bulk" if plain is not None else "csv module")
    if plain is not None:
        reader = csv.reader(io.StringIO(body, newline=""))
        assert plain == manifest_rules._columns(header, [row for row in reader if "".join(row).strip()])


def test_gc_resumes_after_a_good_or_a_bad_file(tmp_path: Path) -> None:
    good = to_csv(COLUMNS, [["1", "antminer-s21", "", "1", "3400", "8543.70.9960", "CN", "", "A"]])
    manifest.check_manifest(good, "f.csv", Settings(data_dir=tmp_path))
    assert gc.isenabled()
    with pytest.raises(manifest.ManifestError):
        manifest.check_manifest(good.replace(b"CN", b"XX"), "f.csv", Settings(data_dir=tmp_path))
    assert gc.isenabled()


def test_bulk_import_stores_what_the_rows_say(settings: Settings) -> None:
    """A plain file of many lines (split in bulk, serials two per line) reads back line for line, on both databases."""
    rows = [[str(n), "antminer-s21" if n % 2 else "", "" if n % 2 else f"PSU {n}", "2", f"{3000 + n / 100:.2f}",
             "8543.70.9960", "CN" if n % 3 else "MY", "", f"S{n}a|S{n}b"] for n in range(1, 2001)]  # fmt: skip
    draft = shipments.ShipmentDraft("BULK", "vessel", "Oakland", dt.date(2025, 1, 2), 4000, Decimal(1))
    shipments.create_shipment(draft, "t", settings)
    result = manifest.import_manifest(to_csv(COLUMNS, rows), "bulk.csv", "BULK", "t", settings)
    assert (result["lines"], result["units"], result["units_match_shipment"]) == (2000, 4000, True)
    assert result["value_usd"] == sum((2 * Decimal(f"{3000 + n / 100:.2f}") for n in range(1, 2001)), Decimal(0))
    view = shipments.get_shipment("BULK", settings)
    stored = [(i["line_no"], i["model_id"], i["description"], i["origin"], i["serials"]) for i in view["line_items"]]
    assert stored == [(n, "antminer-s21" if n % 2 else None, "" if n % 2 else f"PSU {n}", "CN" if n % 3 else "MY",
                       [f"S{n}a", f"S{n}b"]) for n in range(1, 2001)]  # fmt: skip


@pytest.mark.parametrize("odd", ["a\x1fb", "a\x1eb", "tab\there", "back\\slash", "{braces},\"quotes\""])
def test_bulk_insert_keeps_odd_text_and_missing_models(settings: Settings, odd: str) -> None:
    """Text holding the separator or null marker PostgreSQL's bulk path uses, or array syntax, is stored as given."""
    rows = [["1", "", odd, "1", "10", "8543.70.9960", "CN", odd, ""],
            ["2", "antminer-s21", "", "1", "3400.5", "8543.70.9960", "CN", "", ""],
            ["3", "", "PSU", "1", "0", "8504.40.9580", "CN", "", ""]]  # fmt: skip
    draft = shipments.ShipmentDraft("ODD", "vessel", "Oakland", dt.date(2025, 1, 2), 3, Decimal(1))
    shipments.create_shipment(draft, "t", settings)
    manifest.import_manifest(to_csv(COLUMNS, rows), "odd.csv", "ODD", "t", settings)
    view = shipments.get_shipment("ODD", settings)
    stored = [(i["model_id"], i["description"], i["chip_supplier"], str(i["unit_value_usd"]))
              for i in view["line_items"]]  # fmt: skip
    assert stored == [(None, odd, odd, "10.00"), ("antminer-s21", "", "", "3400.50"), (None, "PSU", "", "0.00")]


def test_postgres_array_parameters_fall_back_to_lists_when_text_could_be_misread() -> None:
    from rigport.adapters.db.repository import _pg_array

    assert _pg_array(["a", "b"]) == ("string_to_array(%s, %s)", ["a\x1fb", "\x1f"])
    expected = ("string_to_array(%s, %s, %s)", ["1\x1f\x1e\x1f2.50", "\x1f", "\x1e"])
    assert _pg_array([1, None, Decimal("2.50")]) == expected
    assert _pg_array(["a\x1fb", "c"]) == ("%s", [["a\x1fb", "c"]])  # the separator inside a value
    assert _pg_array(["\x1e", None]) == ("%s", [["\x1e", None]])  # a value equal to the null marker
    assert _pg_array([""]) == ("%s", [[""]])  # one empty string would split into no element at all
    assert _pg_array([True, False]) == ("%s", [[True, False]])  # not text or a number


@pytest.mark.parametrize("per", [1, 3, 7, 1000])
def test_bulk_insert_in_multi_row_statements(tmp_path: Path, per: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite gets `per` rows a statement and one statement for the rest: every row lands once, in order."""
    from rigport.adapters.db import repository

    monkeypatch.setattr(repository, "ROWS_PER_STATEMENT", per)
    settings = Settings(data_dir=tmp_path)
    rows = [[str(n), "antminer-s21", "", "1", f"{n}.25", "8543.70.9960", "CN", "", f"S{n}"] for n in range(1, 24)]
    draft = shipments.ShipmentDraft("CHUNK", "vessel", "Oakland", dt.date(2025, 1, 2), 23, Decimal(1))
    shipments.create_shipment(draft, "t", settings)
    manifest.import_manifest(to_csv(COLUMNS, rows), "chunk.csv", "CHUNK", "t", settings)
    view = shipments.get_shipment("CHUNK", settings)
    stored = [(i["line_no"], str(i["unit_value_usd"]), i["serials"]) for i in view["line_items"]]
    assert stored == [(n, f"{n}.25", [f"S{n}"]) for n in range(1, 24)]


def test_rows_per_statement_respects_the_driver_parameter_limit(tmp_path: Path) -> None:
    import sqlite3

    from rigport.adapters.db import repository
    from rigport.adapters.db.engine import get_engine

    with get_engine(Settings(data_dir=tmp_path)).connect() as conn:
        driver = conn.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        assert repository._rows_per_statement(conn, 10, 10**6) == min(repository.ROWS_PER_STATEMENT, limit // 10)
        assert repository._rows_per_statement(conn, 10, 5) == 5
        driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 25)
        try:
            assert repository._rows_per_statement(conn, 10, 10**6) == 2
            assert repository._rows_per_statement(conn, 40, 10**6) == 1
        finally:
            driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)


@pytest.mark.parametrize("sep", [";", "|"])
def test_serials_split_in_bulk_are_counted_per_line(sep: str) -> None:
    """One separator fewer than the quantity on every line, counted from the cells joined (or one by one with NULs)."""
    cells = [f"A{sep}B", "C", f"D{sep}E{sep}F", f"G\x00H{sep}I"]
    texts = ["A\nB", "C", "D\nE\nF", "G\x00H\nI"]
    assert manifest_rules._serials(cells, [2, 1, 3, 2], {1, 2, 3}) == (texts, None)
    assert manifest_rules._serials(cells[:3], [2, 1, 3], {1, 2, 3}) == (texts[:3], None)
    for wrong in ([2, 2, 2], [1, 1, 4], [3, 1, 2], [2, 1, 10_000_000]):
        assert manifest_rules._serials(cells[:3], wrong, set(wrong)) is None
    assert manifest_rules._serials(cells, [2, 1, 3, 3], {1, 2, 3}) is None
    assert manifest_rules._serials([f"é{sep}ü", "ß"], [2, 1], {1, 2}) == (["é\nü", "ß"], None)
    assert manifest_rules._serials([f"é{sep}ü", "ß"], [1, 2], {1, 2}) is None
