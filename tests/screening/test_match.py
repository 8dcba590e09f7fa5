"""Matching against the bundled full lists: the known traps, generic words, scripts, explanations."""

from __future__ import annotations

import pytest

from rigport.domain.screening.index import ScreeningIndex
from rigport.domain.screening.match import compare
from rigport.domain.screening.normalize import normalize
from rigport.services.screening import get_index


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    return get_index()


def test_huawei_is_an_entity_list_hit_with_notice_and_licence(index: ScreeningIndex) -> None:
    hits = index.screen("Huawei Technologies Co., Ltd.", kind="org")
    assert hits and hits[0].score == pytest.approx(1.0)
    el = [h for h in hits if h.entry.source_list.startswith("Entity List")]
    assert el, "the Entity List entry must be among the hits"
    d = el[0].to_dict()
    assert "84 FR 22961" in str(d["federal_register_notice"])
    assert str(d["license_requirement"]).startswith("For all items subject to the EAR")
    assert "huawei=huawei" in str(d["explanation"])


@pytest.mark.parametrize(
    "query", ["SOPHGO TECHNOLOGIES LTD.", "Sophgo", "北京算能科技有限公司", "算能", "Sophgo Technologies Co Ltd"]
)
def test_sophgo_hits_the_shipped_restricted_list(index: ScreeningIndex, query: str) -> None:
    hits = index.screen(query)
    assert hits and hits[0].entry.list_id == "restricted-components"
    assert hits[0].entry.federal_register_notice == "90 FR 4621"
    assert hits[0].entry.start_date == "2025-01-16"


@pytest.mark.parametrize(
    "query",
    [
        "Bitmain Technologies", "Bitmain Technologies Ltd.", "Canaan Inc.", "Canaan Creative Co., Ltd.", "MicroBT",
        "Shenzhen MicroBT Electronics Technology Co., Ltd.", "Technology", "Trading", "Company", "Trading Company",
        "Technology Co., Ltd.", "International Trading Group",
    ],
)  # fmt: skip
def test_known_clear_names_and_generic_words_never_hit(index: ScreeningIndex, query: str) -> None:
    assert index.screen(query) == []


def test_canaan_does_not_match_the_person_kanan(index: ScreeningIndex) -> None:
    for hit in index.screen("Canaan Inc.", threshold=0.5):
        assert "KAN" not in hit.entry.name.upper() or hit.score < 0.7
    person = index.screen("Fawzi Kanaan", kind="person")
    assert any("KAN'AN" in h.entry.name for h in person)  # the person himself is still found


def test_misspelt_and_reordered_names_still_hit(index: ScreeningIndex) -> None:
    assert any("HUAWEI" in h.entry.name.upper() for h in index.screen("Huawai Technologies"))
    hits = index.screen("Fawzi Mustafa Kan'an", kind="person")
    assert hits and hits[0].entry.name == "KAN'AN, Fawzi Mustafa"


def test_type_and_country_are_supporting_evidence(index: ScreeningIndex) -> None:
    as_person = index.screen("Fawzi Mustafa Kanan", kind="person")
    as_org = index.screen("Fawzi Mustafa Kanan", kind="org", threshold=0.1)
    top = {h.entry.entry_id: h.score for h in as_org}
    assert as_person and top.get(as_person[0].entry.entry_id, 0) < as_person[0].score
    # The CSL's copy of him has addresses in Venezuela; the bundled 2024 sdn.csv comes without add.csv and its
    # remarks state no nationality (only passport and birth places), so its entry carries no country to weigh.
    right = next(h for h in index.screen("Fawzi Mustafa Kanan", kind="person", country="VE") if h.entry.countries)
    wrong = [h for h in index.screen("Fawzi Mustafa Kanan", kind="person", country="JP", threshold=0.1)]
    assert right.entry.list_id == "csl" and "VE" in right.entry.countries
    assert right.score > next(h.score for h in wrong if h.entry is right.entry)


def test_normalization_handles_legal_forms_abbreviations_and_scripts() -> None:
    assert normalize("HUAWEI TECH. CO., LTD.").tokens == normalize("Huawei Technologies Company Limited").tokens
    assert normalize("ACME INTL GRP GmbH").tokens == ("acme", "international", "group")
    assert normalize("Müller AG").tokens == ("muller",)
    assert normalize("Владимир Путин").tokens == ("vladimir", "putin")
    assert normalize("北京算能科技有限公司").legal == ("limited",)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Huawei Technologies Co Ltd", "HUAWEI TECHNOLOGIES CO., LTD.", True),
        ("Acme Mining LLC", "ACME MINING, L.L.C.", True),
        ("Putin, Vladimir", "Vladimir Putin", True),
        ("Acme Mining LLC", "Zenith Freight Inc", False),
        ("Canaan Inc.", "KAN'AN, Fawzi Mustafa", False),
        ("Technology Company", "Technology Company Ltd", False),
    ],
)
def test_compare(a: str, b: str, expected: bool) -> None:
    score, match = compare(a, b)
    assert 0.0 <= score <= 1.0 and match is expected


def test_cli_default_threshold_mirrors_the_domain_default() -> None:
    from rigport.domain.screening.match import DEFAULT_THRESHOLD
    from rigport.entrypoints.cli.screen import DEFAULT_THRESHOLD as cli_default

    assert cli_default == DEFAULT_THRESHOLD


def test_conflicting_initials_and_russian_legal_forms() -> None:
    assert compare("Frost, William G.", "William W Frost")[1] is False
    assert compare("Frost, William W.", "William W Frost")[1] is True
    assert compare('ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "БАЙ"', 'ООО "БАЙКАЛ"')[1] is False
