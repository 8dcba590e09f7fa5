"""Manifest import: 100,000 line items into SQLite, against bare sqlite3 executemany of the same rows.

Target (issue 4): under 5 s, and within 2x of a bare `executemany` of the same rows measured in the
same run; rows/s on PostgreSQL when the server binaries are installed.

Which bare executemany the 2x is read against: one into the real `line_items` table, created by
rigport's own migrations on a database with the same PRAGMAs as rigport's engine (WAL,
synchronous=NORMAL, foreign keys on), with the parent shipment in place. That table has a primary
key, a unique (shipment_id, line_no) index, an index on shipment_id and a foreign key, and every
row inserted into it pays for them, whoever inserts it. The ratio against it is end to end: rigport's
time includes reading the CSV and checking every row, which the bare insert does not do at all.
So "within 2x" means: reading and checking 100,000 rows and everything around the insert costs
less than the insert itself.

rigport's writer no longer inserts with a row-at-a-time executemany: it binds 1,000 rows a statement
(multi-row INSERT ... VALUES), which costs less than the baseline's executemany for the same rows.
The issue's ratio is still read against the plain executemany, as the issue states it; so the gain
from the statement form is visible on its own, the same rows in the same multi-row statements, bare,
are measured too and rigport's time is also reported against them (no target).

The first baseline, a bare executemany into an untyped table with no keys or indexes, is still
measured and reported (as are both write-phase ratios) so the change of baseline hides nothing.
The rows the real-schema baseline stores are checked to be identical to the ones rigport stores.
A second file, with every unit value distinct and models, HTS codes and origins varied, shows the
column-wise checks do not depend on a manifest repeating its values.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.harness import Result
from rigport.adapters.db.engine import _sqlite_pragmas
from rigport.adapters.db.repository import ROWS_PER_STATEMENT
from rigport.adapters.db.tables import Money
from rigport.services import manifest, shipments
from rigport.settings import Settings

ROWS = 100_000
ROUNDS = 5  # best of: the least disturbed by other work on the shared machine
COLUMNS = ("shipment_id", "line_no", "model_id", "description", "quantity", "unit_value_usd", "hts_code", "origin",
           "chip_supplier", "serials")  # fmt: skip
STORED = "SELECT line_no, model_id, description, quantity, unit_value_usd, typeof(unit_value_usd), hts_code, origin," \
         " chip_supplier, serials FROM line_items ORDER BY line_no"  # fmt: skip


def _csv(rows: int) -> bytes:
    lines = ["line,model,quantity,unit_value,hts_code,origin,serials"]
    lines += [f"{n},antminer-s21,1,3400,8543.70.9960,CN,SN{n:07d}" for n in range(1, rows + 1)]
    return ("\n".join(lines) + "\n").encode()


def _varied_csv(rows: int) -> bytes:
    """Every unit value distinct; models, HTS codes, origins and quantities (1-3, a serial per unit) vary."""
    models = ["antminer-s21", "antminer-t21", "whatsminer-m60s", "avalon-a1566", "sealminer-a2"]
    hts = ["8543.70.9960", "8471.50.0150", "8473.30.1180"]
    origins = ["CN", "MY", "TH", "ID", "US"]
    lines = ["line,model,quantity,unit_value,hts_code,origin,serials"]
    lines += [f"{n},{models[n % 5]},{n % 3 + 1},{3000 + n / 100:.2f},{hts[n % 3]},{origins[n % 5]},"
              + ";".join(f"S{n}-{k}" for k in range(n % 3 + 1)) for n in range(1, rows + 1)]  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def _settings_with_shipment(data_dir: Path) -> Settings:
    settings = Settings(data_dir=data_dir)
    draft = shipments.ShipmentDraft("BENCH", "vessel", "Oakland", dt.date(2025, 1, 2), ROWS, Decimal(340_000_000))
    shipments.create_shipment(draft, "bench", settings)  # the schema comes from rigport's migrations
    return settings


def _import(settings: Settings, data: bytes) -> float:
    start = time.perf_counter()
    manifest.import_manifest(data, "bench.csv", "BENCH", "bench", settings)
    return time.perf_counter() - start


def _check_only(settings: Settings, data: bytes) -> float:
    """The parse + validate phase alone: the same work import_manifest does before it writes."""
    start = time.perf_counter()
    manifest.check_manifest(data, "bench.csv", settings)
    return time.perf_counter() - start


def _same_rows(shipment_id: int) -> list[tuple[Any, ...]]:
    """The rows as rigport hands them to the driver (the unit value through the Money column's bind processor)."""
    from sqlalchemy.dialects import sqlite

    money = Money.bind_processor(sqlite.dialect())
    value = money(Decimal(3400)) if money else Decimal(3400)
    return [(shipment_id, n, "antminer-s21", "", 1, value, "8543.70.9960", "CN", "", f"SN{n:07d}")
            for n in range(1, ROWS + 1)]  # fmt: skip


def _bare_untyped(path: Path) -> float:
    """The first baseline: an untyped table, no keys, no indexes, WAL only."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"CREATE TABLE li ({', '.join(COLUMNS)})")
    rows = [(1, n, "antminer-s21", "", 1, "3400", "8543.70.9960", "CN", "", f"SN{n:07d}") for n in range(1, ROWS + 1)]
    start = time.perf_counter()
    with conn:
        conn.executemany(f"INSERT INTO li VALUES ({','.join('?' * len(COLUMNS))})", rows)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def _bare_real_schema(settings: Settings) -> float:
    """The baseline the target is read against: the real line_items table, rigport's PRAGMAs, one transaction."""
    conn = sqlite3.connect(settings.sqlite_path)
    _sqlite_pragmas(conn, None)  # the same connect hook rigport's engine runs
    (shipment_id,) = conn.execute("SELECT id FROM shipments WHERE reference = 'BENCH'").fetchone()
    rows = _same_rows(shipment_id)
    start = time.perf_counter()
    with conn:
        conn.executemany(f"INSERT INTO line_items ({', '.join(COLUMNS)}) VALUES ({','.join('?' * len(COLUMNS))})", rows)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def _bare_multi_row(settings: Settings) -> float:
    """For reference, no target: the real-schema baseline's rows in the multi-row INSERTs rigport's writer uses."""
    conn = sqlite3.connect(settings.sqlite_path)
    _sqlite_pragmas(conn, None)
    (shipment_id,) = conn.execute("SELECT id FROM shipments WHERE reference = 'BENCH'").fetchone()
    rows = _same_rows(shipment_id)
    per = ROWS_PER_STATEMENT
    start = time.perf_counter()
    flat = [value for row in rows for value in row]
    into = f"INSERT INTO line_items ({', '.join(COLUMNS)}) VALUES "
    one = f"({','.join('?' * len(COLUMNS))})"
    size = per * len(COLUMNS)
    full = len(flat) // size * size
    with conn:
        conn.executemany(into + ",".join([one] * per), [flat[k : k + size] for k in range(0, full, size)])
        if full < len(flat):
            conn.execute(into + ",".join([one] * ((len(flat) - full) // len(COLUMNS))), flat[full:])
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def _stored(settings: Settings) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(settings.sqlite_path)
    try:
        return conn.execute(STORED).fetchall()
    finally:
        conn.close()


def run() -> list[Result]:
    data, varied = _csv(ROWS), _varied_csv(ROWS)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        # interleaved, so a burst of other work on the shared machine hits all alike
        for n in range(ROUNDS):
            ours = _settings_with_shipment(Path(tmp) / f"rigport{n}")
            bare = _settings_with_shipment(Path(tmp) / f"bare{n}")
            other = _settings_with_shipment(Path(tmp) / f"varied{n}")
            multi = _settings_with_shipment(Path(tmp) / f"multi{n}")
            runs.append((_import(ours, data), _check_only(ours, data), _bare_untyped(Path(tmp) / f"untyped{n}.db"),
                         _bare_real_schema(bare), _import(other, varied), _bare_multi_row(multi)))  # fmt: skip
        if not _stored(ours) == _stored(bare) == _stored(multi):
            raise AssertionError("the real-schema baselines stored different rows from rigport's import")
    rigport_s, check_s, untyped_s, real_s, varied_s, multi_s = (min(r[k] for r in runs) for k in range(6))
    write_s = max(rigport_s - check_s, 1e-9)
    real = f"executemany into line_items {real_s:.2f} s"
    untyped = f"executemany into untyped table {untyped_s:.2f} s"
    results = [
        Result("import", "100k line items into SQLite (parse + validate + insert)", rigport_s, "s",
               target="< 5 s", passed=rigport_s < 5),
        Result("import", "end to end vs bare executemany into the real line_items schema (the issue 4 ratio)",
               rigport_s / real_s, "x", baseline=real, ratio=rigport_s / real_s, target="<= 2x",
               passed=rigport_s / real_s <= 2),
        Result("import", "write phase (import minus parse+validate) vs bare executemany into line_items",
               write_s / real_s, "x", baseline=f"{real}; parse+validate {check_s:.2f} s", ratio=write_s / real_s),
        Result("import", "end to end vs bare executemany into an untyped table, no keys or indexes (first baseline)",
               rigport_s / untyped_s, "x", baseline=untyped, ratio=rigport_s / untyped_s),
        Result("import", "write phase vs bare executemany into an untyped table (first baseline)", write_s / untyped_s,
               "x", baseline=f"{untyped}; parse+validate {check_s:.2f} s", ratio=write_s / untyped_s),
        Result("import", "100k varied line items into SQLite (every unit value distinct, 1-3 serials a line)", varied_s,
               "s", baseline=real, ratio=varied_s / real_s, target="< 5 s", passed=varied_s < 5),
        Result("import", f"end to end vs bare multi-row INSERTs ({ROWS_PER_STATEMENT:,} rows a statement) into "
               "line_items (reference: rigport's statement form)", rigport_s / multi_s, "x",
               baseline=f"multi-row INSERTs into line_items {multi_s:.2f} s", ratio=rigport_s / multi_s),
    ]  # fmt: skip
    results += _postgres(data)
    return results


def _postgres(data: bytes) -> list[Result]:
    from tests.pg import create_database, pg_bin_dir, throwaway_cluster

    if pg_bin_dir() is None:
        return []
    with throwaway_cluster() as base, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=create_database(base, "bench"))
        from rigport.services import db

        db.upgrade(settings)
        draft = shipments.ShipmentDraft("BENCH", "vessel", "Oakland", dt.date(2025, 1, 2), ROWS, Decimal(340_000_000))
        shipments.create_shipment(draft, "bench", settings)
        seconds = _import(settings, data)
    return [Result("import", "100k line items into PostgreSQL", ROWS / seconds, "rows/s")]
