"""The tariff and clock tables in force: the bundled ones, or the user's own files named by
RIGPORT_TARIFF_FILE and RIGPORT_CLOCK_FILE (as RIGPORT_CATALOG_FILE does for the catalog).

A user's file has the bundled columns (docs/data.md); `adapters.table_files` reads it. It is read and
checked in full before anything changes: a bad file is an InputError naming the file, row and column
(CLI exit 2), and the tables in force stay as they were.
"""

from __future__ import annotations

from rigport.adapters.table_files import read_clock_file, read_tariff_file
from rigport.domain.customs import clocks, tariffs
from rigport.settings import Settings


def install_tables(settings: Settings) -> None:
    """Both files are parsed and checked before either is put in force (all or nothing)."""
    tariff_table = read_tariff_file(settings.tariff_file) if settings.tariff_file else None
    clock_table = read_clock_file(settings.clock_file) if settings.clock_file else None
    tariffs.install_rate_table(tariff_table)
    clocks.install_rules(clock_table)
