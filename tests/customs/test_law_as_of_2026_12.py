"""The facts corrected in issue 24, one test each, with the public source in the docstring (read 2026-12-07)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from rigport.domain.customs.clocks import clocks_for_event, parse_rules
from rigport.domain.customs.landed_cost import compare_hts, landed_cost
from rigport.domain.customs.tariffs import DEFAULT_HTS, parse_rate_table, rate_table
from rigport.errors import InputError
from tests.helpers import run_cli

D = dt.date


def cost(origin: str, on: dt.date, hts: str = DEFAULT_HTS, mode: str = "air") -> dict[str, Decimal]:
    result = landed_cost(hts=hts, origin=origin, entry_date=on, mode=mode, units=10, unit_value_usd=Decimal(3000))
    return {c.code: c.rate for c in result.components}


def test_abandonment_in_general_order_runs_six_months_from_importation() -> None:
    """19 USC 1491(a) and 19 CFR 127.11: merchandise that "remains in Customs custody for 6 months from the date
    of importation" is unclaimed and abandoned (https://www.law.cornell.edu/uscode/text/19/1491;
    https://www.ecfr.gov/current/title-19/section-127.11). Arrival 2025-03-03 -> 2025-09-03, not 2025-09-19."""
    (clock,) = [c for c in clocks_for_event("arrival", D(2025, 3, 3)) if c.clock == "abandonment_in_general_order"]
    assert clock.due == D(2025, 9, 3)
    assert clock.citation == "19 USC 1491(a); 19 CFR 127.11"


@pytest.mark.parametrize(("origin", "rate"), [("MY", "0.24"), ("ID", "0.32"), ("TH", "0.36")])
def test_reciprocal_country_rates_in_force_on_2025_04_09_only(origin: str, rate: str) -> None:
    """EO 14257 Annex I (90 FR 15041, https://www.federalregister.gov/citation/90-FR-15041): country rates from
    12:01 a.m. EDT 2025-04-09; EO 14266 (90 FR 15625, https://www.govinfo.gov/content/pkg/FR-2025-04-15/html/
    2025-06462.htm) suspended them for every Annex I partner but China and put 10% in their place from
    12:01 a.m. EDT 2025-04-10."""
    assert cost(origin, D(2025, 4, 8))["ieepa_reciprocal"] == Decimal("0.10")
    assert cost(origin, D(2025, 4, 9))["ieepa_reciprocal"] == Decimal(rate)
    assert cost(origin, D(2025, 4, 10))["ieepa_reciprocal"] == Decimal("0.10")


def test_current_hts_number_of_miners_is_the_default_and_prices_like_the_2018_number() -> None:
    """NY N297495 (https://rulings.cbp.gov/ruling/N297495, 2018) gave 8543.70.9960 under the 2018 HTSUS; miners are
    reported today under 8543.70.9860 (https://education.compassmining.io/education/tariffs-bitcoin-mining-hardware,
    2025-04-15), both under HTSUS 8543.70 at the 2.6% general rate. rigport defaults to 8543.70.9860."""
    assert DEFAULT_HTS == "8543.70.9860"
    assert cost("CN", D(2024, 6, 3)) == cost("CN", D(2024, 6, 3), hts="8543.70.9960")
    assert cost("CN", D(2024, 6, 3))["mfn"] == Decimal("0.026")
    rows = {r.hts: r for r in rate_table() if r.code == "mfn"}
    assert "UNVERIFIED" not in rows["8543.70.9860"].note


