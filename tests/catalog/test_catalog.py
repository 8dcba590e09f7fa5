"""The bundled catalog and user overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rigport.domain.catalog import load_bundled, parse_catalog_csv, parse_catalog_toml
from rigport.errors import InputError, NotFoundError
from rigport.services.catalog import get_catalog
from rigport.settings import Settings
from tests.helpers import run_cli

HEADER = "id,maker,model,family,hashrate_th,power_w,source\n"


def test_bundled_catalog_has_at_least_12_sourced_models_from_required_makers() -> None:
    catalog = load_bundled()
    models = catalog.all()
    assert len(models) >= 12
    assert {"Bitmain", "MicroBT", "Canaan", "Bitdeer"} <= {m.maker for m in models}
    assert any(m.origin == "US" for m in models)
    assert all(m.source for m in models)


def test_s21_nameplate_and_efficiency() -> None:
    s21 = load_bundled().get("antminer-s21")
    assert (s21.hashrate_th, s21.power_w) == (200, 3500)
    assert s21.efficiency_j_th == pytest.approx(17.5)


def test_unknown_model_names_close_matches() -> None:
    with pytest.raises(NotFoundError, match="did you mean antminer-s21"):
        load_bundled().get("antminer-s12")


def test_user_csv_overrides_and_adds(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        HEADER + "antminer-s21,Bitmain,Antminer S21 (tuned),S21,210,3400,my lab test\n"
        "custom-1,Acme,Acme One,,100,2000,invoice 42\n",
        encoding="utf-8",
    )
    catalog = get_catalog(Settings(data_dir=tmp_path, catalog_file=path))
    assert catalog.get("antminer-s21").hashrate_th == 210
    assert catalog.get("custom-1").maker == "Acme"
    assert len(catalog) == len(load_bundled()) + 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("x,Acme,X,,-5,2000,src", "row 2, column hashrate_th: expected a number greater than 0"),
        ("x,Acme,X,,lots,2000,src", "row 2, column hashrate_th: expected a number"),
        ("x,Acme,X,,100,2000,", "row 2, column source: expected a value"),
    ],
)
def test_bad_user_rows_name_row_and_column(row: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_catalog_csv(HEADER + row + "\n", "mine.csv")


def test_missing_header_is_reported() -> None:
    with pytest.raises(InputError, match="missing header column"):
        parse_catalog_csv("id,maker\nx,y\n", "mine.csv")


def test_toml_models() -> None:
    text = '[[model]]\nid = "t1"\nmaker = "Acme"\nmodel = "T1"\nhashrate_th = 100\npower_w = 1500\nsource = "spec"\n'
    (model,) = parse_catalog_toml(text, "mine.toml")
    assert model.efficiency_j_th == 15


def test_cli_list_json_and_show() -> None:
    result = run_cli("catalog", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) >= 12
    shown = json.loads(run_cli("catalog", "show", "antminer-t21", "--json").stdout)
    assert shown["hashrate_th"] == 190


def test_cli_unknown_model_exits_2() -> None:
    result = run_cli("catalog", "show", "antminer-s99")
    assert result.returncode == 2
    assert "unknown model" in result.stderr and "Traceback" not in result.stderr
