"""A bad RIGPORT_* value is bad input: exit 2 with the variable named, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("RIGPORT_WORKER_THREADS", "0", "greater than or equal to 1, got '0'"),
        ("RIGPORT_WORKER_THREADS", "lots", "valid integer"),
        ("RIGPORT_VIEW_CACHE_MB", "-1", "greater than or equal to 0, got '-1'"),
    ],
)
def test_a_bad_setting_is_named_and_nothing_is_written(
    tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    data_dir = tmp_path / "data"
    result = run_cli("shipments", "list", env={"RIGPORT_DATA_DIR": str(data_dir), variable: value})
    assert result.returncode == 2, result.stderr
    assert f"{variable}: " in result.stderr and expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not data_dir.exists()  # refused before any database was opened or created
