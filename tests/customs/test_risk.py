"""Hold-risk assessment: every factor moves the probability, every missing document shows up."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from rigport.domain.customs.risk import EVIDENCE, LineFacts, RiskFacts, assess, checklist
from rigport.errors import InputError
from rigport.services.assess import load_config
from rigport.settings import Settings
from tests.helpers import run_cli

CONFIG = load_config(Settings())
ALL_DOCS = {
    "commercial_invoice": "",
    "packing_list": "",
    "fcc_sdoc": "",
    "compliance_statement": "",
    "test_report": "Example EMC Lab (US)",
    "certificate_of_origin": "",
}
CLEAN_LINE = LineFacts("sealminer-a2", "SEAL", "Bitdeer", "MY", "MY", "no", "Bitdeer", 100, Decimal(350_000))
CLEAN = RiskFacts([CLEAN_LINE], dict(ALL_DOCS), True)


def probability(facts: RiskFacts) -> float:
    return float(assess(facts, CONFIG, Decimal(1000), Decimal(100), Decimal(350_000))["probability"])


def test_clean_shipment_sits_at_the_base_rate() -> None:
    result = assess(CLEAN, CONFIG, Decimal(1000), Decimal(100), Decimal(350_000))
    assert result["probability"] == pytest.approx(CONFIG["base_probability"], abs=1e-4)
    assert result["factors"] == [] and all(e["status"] == "present" for e in result["evidence"])


@pytest.mark.parametrize(
    ("change", "factor"),
    [
        ({"restricted_hits": ["Sophgo"]}, "restricted_chip_supplier"),
        ({"lines": [replace(CLEAN_LINE, sophgo_content="unknown")]}, "sophgo_content_unknown"),
        ({"lines": [replace(CLEAN_LINE, family="S21")]}, "enforcement_family_first_wave"),
        ({"lines": [replace(CLEAN_LINE, maker="MicroBT")]}, "enforcement_family_second_wave"),
        ({"documents": {k: v for k, v in ALL_DOCS.items() if k != "fcc_sdoc"}}, "missing_sdoc"),
        (
            {"documents": {k: v for k, v in ALL_DOCS.items() if k != "compliance_statement"}},
            "missing_compliance_statement",
        ),
        ({"us_responsible_party": False}, "no_us_responsible_party"),
        ({"documents": {**ALL_DOCS, "test_report": "Shenzhen Test Lab (CN)"}}, "weak_test_report"),
        ({"lines": [replace(CLEAN_LINE, model_origin="CN", declared_origin="MY")]}, "transshipment_signal"),
        ({"party_hits": ["Huawei"]}, "party_screening_hit"),
        ({"prior_holds": 2, "prior_shipments": 3}, "prior_holds"),
    ],
)
def test_each_factor_raises_the_probability(change: dict[str, object], factor: str) -> None:
    facts = replace(CLEAN, **change)  # type: ignore[arg-type]
    result = assess(facts, CONFIG, Decimal(1000), Decimal(100), Decimal(350_000))
    assert [f["code"] for f in result["factors"]] == [factor]
    assert result["probability"] > probability(CLEAN)


@pytest.mark.parametrize("missing", sorted(set(EVIDENCE) - {"us_responsible_party"}))
def test_each_missing_document_shows_up_with_an_action(missing: str) -> None:
    facts = replace(CLEAN, documents={k: v for k, v in ALL_DOCS.items() if k != missing})
    evidence = {e["item"]: e for e in assess(facts, CONFIG, Decimal(1), Decimal(0), Decimal(1))["evidence"]}
    assert evidence[missing]["status"] == "missing" and evidence[missing]["action"]


def test_expected_cost_is_probability_times_cost_if_held() -> None:
    result = assess(replace(CLEAN, restricted_hits=["Sophgo"]), CONFIG, Decimal(1000), Decimal(100), Decimal(350_000))
    days = Decimal(str(CONFIG["hold_days_mean"]))
    assert result["cost_if_held_usd"] == days * 1100 + Decimal(str(CONFIG["petition_cost_usd"])) + 5000
    assert float(result["expected_hold_cost_usd"]) == pytest.approx(
        float(result["cost_if_held_usd"]) * result["probability"], abs=0.01
    )


def test_cli_manifest_before_anything_is_stored(tmp_path: Path) -> None:
    manifest = tmp_path / "invoice.csv"
    manifest.write_text(
        "line,model,quantity,unit_value,hts_code,origin,chip_supplier\n1,antminer-s21,10,3400,8543.70.9960,CN,Sophgo\n"
    )
    result = run_cli("assess", "--manifest", str(manifest), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    codes = {f["code"] for f in data["factors"]}
    assert {"restricted_chip_supplier", "enforcement_family_first_wave", "missing_sdoc"} <= codes
    assert data["level"] == "high"
    with_docs = run_cli(
        "assess",
        "--manifest",
        str(manifest),
        "--documents",
        "fcc_sdoc,compliance_statement",
        "--us-responsible-party",
        "--json",
    )
    assert json.loads(with_docs.stdout)["probability"] < data["probability"]
    assert run_cli("assess").returncode == 2


@pytest.mark.parametrize(
    ("lab", "weak"),
    [
        ("UL-CCIC (Suzhou) Co., Ltd.", True),  # named in the FCC's Sept 2025 withdrawal notices
        ("Telecommunication Technology Labs, CAICT", True),
        ("tuv rheinland / ccic (ningbo)", True),  # punctuation and case do not hide the name
        ("CVC Testing Technology (Shenzhen)", True),
        ("Element Materials Technology (US)", False),
        ("TUV Rheinland of North America", False),  # only the CCIC joint venture lost recognition
    ],
)
def test_withdrawn_labs_make_the_test_report_weak(lab: str, weak: bool) -> None:
    facts = replace(CLEAN, documents={**ALL_DOCS, "test_report": lab})
    codes = [f["code"] for f in assess(facts, CONFIG, Decimal(1000), Decimal(100), Decimal(350_000))["factors"]]
    assert ("weak_test_report" in codes) is weak
    status = {i["item"]: i["status"] for i in checklist(facts, CONFIG)}["test_report"]
    assert status == ("weak" if weak else "present")


def test_stored_shipment_counts_storage_once(tmp_path: Path) -> None:
    """Two stored shipments that differ only in storage rate: the hold cost differs by days x rate x units."""
    import datetime as dt

    from rigport.services import manifest, shipments
    from rigport.services.assess import assess_shipment

    settings = Settings(data_dir=tmp_path)
    costs = {}
    for ref, rate in (("ST-0", Decimal(0)), ("ST-5", Decimal(5))):
        draft = shipments.ShipmentDraft(ref, "vessel", "Oakland", dt.date(2025, 3, 1), 100, Decimal(340_000),
                                        storage_usd_per_unit_day=rate)  # fmt: skip
        shipments.create_shipment(draft, "test", settings)
        data = b"line,model,quantity,unit_value,hts_code,origin\n1,antminer-s21,100,3400,8543.70.9960,CN\n"
        manifest.import_manifest(data, "m.csv", ref, "test", settings)
        costs[ref] = assess_shipment(ref, settings)
    days = Decimal(str(costs["ST-0"]["assumptions"]["hold_days_mean"]))
    extra = Decimal(str(costs["ST-5"]["cost_if_held_usd"])) - Decimal(str(costs["ST-0"]["cost_if_held_usd"]))
    assert abs(extra - days * 5 * 100) < 1


def test_own_risk_weights_are_read_and_checked(tmp_path: Path) -> None:
    """RIGPORT_RISK_WEIGHTS_FILE replaces the bundled weights; one without a number the rules read is refused
    when loaded, naming the file and the key (it raised KeyError in the middle of an assessment before)."""
    bundled = (Path(__file__).parents[2] / "src/rigport/data/risk_weights.toml").read_text(encoding="utf-8")
    own = tmp_path / "weights.toml"
    own.write_text(bundled.replace("base_probability = 0.05", "base_probability = 0.2"), encoding="utf-8")
    weights = load_config(Settings(risk_weights_file=own))
    assert weights["base_probability"] == 0.2 and weights["factors"] == CONFIG["factors"]
    assert assess(CLEAN, weights, Decimal(1000), Decimal(100), Decimal(350_000))["probability"] == pytest.approx(0.2)
    own.write_text(bundled.replace("base_probability = 0.05", "base_probability = \"high\""), encoding="utf-8")
    with pytest.raises(InputError, match=r"weights\.toml: base_probability: expected a number, got 'high'"):
        load_config(Settings(risk_weights_file=own))
    own.write_text("base_probability = 0.1\nhold_days_mean = 60\npetition_cost_usd = 5000\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"weights\.toml: factors: expected \[factors\.<code>\] tables"):
        load_config(Settings(risk_weights_file=own))
