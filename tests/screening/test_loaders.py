"""List loaders: the published quirks parse, malformed files fail with file and line, nothing half-loaded."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from rigport.domain.screening.countries import same_country
from rigport.domain.screening.loaders import (
    load_csl_csv,
    load_csl_json,
    load_ofac,
    load_user_list,
    remark_aliases,
    remark_countries,
)
from rigport.errors import InputError
from tests.helpers.lists import ADD, ALT, CSL_HEADER, SDN, csl_row

OFAC_2021 = Path(__file__).resolve().parents[1] / "data" / "ofac-2021"
BUNDLED = Path(__file__).resolve().parents[2] / "src" / "rigport" / "data" / "lists"


def test_ofac_legacy_quirks_join_aliases_and_countries() -> None:
    lst = load_ofac(SDN, ADD, ALT, published=dt.date(2021, 7, 7), loaded=dt.date(2026, 11, 24))
    by_id = {e.entry_id: e for e in lst.entries}
    assert by_id["36"].aliases[0].name == "AERO-CARIBBEAN"
    assert by_id["36"].countries == ("Cuba",)
    assert by_id["36"].programs == ("CUBA",)
    assert by_id["36"].remarks == ""  # -0- means empty
    assert by_id["2674"].kind == "person" and by_id["173"].kind == "org"
    assert lst.version.entries == 3 and lst.version.names == 5
    assert lst.version.counts == {"org": 2, "person": 1}
    assert len(lst.version.sha256) == 64 and lst.version.as_of == dt.date(2021, 7, 7)


def test_ofac_2021_files_join_by_ent_num() -> None:
    """The mid-2021 sdn/add/alt set (test data since the 2024 bundle) still joins completely by ent_num."""
    ofac = load_ofac(*((OFAC_2021 / f).read_bytes() for f in ("sdn.csv", "add.csv", "alt.csv")))
    by_id = {e.entry_id: e for e in ofac.entries}
    assert ofac.version.entries == 8976 and max(int(i) for i in by_id) == 32391
    # alt.csv's 11,910 rows (6 repeat a name of their entry) and the remarks' weak a.k.a.s, never twice
    strong = [a for e in ofac.entries for a in e.aliases if not a.weak]
    assert len(strong) == 11904 and ofac.version.names == 8976 + len(strong) + 2438
    assert [a.name for a in by_id["36"].aliases] == ["AERO-CARIBBEAN"] and by_id["36"].countries == ("Cuba",)
    assert all(len({a.name.casefold() for a in e.aliases}) == len(e.aliases) for e in ofac.entries)
    # ALLANE, Hacene: OFAC's own example of weak AKAs (FAQ 123), in the remarks, not in alt.csv
    allane = by_id["8219"]
    assert [(a.name, a.weak) for a in allane.aliases if a.weak] == [
        ("ABU AL-FOUTOUH", True), ("BOULAHIA", True), ("HASSAN THE OLD", True),
    ]  # fmt: skip


def test_bundled_sdn_2024_aliases_from_remarks() -> None:
    """The bundled 2024-05-03 sdn.csv alone: every quoted a.k.a./f.k.a./n.k.a. of the remarks becomes an alias."""
    ofac = load_ofac((BUNDLED / "ofac" / "sdn.csv.gz").read_bytes())
    v = ofac.version
    assert v.entries == 14965 and v.counts == {"org": 6884, "person": 6854, "vessel": 851, "aircraft": 376}
    # 4,440 rows name RUSSIA-EO14024, one of them as BPI-RUSSIA-EO14024 (blocked pending investigation)
    assert sum("RUSSIA-EO14024" in e.programs for e in ofac.entries) == 4439
    assert sum(any(p.endswith("RUSSIA-EO14024") for p in e.programs) for e in ofac.entries) == 4440
    aliases = [a for e in ofac.entries for a in e.aliases]
    # 3,667 markers in the file: 1 is "F.K.A. Leningrad" inside a place of birth (no quote), 3 are cut off by
    # the 1,000-character limit of the Remarks field
    assert len(aliases) == 3663 and v.names == 14965 + 3663 and all(a.weak for a in aliases)
    by_id = {e.entry_id: e for e in ofac.entries}
    assert [a.name for a in by_id["15588"].aliases][:2] == ["SHA'BI", "THE POPULAR ARMY"]
    assert by_id["48120"].countries == () and "WEB3 TECH" in [a.name for a in by_id["48120"].aliases]
    assert by_id["23684"].countries == ("Pakistan",) and by_id["23684"].kind == "person"
    assert by_id["27307"].aliases[-1].name == "THE NEW ROMANTIC CYBER ARMY TEAM"  # the cut-off 5th is left out


@pytest.mark.parametrize(
    ("remarks", "names"),
    [
        ("a.k.a. 'SHA'BI'; a.k.a. 'PEOPLE'S ARMY'.", [("SHA'BI", "aka"), ("PEOPLE'S ARMY", "aka")]),
        ("nationality Iraq; a.k.a. 'ABU AL-WAFA''; a.k.a. 'ABU ANAS'.", [("ABU AL-WAFA'", "aka"), ("ABU ANAS", "aka")]),
        ("a.k.a. ''FUPI''; a.k.a. ''AHMED THE TANZANIAN''.", [("FUPI", "aka"), ("AHMED THE TANZANIAN", "aka")]),
        ("a.k.a. ''ABD-AL-'IZ'; a.k.a. 'ABU YASIR'.", [("'ABD-AL-'IZ", "aka"), ("ABU YASIR", "aka")]),
        ("f.k.a. 'OLD NAME LLC'; n.k.a. 'NEW NAME LLC'", [("OLD NAME LLC", "fka"), ("NEW NAME LLC", "nka")]),
        ("POB St. Petersburg (F.K.A. Leningrad), Russian Federation", []),
        ("a.k.a. 'HIDDEN COBRA'; a.k.a. 'WHOIS HACKIN", [("HIDDEN COBRA", "aka")]),
    ],
)  # fmt: skip
def test_remark_aliases_real_quirks(remarks: str, names: list[tuple[str, str]]) -> None:
    assert [(a.name, a.kind) for a in remark_aliases(remarks)] == names


def test_remark_countries_only_the_partys_own() -> None:
    remarks = (
        "DOB 1970; POB Kharj, Saudi Arabia; nationality Iran; alt. nationality Iraq; citizen Iran; "
        "Passport F508591 (Saudi Arabia); nationality possibly Palestinian; Nationality of Registration Korea, North."
    )
    assert remark_countries(remarks) == ["Iran", "Iraq", "Korea, North"]


@pytest.mark.parametrize(
    ("code", "name", "same"),
    [("KP", "Korea, North", True), ("KR", "Korea, North", False), ("KR", "Korea, South", True),
     ("RU", "Russia", True), ("IR", "Iraq", False), ("CN", "China", True)],
)  # fmt: skip
def test_remark_country_names_compare_with_codes(code: str, name: str, same: bool) -> None:
    """OFAC writes "Korea, North": a user's KP must still match it (and KR must not)."""
    assert same_country(code, name) is same


