"""Hold length and probability fitted to recorded holds (with the documented fallback), and PNG charts."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from rigport.errors import InputError
from rigport.services import demo, shipments
from rigport.services.simulation import (
    DEFAULT_HOLD_DAYS_MEAN,
    fit_holds,
    resolve_hold,
    simulate_model,
    write_plot,
)
from rigport.settings import Settings
from tests.helpers import run_cli

ARRIVED = dt.date(2025, 1, 6)
HOLD_LENGTHS = (10, 20, 30, 40, 50, 60)  # detention -> release, days: mean 35


def _shipment(settings: Settings, reference: str, events: list[tuple[str, int, int | None]]) -> None:
    draft = shipments.ShipmentDraft(reference=reference, mode="vessel", port="Detroit", arrival_date=ARRIVED,
                                    total_units=10, declared_value_usd=Decimal("34000"))  # fmt: skip
    shipments.create_shipment(draft, "test", settings)
    for event, day, quantity in events:
        shipments.record_event(reference, event, ARRIVED + dt.timedelta(days=day), "test", quantity=quantity,
                               settings=settings)  # fmt: skip


def _record(settings: Settings) -> None:
    """Six completed holds, one still detained, two released without a hold, one not decided yet."""
    for n, length in enumerate(HOLD_LENGTHS):
        _shipment(settings, f"HELD-{n}", [("entry-filed", 1, None), ("exam-presented", 2, None),
                                          ("detention", 5, None), ("release", 5 + length - 4, 4),
                                          ("release", 5 + length, None)])  # fmt: skip
    _shipment(settings, "OPEN", [("entry-filed", 1, None), ("exam-presented", 2, None), ("detention", 5, None)])
    _shipment(settings, "CLEAN-1", [("entry-filed", 1, None), ("release", 3, None)])
    _shipment(settings, "CLEAN-2", [("entry-filed", 1, None), ("exam-presented", 2, None), ("release", 4, None)])
    _shipment(settings, "WAITING", [("entry-filed", 1, None)])


@pytest.fixture
def settings(isolated_data_dir: Path) -> Settings:
    return Settings(data_dir=isolated_data_dir)


def test_fitted_run_equals_the_explicit_run(settings: Settings) -> None:
    _record(settings)
    fitted = simulate_model("antminer-s21", 10, 3400, 0.05, 500, 120, 3, fit=True, settings=settings)
    explicit = simulate_model("antminer-s21", 10, 3400, 0.05, 500, 120, 3, hold_prob=0.7778, hold_days_mean=35.0,
                              settings=settings)  # fmt: skip
    assert fitted["npv_usd"] == explicit["npv_usd"]
    assert fitted["expected_hold_cost_usd"] > 0


def test_too_few_holds_fall_back_to_the_documented_default(settings: Settings) -> None:
    demo.seed(settings)  # one completed hold (DEMO-DTW-T21, 59 days); the S21 seizure keeps its hold open
    fit = fit_holds(settings)
    assert fit["fitted"] is False and fit["completed_holds"] == 1 and fit["observed_hold_days_mean"] == 59.0
    assert "fell back to the documented defaults" in fit["note"] and "5 needed" in fit["note"]
    hold = resolve_hold(None, None, True, settings)
    assert hold["days_mean"] == DEFAULT_HOLD_DAYS_MEAN == 60.0 and hold["probability"] == 0.0
    assert hold["source"]["days_mean"] == "default"


def test_fit_without_a_database_creates_none(settings: Settings) -> None:
    fit = fit_holds(settings)
    assert fit["fitted"] is False and fit["decided_shipments"] == 0
    assert not settings.sqlite_path.exists()


def test_cli_fit_holds_json(tmp_path: Path) -> None:
    env = {"RIGPORT_DATA_DIR": str(tmp_path)}
    _record(Settings(data_dir=tmp_path))
    done = run_cli("simulate", "--model", "antminer-s21", "--units", "10", "--power-price", "0.05", "--paths", "300",
                   "--days", "60", "--seed", "1", "--fit-holds", "--json", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["hold"]["days_mean"] == 35.0 and report["hold"]["source"]["probability"] == "fitted"
    assert report["hold"]["fit"]["completed_holds"] == 6 and "npv_usd" in report


def _report() -> dict[str, object]:
    return simulate_model("antminer-s21", 10, 3400, 0.05, 200, 30, 1)


def test_png_plot_written(tmp_path: Path) -> None:
    pytest.importorskip("kaleido")
    from rigport.adapters.render.packet import find_pdf_browser

    if find_pdf_browser() is None:
        pytest.skip("kaleido needs a Chrome/Chromium browser")
    path = write_plot(_report(), tmp_path / "charts" / "out.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    assert not list(path.parent.glob(".*tmp*"))


def test_png_without_kaleido_is_a_clear_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "kaleido" else real(name, *a))
    with pytest.raises(InputError, match="PNG export needs the kaleido package and a Chrome/Chromium browser"):
        write_plot(_report(), tmp_path / "out.png")
    with pytest.raises(InputError, match="expected a .html or .png file"):
        write_plot(_report(), tmp_path / "out.jpg")


def test_cli_refuses_a_bad_plot_name_before_running(tmp_path: Path) -> None:
    done = run_cli("simulate", "--model", "antminer-s21", "--units", "10", "--power-price", "0.05",
                   "--plot", str(tmp_path / "out.jpg"), env={"RIGPORT_DATA_DIR": str(tmp_path)})  # fmt: skip
    assert done.returncode == 2 and "expected a .html or .png file" in done.stderr
