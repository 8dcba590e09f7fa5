"""Screening a name and `rigport simulate` never touch the store, so they must not load SQLAlchemy: its import
costs more than the use case (services/_unit.py imports the database's unit of work only when one is opened)."""

from __future__ import annotations

import subprocess
import sys


def test_the_services_that_need_no_store_load_no_database_code() -> None:
    code = ("import sys, rigport.services._unit, rigport.services.screening, rigport.services.simulation, "
            "rigport.services.simulation_runs; print(sorted(m for m in sys.modules if m.startswith('sqlalchemy')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
