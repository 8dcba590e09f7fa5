"""Issue #30: the terminal output fits 80 columns without cutting a reference, date or state, prints no object
repr, and shows numbers with separators and units; --json is unchanged. Run through the real entry point."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from rigport.entrypoints.cli.output import days, days_left, instant, si, usd
from tests.helpers import run_cli

WIDTHS = (80, 200)
REPR = re.compile(r"\w+\(\w+=|Decimal\(|datetime\.")


def _run(width: int, *args: str) -> str:
    done = run_cli(*args, env={"COLUMNS": str(width), "LINES": "50"})
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        assert len(line) <= width, f"{len(line)} columns: {line!r}"
    assert "…" not in done.stdout  # nothing cut with an ellipsis
    assert not REPR.search(done.stdout), done.stdout
    return done.stdout


def _flat(text: str) -> str:
    """The words of a table in reading order, box drawing and line breaks removed, for whole-phrase checks."""
    return " ".join(re.sub(r"[│┃┏┓┗┛┡┩└┘┌┐━─╇┳┻┴┬╋┼]", " ", text).split())


@pytest.fixture
def demo() -> list[dict[str, object]]:
    seeded = run_cli("demo", "--no-serve", "--json")
    assert seeded.returncode == 0, seeded.stderr
    listed = run_cli("shipments", "list", "--json")
    rows: list[dict[str, object]] = json.loads(listed.stdout)
    assert len(rows) == 6
    return rows


@pytest.mark.parametrize("width", WIDTHS)
def test_shipments_list_keeps_references_dates_and_states_whole(demo: list[dict[str, object]], width: int) -> None:
    out = _run(width, "shipments", "list")
    words = out.split()
    for row in demo:
        assert row["reference"] in words
        deadline = row["next_deadline"]
        if isinstance(deadline, dict):
            assert deadline["due"] in words
        for state, count in row["quantities"].items():  # type: ignore[attr-defined]
            assert f"{state} {count:,}" in out  # a state and its count on one line, never wrapped
    if width == 200:
        assert "San Francisco" in out and "$4,500,000" in out and "not shown" not in out
    else:
        assert "not shown at this width: port, arrived, value" in _flat(out)
    # the one clock that may not apply says so below the table, not squeezed into a column
    assert "1. may not apply: CBP holds the goods for another agency (19 CFR 151.16(a))" in _flat(out)


@pytest.mark.parametrize("width", WIDTHS)
def test_economics_prints_figures_with_units_and_no_repr(width: int) -> None:
    out = _run(width, "economics", "antminer-s21", "--units", "100", "--power-price", "0.05", "--hold-days", "60",
               "--difficulty", "114e12", "--price", "96000", "--fees-btc", "0.03", "--unit-price", "3400")
    flat = _flat(out)
    assert "network difficulty 114.0 T" in flat
    assert "capital outlay $340,000.00" in flat
    assert "payback 559 days" in flat
    assert "Cost of a hold of 60 days" in flat
    assert "whole hold (60 days) $421.13 $42,112.84" in flat  # the same cents as the JSON below
    raw = run_cli("economics", "antminer-s21", "--units", "100", "--power-price", "0.05", "--hold-days", "60",
                  "--difficulty", "114e12", "--price", "96000", "--fees-btc", "0.03", "--unit-price", "3400", "--json")
    report = json.loads(raw.stdout)
    assert report["difficulty"] == 114e12 and report["hold_cost_usd"] == 42112.84
    assert report["hold_cost_breakdown"]["per_unit_total_usd"] == 421.13  # --json keeps field names and numbers


@pytest.mark.parametrize("width", WIDTHS)
def test_customs_deadlines_notes_go_below_the_table(width: int) -> None:
    out = _run(width, "customs", "deadlines", "arrival", "2026-11-02")
    flat = _flat(out)
    for due in ("2026-11-17", "2027-05-02"):
        assert due in out.split()
    assert "15 days" in out  # a count of days never split from its unit
    table_end = out.index("└")
    notes = _flat(out[table_end:])
    assert "1. Entry (or entry summary with estimated duties) due within 15 calendar days after arrival" in notes
    assert "Entry (or entry summary" not in _flat(out[:table_end])
    assert flat.count("19 CFR 142.2(a)") == 1


@pytest.mark.parametrize("width", WIDTHS)
def test_audit_timestamps_to_the_second(demo: list[dict[str, object]], width: int) -> None:
    out = _run(width, "shipments", "audit", "DEMO-SFO-M60S")
    stamps = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? UTC", out)
    assert stamps and not any(stamps)  # every timestamp printed, none with microseconds


def test_shipment_show_events_fit(demo: list[dict[str, object]]) -> None:
    out = _run(80, "shipments", "show", "DEMO-SFO-M60S")
    assert "EXAM_PRESENTED" in out.split() and "1,500" in out.split()
    assert re.search(r"(passed [\d,]+ days? ago|overdue by [\d,]+ days?|in [\d,]+ days?)", _flat(out))


def test_formatters_on_known_values() -> None:
    assert si(114_000_000_000_000.0) == "114.0 T"
    assert si(Decimal("95672703408223.94")) == "95.7 T"
    assert usd(Decimal("1234.5")) == "$1,234.50" and usd(-12) == "-$12.00"
    assert usd(5_220_000, cents=False) == "$5,220,000"
    assert days(1095) == "1,095 days (3 years)" and days(1) == "1 day" and days(400) == "400 days"
    assert days_left(-4, overdue=True) == "overdue by 4 days" and days_left(-1, overdue=False) == "passed 1 day ago"
    assert days_left(12, overdue=False) == "in 12 days" and days_left(0, overdue=False) == "today"
    moment = dt.datetime(2026, 12, 7, 4, 53, 12, 729469, tzinfo=dt.UTC)
    assert instant(moment) == "2026-12-07 04:53:12 UTC" and instant(moment.isoformat()) == "2026-12-07 04:53:12 UTC"