def test_ofac_alt_and_remark_aliases_not_repeated() -> None:
    remarks = b"\"DOB 10 Dec 1948; nationality Iraq; a.k.a. 'ABBAS, Muhammad'; a.k.a. 'ABU ABBAS'.\""
    sdn = SDN.replace(b'"DOB 10 Dec 1948."', remarks)
    lst = load_ofac(sdn, ADD, ALT)
    abbas = {e.entry_id: e for e in lst.entries}["2674"]
    assert [(a.name, a.weak) for a in abbas.aliases] == [("ABBAS, Muhammad", False), ("ABU ABBAS", True)]
    assert abbas.countries == ("Iraq",) and lst.version.names == 6
    alone = {e.entry_id: e for e in load_ofac(sdn).entries}["2674"]
    assert [(a.name, a.weak) for a in alone.aliases] == [("ABBAS, Muhammad", True), ("ABU ABBAS", True)]


def test_shared_csl_parses_completely(shared_dir: Path) -> None:
    d = shared_dir / "data" / "screening"
    csl = load_csl_csv((d / "csl/consolidated.csv.gz").read_bytes())
    assert csl.version.entries == 14160
    assert csl.version.counts["Entity List (EL)"] == 2001
    assert csl.version.published == dt.date(2022, 4, 21)  # latest start_date, not today
    el = [e for e in csl.entries if e.source_list.startswith("Entity List")]
    huawei = [e for e in el if e.name.upper().startswith("HUAWEI TECHNOLOGIES CO., LTD.")]
    assert huawei and huawei[0].federal_register_notice and huawei[0].license_requirement


