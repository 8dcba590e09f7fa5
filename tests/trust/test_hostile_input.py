"""Hostile files and uploads: the manifest importer and the list loaders take anything without crashing.

Every input either succeeds or fails with the project's own clear error (ManifestError / InputError),
never another exception, and a rejected import writes nothing. Uploads are capped exactly at the limit,
CSV exports cannot smuggle spreadsheet formulas, and an upload's file name never becomes a path.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import text

from rigport.adapters.db.engine import get_engine
from rigport.domain.screening.loaders import load_csl_csv, load_csl_json, load_ofac, load_user_list
from rigport.entrypoints.api.app import create_app
from rigport.errors import InputError
from rigport.services import manifest, shipments
from rigport.services.auth import create_token
from rigport.settings import Settings
from tests.helpers import run_cli

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])  # fmt: skip
COLUMNS = ["line", "model", "description", "quantity", "unit_value", "hts_code", "origin", "chip_supplier", "serials"]
NASTY = ["", " ", "0", "-1", "1e999999", "NaN", "Infinity", "-0", "99999999999999999999", "3,400", "$3400", "1.5",
         "8543.70.9960", "8543.70", "CN", "cn", "ZZ", "antminer-s21", "ANTMINER-S21", "=1+1", "\x00", "\ufeff",
         "é", "\u202e", "a\nb", '"', "SN1;SN1", "SN1 SN2", "'; DROP TABLE line_items; --", "x" * 400]  # fmt: skip
cells = st.one_of(st.sampled_from(NASTY), st.text(max_size=30), st.integers().map(str),
                  st.decimals(allow_nan=True).map(str))  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One SQLite database with one shipment; every example imports into it."""
    settings_ = Settings(data_dir=tmp_path_factory.mktemp("hostile"))
    draft = shipments.ShipmentDraft("FZ", "vessel", "Oakland", dt.date(2025, 1, 2), 10, Decimal(1))
    shipments.create_shipment(draft, "test", settings_)
    return settings_


def counts(settings_: Settings) -> tuple[int, int]:
    with get_engine(settings_).connect() as conn:
        lines = conn.execute(text("SELECT count(*) FROM line_items")).scalar_one()
        audit = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    return int(lines), int(audit)


def import_is_all_or_nothing(settings_: Settings, data: bytes, name: str) -> None:
    before = counts(settings_)
    try:
        result = manifest.import_manifest(data, name, "FZ", "fuzz", settings_)
    except InputError as exc:  # ManifestError is an InputError: the report names row and column
        assert str(exc)
        assert counts(settings_) == before
        event("refused")
        return
    event("imported")
    assert counts(settings_) == (before[0] + result["lines"], before[1] + 1)


@st.composite
def manifest_csv(draw: st.DrawFn) -> bytes:
    header = draw(st.one_of(st.permutations(COLUMNS), st.lists(st.sampled_from([*COLUMNS, "junk", ""]), max_size=10)))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=len(header) + 2), max_size=8))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8", errors="surrogatepass") if draw(st.booleans()) else \
        buf.getvalue().encode("utf-8", errors="replace")  # fmt: skip


@FUZZ
@given(data=manifest_csv())
def test_manifest_csv_fuzz(store: Settings, data: bytes) -> None:
    import_is_all_or_nothing(store, data, "fuzz.csv")


VALID = {"line": "", "model": "antminer-s21", "description": "S21 200TH", "quantity": "1", "unit_value": "3400",
         "hts_code": "8543.70.9960", "origin": "CN", "chip_supplier": "Sophgo", "serials": ""}  # fmt: skip


@st.composite
def mostly_valid_manifest(draw: st.DrawFn) -> bytes:
    """Valid rows with a few cells replaced by hostile ones: some files import, some are refused whole."""
    start = draw(st.integers(1, 10**6))
    rows = []
    for n in range(draw(st.integers(1, 6))):
        row = {**VALID, "line": str(start + n), "serials": f"S{start + n}"}
        for column in draw(st.lists(st.sampled_from(COLUMNS), max_size=2)):
            row[column] = draw(cells)
        rows.append([row[c] for c in COLUMNS])
    buf = io.StringIO()
    csv.writer(buf).writerows([COLUMNS, *rows])
    return buf.getvalue().encode("utf-8", "replace")


@FUZZ
@given(data=mostly_valid_manifest())
def test_manifest_mostly_valid_fuzz(store: Settings, data: bytes) -> None:
    import_is_all_or_nothing(store, data, "fuzz.csv")


@FUZZ
@given(data=st.binary(max_size=2000))
def test_manifest_random_bytes(store: Settings, data: bytes) -> None:
    import_is_all_or_nothing(store, data, "fuzz.csv")
    import_is_all_or_nothing(store, data, "fuzz.xlsx")