def test_section_122_is_flagged_refundable_with_the_cit_ruling() -> None:
    """Section 122 surcharge 10%, 2026-02-24 to 2026-07-23 (Proclamation 11012; CBP CSMS #67844987), held unlawful
    by the Court of International Trade on 2026-05-07, relief for the plaintiffs only, appealed 2026-05-08
    (https://www.kelleydrye.com/viewpoints/blogs/trade-and-manufacturing-monitor/court-of-international-trade-
    holds-section-122-tariffs-unlawful; https://globalimportblog.bakermckenzie.com/2026/05/08/us-cit-invalidates-
    section-122-tariffs/)."""
    result = landed_cost(hts=DEFAULT_HTS, origin="MY", entry_date=D(2026, 3, 2), mode="air", units=10,
                         unit_value_usd=Decimal(3000))  # fmt: skip
    (s122,) = [c for c in result.components if c.code == "section_122"]
    assert s122.rate == Decimal("0.10") and s122.amount_usd == Decimal("3000.00") and s122.refundable
    assert "2026-05-07" in s122.note and "plaintiffs" in s122.note
    assert result.refundable_section_122_usd == Decimal("3000.00") and result.refundable_usd == 0
    assert "section_122" not in cost("MY", D(2026, 7, 24))


def test_section_232_semiconductors_does_not_reach_a_miner_under_8471_50() -> None:
    """Proclamation 11002 of 2026-01-14 and CBP CSMS #67400472 (https://content.govdelivery.com/bulletins/gd/
    USDHSCBP-4047318): 25% from 2026-01-15 only on logic ICs (or articles containing one) of 8471.50 / 8471.80 /
    8473.30 with TPP 14,000-17,500 and DRAM bandwidth 4,500-5,000 GB/s (or TPP 20,800-21,100, 5,800-6,200 GB/s).
    A SHA-256 miner has no such chip: 0%, shown with the reason; nothing before 2026-01-15; not on 8543.70."""
    assert cost("MY", D(2026, 1, 15), hts="8471.50.0150")["section_232_semiconductors"] == 0
    (row,) = [r for r in rate_table() if r.code == "section_232_semiconductors"]
    assert "TPP" in row.note or "total processing performance" in row.note
    assert "section_232_semiconductors" not in cost("MY", D(2026, 1, 14), hts="8471.50.0150")
    assert "section_232_semiconductors" not in cost("MY", D(2026, 1, 15))


def test_mpf_after_fy2026_warns_that_fy2027_is_not_tabulated() -> None:
    """CBP Dec. 25-10 (90 FR 34665, https://www.govinfo.gov/content/pkg/FR-2025-07-23/html/2025-13869.htm): FY2026
    MPF minimum $33.58 and maximum $651.50 from 2025-10-01. The FY2027 notice (from 2026-10-01) could not be found on
    2026-12-07, so an entry after 2026-09-30 uses the FY2026 figures and says so; one inside FY2026 does not."""
    inside = landed_cost(hts=DEFAULT_HTS, origin="MY", entry_date=D(2026, 9, 30), mode="air", units=1,
                         unit_value_usd=Decimal(100))  # fmt: skip
    after = landed_cost(hts=DEFAULT_HTS, origin="MY", entry_date=D(2026, 12, 1), mode="air", units=1,
                        unit_value_usd=Decimal(100))  # fmt: skip
    assert inside.warnings == []
    assert [c.amount_usd for c in after.components if c.code == "mpf"] == [Decimal("33.58")]
    (warning,) = after.warnings
    assert warning.startswith("mpf: rates after 2026-09-30 are not tabulated") and "FY2027" in warning


def test_entry_past_the_table_horizon_warns_in_json() -> None:
    """Every dated fact knows its horizon: an entry after the day the sources were read (2026-12-07) carries a
    top-level "warnings" list in `landed-cost --json`; an entry inside the horizon carries an empty list."""
    args = ["landed-cost", "--model", "antminer-s21", "--units", "10", "--unit-value", "3000", "--origin", "CN",
            "--mode", "air", "--json", "--entry-date"]  # fmt: skip
    late = run_cli(*args, "2027-01-04")
    assert late.returncode == 0, late.stderr
    assert any("last checked against its sources on 2026-12-07" in w for w in json.loads(late.stdout)["warnings"])
    early = run_cli(*args, "2024-06-03")
    assert json.loads(early.stdout)["warnings"] == []


def test_bundled_tables_cite_public_sources_only() -> None:
    """Nothing the product ships points at files outside it (issue 24): every source is a public URL or citation."""
    for row in rate_table():
        assert "shared/" not in row.source and ".md" not in row.source and row.source.strip(), row
    from rigport.domain.customs.clocks import rules

    for rule in rules():
        assert rule.source.startswith("https://") and "shared/" not in rule.source, rule


