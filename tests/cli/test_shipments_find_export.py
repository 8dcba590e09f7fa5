"""Issue #30 in the terminal: `rigport shipments list` filters, searches, sorts and exports; `shipments export`
writes the deadlines, costs and screening tables; bad values exit 2 naming the flag."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from rigport.services import shipments as svc
from rigport.settings import get_settings
from tests.helpers import run_cli


@pytest.fixture
def booked(isolated_data_dir: Path) -> Path:
    settings = get_settings()
    today = dt.date.today()
    for ref, port, days_ago, importer in (("LA-1", "Los Angeles", 20, "+Acme Hashing"),
                                          ("LA-2", "Los Angeles", 2, "Prairie Summit"),
                                          ("SEA-1", "Seattle", 40, "Prairie Summit")):  # fmt: skip
        svc.create_shipment(svc.ShipmentDraft(ref, "vessel", port, today - dt.timedelta(days=days_ago), 10,
                                              Decimal("1000"), importer_of_record=importer,
                                              transport_doc=f"BOL-{ref}"), "t", settings)  # fmt: skip
    return isolated_data_dir


def test_list_filters_and_sorts(booked: Path) -> None:
    out = run_cli("shipments", "list", "--port", "los angeles", "--sort", "reference", "--order", "desc", "--json")
    assert out.returncode == 0, out.stderr
    assert [r["reference"] for r in json.loads(out.stdout)] == ["LA-2", "LA-1"]
    out = run_cli("shipments", "list", "-q", "bol-sea", "--format", "json")
    assert [r["reference"] for r in json.loads(out.stdout)] == ["SEA-1"]
    out = run_cli("shipments", "list", "--importer", "PRAIRIE SUMMIT", "--due-within", "0", "--json")
    assert [r["reference"] for r in json.loads(out.stdout)] == ["SEA-1"]
    table = run_cli("shipments", "list", "--sort", "next_deadline", "--order", "desc", env={"COLUMNS": "80"})
    assert table.returncode == 0, table.stderr
    order = [ref for line in table.stdout.splitlines() for ref in ("LA-1", "LA-2", "SEA-1") if ref in line]
    assert order == ["LA-2", "LA-1", "SEA-1"]


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--sort", "id"], "--sort"),
        (["--order", "up"], "--order"),
        (["--due-within", "-1"], "--due-within"),
        (["--due-within", "99999999"], "--due-within"),
        (["--state", "LOST"], "--state"),
        (["--limit", "0"], "--limit"),
        (["--format", "pdf"], "--format"),
        (["--format", "xlsx"], "--output"),
    ],
)
def test_bad_values_exit_2_naming_the_flag(booked: Path, args: list[str], flag: str) -> None:
    out = run_cli("shipments", "list", *args)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert flag in out.stderr and "Traceback" not in out.stderr


def test_csv_on_stdout_and_xlsx_to_a_file(booked: Path, tmp_path: Path) -> None:
    out = run_cli("shipments", "list", "--port", "los angeles", "--format", "csv", "--limit", "1")
    assert out.returncode == 0, out.stderr
    header, *rows = list(csv.reader(io.StringIO(out.stdout)))
    assert [r[0] for r in rows] == ["LA-1", "LA-2"]  # the whole view, not one page
    assert rows[0][header.index("importer_of_record")] == "'+Acme Hashing"  # a formula sign neutralised
    target = tmp_path / "view.xlsx"
    out = run_cli("shipments", "list", "--sort", "reference", "--format", "xlsx", "--output", str(target), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"table": "shipments", "format": "xlsx", "rows": 3, "output": str(target),
                                      "filter": {"sort": "reference"}}  # fmt: skip
    sheet = openpyxl.load_workbook(target)["shipments"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["LA-1", "LA-2", "SEA-1"]
    importer = sheet.cell(row=2, column=[c.value for c in sheet[1]].index("importer_of_record") + 1)
    assert importer.value == "+Acme Hashing" and importer.data_type == "s"


def test_export_tables(booked: Path, tmp_path: Path) -> None:
    target = tmp_path / "deadlines.csv"
    out = run_cli("shipments", "export", "deadlines", "--port", "seattle", "--output", str(target))
    assert out.returncode == 0, out.stderr
    assert "rows of deadlines" in out.stdout
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["shipment", "port", "clock"] and {r[0] for r in rows[1:]} == {"SEA-1"}
    costs = run_cli("shipments", "export", "costs", "-q", "la-")
    assert [r[0] for r in csv.reader(io.StringIO(costs.stdout))][1:] == ["LA-1", "LA-2"]
    bad = run_cli("shipments", "export", "passwords")
    assert bad.returncode == 2 and "TABLE" in bad.stderr
    missing = run_cli("shipments", "export", "costs", "--output", str(tmp_path / "nope" / "x.csv"))
    assert missing.returncode == 2 and "--output" in missing.stderr
    assert not (tmp_path / "nope").exists()