@pytest.fixture
def any_store(db_settings: Settings) -> Settings:
    """A shipment FZ on SQLite and on PostgreSQL (PostgreSQL enforces column sizes that SQLite ignores)."""
    draft = shipments.ShipmentDraft("FZ", "vessel", "Oakland", dt.date(2025, 1, 2), 10, Decimal(1))
    shipments.create_shipment(draft, "test", db_settings)
    return db_settings


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])  # fmt: skip
@given(data=st.one_of(mostly_valid_manifest(), manifest_csv()))
def test_manifest_fuzz_on_both_databases(any_store: Settings, data: bytes) -> None:
    import_is_all_or_nothing(any_store, data, "fuzz.csv")


xlsx_cells = st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=True),
                       st.dates(), st.sampled_from([n for n in NASTY if not ILLEGAL_CHARACTERS_RE.search(n)]),
                       st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20))  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])  # fmt: skip
@given(header=st.permutations(COLUMNS), rows=st.lists(st.lists(xlsx_cells, max_size=11), max_size=6))
def test_manifest_xlsx_fuzz(store: Settings, header: list[str], rows: list[list[Any]]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    workbook.save(buf)
    import_is_all_or_nothing(store, buf.getvalue(), "fuzz.xlsx")


def loads_or_input_error(load: Any, *args: Any, **kwargs: Any) -> None:
    try:
        result = load(*args, **kwargs)
    except InputError as exc:
        assert str(exc)
        return
    assert result.entries  # a list that loads is never empty


text_bytes = st.one_of(st.binary(max_size=1500), st.text(max_size=800).map(lambda t: t.encode("utf-8", "replace")))


@st.composite
def csv_bytes(draw: st.DrawFn, width: int | None = None) -> bytes:
    n = width or draw(st.integers(1, 30))
    rows = draw(st.lists(st.lists(cells, min_size=n if width else 0, max_size=n), max_size=6))
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8", "replace")


@FUZZ
@given(sdn=st.one_of(text_bytes, csv_bytes(12)), add=st.one_of(st.none(), text_bytes, csv_bytes(6)),
       alt=st.one_of(st.none(), text_bytes, csv_bytes(5)))  # fmt: skip
def test_ofac_sdn_loader_fuzz(sdn: bytes, add: bytes | None, alt: bytes | None) -> None:
    loads_or_input_error(load_ofac, sdn, add, alt)


@FUZZ
@given(data=st.one_of(text_bytes, csv_bytes(), csv_bytes(29)), with_header=st.booleans())
def test_csl_csv_loader_fuzz(data: bytes, with_header: bool) -> None:
    from tests.helpers.lists import CSL_HEADER

    loads_or_input_error(load_csl_csv, (CSL_HEADER.encode() + b"\n" + data) if with_header else data)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(
        ["name", "alt_names", "type", "programs", "source", "results", "addresses", "country", "id", "_id",
         "entity_number", "start_date", "remarks", "x"]), inner, max_size=6)),
    max_leaves=25,
)  # fmt: skip


@FUZZ
@given(value=json_values, raw=st.one_of(st.none(), text_bytes))
def test_csl_json_loader_fuzz(value: Any, raw: bytes | None) -> None:
    loads_or_input_error(load_csl_json, raw if raw is not None else json.dumps(value).encode())
    loads_or_input_error(load_csl_json, json.dumps({"results": value}).encode())


@FUZZ
@given(value=json_values, raw=st.one_of(st.none(), text_bytes, csv_bytes()), kind=st.sampled_from(["csv", "yaml"]))
def test_user_list_loader_fuzz(value: Any, raw: bytes | None, kind: str) -> None:
    if raw is None:
        raw = yaml.safe_dump(value).encode() if kind == "yaml" else b"name,aliases,kind,reason,source,date\n"
    loads_or_input_error(load_user_list, raw, label=f"mine.{kind}")


# --- uploads --------------------------------------------------------------------------------


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], Settings]]:
    settings_ = Settings(data_dir=tmp_path / "data", max_upload_bytes=2048)
    client = TestClient(create_app(settings_), raise_server_exceptions=False)
    token, _ = create_token("operator", settings=settings_)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"reference": "UP", "mode": "air", "port": "Detroit", "arrival_date": "2025-02-01", "total_units": 10,
            "declared_value_usd": "1.00"}  # fmt: skip
    assert client.post("/api/v1/shipments", json=body, headers=headers).status_code == 201
    yield client, headers, settings_


def padded_manifest(size: int) -> bytes:
    """A valid one-line manifest padded with blank lines (ignored by the importer) to exactly `size` bytes."""
    head = b"line,model,quantity,unit_value,hts_code,origin\n1,antminer-s21,10,3400,8543.70.9960,CN\n"
    return head + b"\n" * (size - len(head))


