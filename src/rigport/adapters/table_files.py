"""Reading a user's tariff or clock table (RIGPORT_TARIFF_FILE, RIGPORT_CLOCK_FILE) and checking it in full.

The columns and the checks are the domain's (`domain.customs.tariffs`, `domain.customs.clocks`); this module
reads the file and words what goes wrong with it (missing, not UTF-8, unreadable), naming the variable.
"""

from __future__ import annotations

from pathlib import Path

from rigport.domain.customs import clocks, tariffs
from rigport.errors import InputError


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
