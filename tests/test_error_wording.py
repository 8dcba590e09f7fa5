"""Errors in domain terms: a service names the field, the API shows it as is, the CLI says its flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from rigport.entrypoints.cli.errors import FLAGS, worded
from rigport.errors import InputError, NotFoundError
from rigport.services.screening import screen_name
from rigport.settings import Settings
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory for the module: the screening index is built (and cached) once."""
    return tmp_path_factory.mktemp("wording")


def test_a_service_error_names_the_field_not_a_flag(data_dir: Path) -> None:
    with pytest.raises(InputError) as caught:
        screen_name("Acme", kind="robot", settings=Settings(data_dir=data_dir))
    assert caught.value.field == "type" and str(caught.value) == "type: expected org or person, got 'robot'"
    assert worded(caught.value) == "--type: expected org or person, got 'robot'"


def test_errors_without_a_known_field_are_worded_as_raised() -> None:
    plain = "row 3, column hts_code: expected 10 digits"
    assert worded(InputError(plain)) == plain
    assert worded(NotFoundError("shipment 'X' not found")) == "shipment 'X' not found"
    assert worded(InputError("expected a name", field="colour")) == "colour: expected a name"  # no flag known
    assert all(flag.startswith("--") or flag.isupper() for flag in FLAGS.values())


def test_the_cli_says_its_flag(data_dir: Path) -> None:
    done = run_cli("screen", "Acme", "--type", "robot", env={"RIGPORT_DATA_DIR": str(data_dir)})
    assert done.returncode == 2 and "--type: expected org or person, got 'robot'" in done.stderr
    blank = run_cli("screen", "   ", env={"RIGPORT_DATA_DIR": str(data_dir)})
    assert blank.returncode == 2 and "NAME: expected a non-empty name" in blank.stderr
