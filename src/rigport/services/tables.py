"""The tariff and clock tables in force: the bundled ones, or the user's own files named by
RIGPORT_TARIFF_FILE and RIGPORT_CLOCK_FILE (as RIGPORT_CATALOG_FILE does for the catalog).

A user's file has the bundled columns (docs/data.md). It is read and checked in full before anything
changes: a bad file is an InputError naming the file, row and column (CLI exit 2), and the tables in
force stay as they were.
"""

from __future__ import annotations

from pathlib import Path

from rigport.domain.customs import clocks, tariffs
from rigport.errors import InputError
from rigport.settings import Settings


def _read(path: Path, variable: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found ({variable})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: expected UTF-8 CSV text ({variable})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc}; {variable})") from None


def read_tariff_file(path: Path) -> tuple[tariffs.RateRow, ...]:
    table = tariffs.parse_rate_table(_read(path, "RIGPORT_TARIFF_FILE"), str(path))
    tariffs.check_user_table(table, str(path))
    return table


def read_clock_file(path: Path) -> tuple[clocks.ClockRule, ...]:
    table = clocks.parse_rules(_read(path, "RIGPORT_CLOCK_FILE"), str(path))
    clocks.check_user_rules(table, str(path))
    return table


def install_tables(settings: Settings) -> None:
    """Both files are parsed and checked before either is put in force (all or nothing)."""
    tariff_table = read_tariff_file(settings.tariff_file) if settings.tariff_file else None
    clock_table = read_clock_file(settings.clock_file) if settings.clock_file else None
    tariffs.install_rate_table(tariff_table)
    clocks.install_rules(clock_table)