def test_compare_offers_the_current_number_first() -> None:
    """The HTS options compared start with the current number (8543.70.9860); the 2018 number stays priceable."""
    hts = [c.hts for c in compare_hts(origin="CN", entry_date=D(2024, 6, 3), mode="air", units=1,
                                      unit_value_usd=Decimal(1))]  # fmt: skip
    assert set(hts) == {"8543.70.9860", "8543.70.9960", "8471.50.0150"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace(",0.026,", ",two,", 1), "row 2, column rate"),
        (lambda t: t.replace("2018-01-01", "2018-13-01", 1), "row 2, column start"),
        (lambda t: t.replace(",verified_through,", ",checked,", 1), "missing column verified_through"),
    ],
)
def test_a_bad_tariff_table_names_row_and_column(edit: object, message: str) -> None:
    """A replaced table is validated on load: the error names the row and the column."""
    from importlib import resources

    text = resources.files("rigport.data").joinpath("tariffs.csv").read_text(encoding="utf-8")
    with pytest.raises(InputError, match=message):
        parse_rate_table(edit(text))  # type: ignore[operator]


def test_a_bad_clock_table_names_row_and_column() -> None:
    from importlib import resources

    text = resources.files("rigport.data").joinpath("clocks.csv").read_text(encoding="utf-8")
    with pytest.raises(InputError, match="row 2, column unit"):
        parse_rules(text.replace(",calendar,", ",fortnights,", 1))
    with pytest.raises(InputError, match="row 3, column amount"):
        parse_rules(text.replace(",16,calendar,", ",sixteen,calendar,", 1))


def test_no_shipped_data_file_points_outside_the_product() -> None:
    """Issue 24: every source the product ships is public; none names the internal notes (shared/...)."""
    from importlib import resources

    root = resources.files("rigport.data")
    for name in ("tariffs.csv", "clocks.csv", "catalog.csv", "network_snapshot.json", "risk_weights.toml"):
        assert "shared/" not in root.joinpath(name).read_text(encoding="utf-8"), name


def test_deadlines_after_the_clock_horizon_warn_on_stderr_and_keep_the_json_list() -> None:
    """The clock rules were read on 2026-12-07: an event after that day is warned about (stderr, since the
    `customs deadlines --json` contract is a list of clocks); an event inside the horizon is not."""
    late = run_cli("customs", "deadlines", "detention", "2027-01-04", "--json")
    assert late.returncode == 0 and isinstance(json.loads(late.stdout), list)
    assert "last checked against the regulations on 2026-12-07" in late.stderr.replace("\n", " ")
    early = run_cli("customs", "deadlines", "detention", "2026-12-07", "--json")
    assert early.returncode == 0 and early.stderr == ""


@pytest.mark.parametrize(
    ("on", "factor", "minimum", "maximum"),
    [(D(2024, 6, 3), "1.26670", "31.67", "614.35"), (D(2026, 3, 2), "1.34331", "33.58", "651.50")],
)
def test_mpf_limits_follow_the_cbp_adjustment_factor(on: dt.date, factor: str, minimum: str, maximum: str) -> None:
    """CBP Dec. 23-08 (88 FR 48900; FY2024: +26.670%) and CBP Dec. 25-10 (90 FR 34665; FY2026: +34.331%) adjust the
    statutory $25 / $485 MPF minimum and maximum (19 USC 58c(b)(8)(A), as adjusted under 19 CFR 24.22(k));
    the tabulated limits are those products."""
    (row,) = [r for r in rate_table() if r.code == "mpf" and r.start <= on and (r.end is None or on <= r.end)]
    limits = row.minimum_maximum
    assert limits == (Decimal(minimum), Decimal(maximum))
    # the published factor is itself rounded to 0.001%, so the products agree to the cent
    assert abs(Decimal(25) * Decimal(factor) - Decimal(minimum)) <= Decimal("0.01")
    assert abs(Decimal(485) * Decimal(factor) - Decimal(maximum)) <= Decimal("0.01")