@pytest.mark.parametrize(
    ("sdn", "message"),
    [
        (SDN.replace(b"173,", b"17x,"), "sdn.csv, line 2: ent_num"),
        (
            SDN.replace(b'"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n173', b'"CUBA"\r\n173'),
            "sdn.csv, line 1: expected 12 columns",
        ),
        (SDN.replace(b'"individual"', b'"robot"'), "sdn.csv, line 3: SDN_Type"),
    ],
)
def test_ofac_malformed_rows_name_the_line(sdn: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_ofac(sdn, ADD, ALT)


def test_ofac_bad_alias_file_fails_whole_load() -> None:
    with pytest.raises(InputError, match="alt.csv, line 2: expected 5 columns"):
        load_ofac(SDN, ADD, ALT.replace(b'"ABBAS, Muhammad",-0- ', b'"ABBAS, Muhammad"'))


def test_csl_csv_multi_values_and_gzip() -> None:
    row = csl_row(
        _id="e1", source="Entity List (EL) - Bureau of Industry and Security", type="Entity", name="ACME CHIPS",
        alt_names="ACME SEMI; ACME 芯片", addresses="1 Road, Shenzhen, CN", federal_register_notice="90 FR 1",
        start_date="2025-01-16", license_requirement="For all items subject to the EAR.", programs="EAR",
    )  # fmt: skip
    data = gzip.compress(f"{CSL_HEADER}\n{row}\n".encode())
    lst = load_csl_csv(data, loaded=dt.date(2026, 1, 1))
    e = lst.entries[0]
    assert [a.name for a in e.aliases] == ["ACME SEMI", "ACME 芯片"]
    assert e.countries == ("CN",) and e.federal_register_notice == "90 FR 1" and e.programs == ("EAR",)
    assert lst.version.published == dt.date(2025, 1, 16)


def test_csl_csv_short_row_names_line() -> None:
    data = f'{CSL_HEADER}\n{csl_row(name="A", type="Entity")}\n"x","y"\n'.encode()
    with pytest.raises(InputError, match="consolidated.csv, line 3: expected 29 columns, found 2"):
        load_csl_csv(data)


def test_csl_json_form() -> None:
    doc = {"results": [{"id": "j1", "source": "Entity List (EL) - Bureau of Industry and Security", "type": "Entity",
                        "name": "SOPHGO TECHNOLOGIES LTD.", "alt_names": ["SOPHGO", "算能"], "programs": ["EAR"],
                        "addresses": [{"country": "CN"}], "federal_register_notice": "90 FR 4621",
                        "start_date": "2025-01-16"}]}  # fmt: skip
    lst = load_csl_json(json.dumps(doc).encode(), loaded=dt.date(2026, 1, 1))
    e = lst.entries[0]
    assert e.entry_id == "j1" and [a.name for a in e.aliases] == ["SOPHGO", "算能"] and e.countries == ("CN",)
    with pytest.raises(InputError, match="consolidated.json, line 1: invalid JSON"):
        load_csl_json(b'{"results": [')


def test_user_list_csv_and_yaml() -> None:
    csv_data = b"name,aliases,kind,reason,source,date\n"
    csv_data += b"Sophgo,SOPHGO;\xe7\xae\x97\xe8\x83\xbd,component,EL,90 FR 4621,2025-01-16\n"
    lst = load_user_list(csv_data, label="mine.csv")
    assert lst.entries[0].kind == "component" and [a.name for a in lst.entries[0].aliases] == ["SOPHGO", "算能"]
    assert lst.version.published == dt.date(2025, 1, 16)
    yaml_data = b"- name: Acme\n  aliases: [Acme Intl]\n  kind: entity\n  reason: test\n  date: 2025-02-01\n"
    assert load_user_list(yaml_data, label="mine.yaml").entries[0].aliases[0].name == "Acme Intl"


@pytest.mark.parametrize(
    ("data", "label", "message"),
    [
        (
            b"name,kind,date\nA,entity,2025-01-01\nB,entity,01/02/2025\n",
            "l.csv",
            "l.csv, line 3: date must be YYYY-MM-DD",
        ),
        (b"name,kind\nA,robot\n", "l.csv", "l.csv, line 2: kind must be entity or component"),
        (b"alias\nA\n", "l.csv", "l.csv, line 1: header must have a 'name' column"),
        (b"- name: A\n- [x\n", "l.yaml", "l.yaml, line 2: invalid YAML"),
    ],
)
def test_user_list_errors(data: bytes, label: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_user_list(data, label=label)