def test_upload_limit_is_exact(api: tuple[TestClient, dict[str, str], Settings]) -> None:
    client, headers, settings_ = api
    limit = settings_.max_upload_bytes
    over = client.post("/api/v1/import", data={"shipment": "UP"}, headers=headers,
                       files={"file": ("m.csv", padded_manifest(limit + 1))})  # fmt: skip
    assert over.status_code == 413 and over.headers["content-type"].startswith("application/problem+json")
    assert f"{limit:,}" in over.json()["detail"]
    assert client.get("/api/v1/shipments/UP/line-items", headers=headers).json() == []
    at = client.post("/api/v1/import", data={"shipment": "UP"}, headers=headers,
                     files={"file": ("m.csv", padded_manifest(limit))})  # fmt: skip
    assert at.status_code == 201, at.text


def test_declared_oversize_upload_is_refused_before_its_body_is_sent(tmp_path: Path) -> None:
    """A real server answers 413 problem details to the headers alone: the 10 GB body is never read."""
    import socket

    from tests.trust.support import rigport_server

    token, _ = create_token("operator", settings=Settings(data_dir=tmp_path))
    with rigport_server(tmp_path) as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"POST /api/v1/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token.encode()
                         + b"\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 10000000000\r\n\r\n")
            reply = b""
            while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert b"content-type: application/problem+json" in head.lower()
    detail = json.loads(body)["detail"]
    assert "10,000,000,000 bytes" in detail and "upload limit" in detail


@pytest.mark.parametrize("filename", ["../../../../tmp/rigport-evil.csv", "..\\..\\evil.csv", "/etc/passwd.csv",
                                      "sub/../../x.csv", "\x00evil.csv", "con.csv"])  # fmt: skip
def test_upload_file_name_never_becomes_a_path(api: tuple[TestClient, dict[str, str], Settings],
                                               filename: str) -> None:  # fmt: skip
    client, headers, settings_ = api
    before = sorted(p.name for p in settings_.data_dir.rglob("*"))
    response = client.post("/api/v1/import", data={"shipment": "UP"}, headers=headers,
                           files={"file": (filename, padded_manifest(100))})  # fmt: skip
    assert response.status_code in (201, 422), response.text
    assert not Path("/tmp/rigport-evil.csv").exists()
    after = sorted(p.name for p in settings_.data_dir.rglob("*") if not p.name.startswith("rigport.db"))
    assert after == [n for n in before if not n.startswith("rigport.db")]  # nothing written beside the database
    if response.status_code == 201:
        source = response.json()["source"]
        assert "/" not in source and "\\" not in source


# --- CSV exports ---------------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "=cmd|' /C calc'!A0"]


def test_screen_batch_output_neutralises_formulas(tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    with names.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name"])
        writer.writerows([[n] for n in FORMULAS])
    out = tmp_path / "hits.csv"
    result = run_cli("screen", "--input", str(names), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert_no_formula_cells(out)
    queries = {row["query"] for row in csv.DictReader(out.open())}
    assert queries == {"'" + n.strip() for n in FORMULAS}  # names are trimmed when read


def test_screen_compare_output_neutralises_formulas(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    with pairs.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["left", "right", "=note"])
        writer.writerows([[n, "Bitmain", n] for n in FORMULAS])
    out = tmp_path / "scores.csv"
    result = run_cli("screen", "compare", "--pairs", str(pairs), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert_no_formula_cells(out)


def assert_no_formula_cells(path: Path) -> None:
    for row in csv.reader(path.open()):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize(("column", "value"), [("unit_value", "1e20"), ("unit_value", "99999999999999999999"),
                                               ("quantity", "99999999999"), ("line", "99999999999"),
                                               ("description", "d" * 301)])  # fmt: skip
def test_manifest_values_beyond_the_columns_are_refused_by_row(db_settings: Settings, column: str,
                                                                value: str) -> None:  # fmt: skip
    """Numbers the database columns cannot hold are an input error naming row and column, on both databases."""
    draft = shipments.ShipmentDraft("BIG", "vessel", "Oakland", dt.date(2025, 1, 2), 10, Decimal(1))
    shipments.create_shipment(draft, "test", db_settings)
    row = {**VALID, "line": "1", "serials": "", "quantity": "1"}
    row[column] = value
    data = ("line,model,description,quantity,unit_value,hts_code,origin\n"
            f"{row['line']},{row['model']},{row['description']},{row['quantity']},{row['unit_value']},"
            f"{row['hts_code']},{row['origin']}\n")  # fmt: skip
    before = counts(db_settings)
    with pytest.raises(InputError, match=f"row 2, column {column}"):
        manifest.import_manifest(data.encode(), "big.csv", "BIG", "test", db_settings)
    assert counts(db_settings) == before
