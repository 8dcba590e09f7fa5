"""Results a compliance user can act on: one row per listed party, its list and agency, notices, licence policy,
relation to the query, same-party hits apart from possible affiliates (CLI, JSON, batch CSV, API, dashboard)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rigport.domain.screening.model import Explanation, Hit, ListEntry
from rigport.entrypoints.api.app import create_app
from rigport.entrypoints.cli import screen as screen_cli
from rigport.entrypoints.cli.output import console
from rigport.services.auth import create_token
from rigport.services.screening import (
    get_index,
    latest_shipment_screening,
    mark_false_positive,
    screen_name,
    screen_shipment,
)
from rigport.services.screening_groups import group_hits, merge_notices, split_source_list
from rigport.settings import Settings
from tests.helpers import run_cli
from tests.helpers.records import EL, HUAWEI, HUAWEI_EL_IDS, screened_shipment


@pytest.fixture
def settings(isolated_data_dir: Path) -> Settings:
    return Settings(data_dir=isolated_data_dir)


def _huawei_rows(matches: list[dict[str, object]]) -> list[dict[str, object]]:
    return [m for m in matches if m["name"] == HUAWEI and m["source_list"] == EL]


# ---- grouping on the real bundled lists ----


def test_bundled_csl_prints_huawei_three_times_on_the_entity_list(settings: Settings) -> None:
    """The premise of the grouping: three list rows, three ids, one party."""
    entries = [e for e in get_index(settings).entries if e.name == HUAWEI and e.source_list == EL]
    assert {e.entry_id for e in entries} == HUAWEI_EL_IDS


def test_three_entity_list_rows_of_huawei_are_one_result_row(settings: Settings) -> None:
    d = screen_name("Huawei Technologies Co., Ltd.", kind="org", settings=settings)
    rows = _huawei_rows(d["matches"])
    assert len(rows) == 1
    row = rows[0]
    assert set(row["entry_ids"]) == HUAWEI_EL_IDS and len(row["entry_ids"]) == 3
    assert row["entry_id"] == row["entry_ids"][0]  # the first id stays where readers looked for it
    assert [e["entry_id"] for e in row["entries"]] == row["entry_ids"]
    assert (row["sub_list"], row["agency"]) == ("Entity List (EL)", "Bureau of Industry and Security")
    assert row["countries"] == ["CN"]
    # every notice of the three entries, each once (one entry alone has 87 FR 8180, another 84 FR 22963)
    notices = row["federal_register_notice"].split(", ")
    assert len(notices) == len(set(notices))
    assert {"84 FR 22961", "84 FR 22963", "84 FR 43495", "85 FR 29852", "85 FR 29853", "85 FR 36720",
            "85 FR 51603", "87 FR 8180"} == set(notices)  # fmt: skip
    assert row["license_policy"] == "Presumption of denial"
    assert row["license_requirement"].startswith("For all items subject to the EAR")
    # the same name on another sub-list of the CSL stays its own row
    cmic = [m for m in d["matches"] if m["name"] == "HUAWEI TECHNOLOGIES CO., LTD."]
    assert len(cmic) == 1 and cmic[0]["sub_list"].startswith("Non-SDN Chinese Military-Industrial Complex")
    # no other party appears twice
    keys = [(m["list"], m["source_list"], m["name"].casefold()) for m in d["matches"]]
    assert len(keys) == len(set(keys))


def test_every_match_carries_its_relation_and_the_counts_add_up(settings: Settings) -> None:
    d = screen_name("Huawei Technologies", settings=settings)
    assert d["matches"] and all(m["relation"] in ("same", "possible-affiliate") for m in d["matches"])
    assert d["same_party"] + d["possible_affiliates"] == len(d["matches"])
    assert d["same_party"] == sum(m["relation"] == "same" for m in d["matches"])
    ranks = [m["relation"] != "same" for m in d["matches"]]
    assert ranks == sorted(ranks)  # same-party rows first


def test_a_party_leaves_the_matches_only_when_every_entry_is_dismissed(settings: Settings) -> None:
    name = "Huawei Technologies Co., Ltd."
    first, second, third = _huawei_rows(screen_name(name, kind="org", settings=settings)["matches"])[0]["entry_ids"]
    for entry_id in (first, second):
        mark_false_positive(name, "csl", entry_id, "a reseller of the same name", settings=settings)
    d = screen_name(name, kind="org", settings=settings)
    assert [r["entry_ids"] for r in _huawei_rows(d["matches"])] == [[third]]
    dismissed = _huawei_rows(d["dismissed"])
    assert len(dismissed) == 1 and dismissed[0]["entry_ids"] == [first, second]
    assert dismissed[0]["review"]["status"] == "false_positive"
    mark_false_positive(name, "csl", third, "a reseller of the same name", settings=settings)
    d = screen_name(name, kind="org", settings=settings)
    assert _huawei_rows(d["matches"]) == []
    assert [sorted(r["entry_ids"]) for r in _huawei_rows(d["dismissed"])] == [sorted(HUAWEI_EL_IDS)]


def test_shipment_result_is_one_row_per_party_and_stores_each_entry(settings: Settings) -> None:
    screened_shipment(settings)
    result = screen_shipment("SCR-1", actor="alice", settings=settings)
    seller = next(s for s in result["subjects"] if s["subject"] == "Huawei Technologies Co., Ltd.")
    rows = _huawei_rows(seller["matches"])
    assert len(rows) == 1 and set(rows[0]["entry_ids"]) == HUAWEI_EL_IDS
    assert seller["same_party"] + seller["possible_affiliates"] == len(seller["matches"])
    stored = latest_shipment_screening("SCR-1", settings)
    assert stored is not None
    seller_stored = next(s for s in stored["subjects"] if s["subject"] == "Huawei Technologies Co., Ltd.")
    again = [m for m in seller_stored["matches"] if m["name"] == HUAWEI]
    assert len(again) == 1 and set(again[0]["entry_ids"]) == HUAWEI_EL_IDS  # stored per entry, shown per party
    assert stored["hits"] == result["hits"]


# ---- grouping rules on constructed hits ----


def _hit(entry_id: str, name: str, score: float, relation: str = "same", **facts: object) -> Hit:
    entry = ListEntry(list_id="csl", entry_id=entry_id, name=name, source_list=str(facts.pop("source_list", EL)),
                      **facts)  # type: ignore[arg-type]  # fmt: skip
    return Hit(entry, name, score, Explanation((), (), ()), relation)


def test_group_rules_same_before_affiliate_and_facts_merged() -> None:
    hits = [
        _hit("a1", "Acme Holdings Japan K.K.", 0.97, "possible-affiliate", countries=("JP",)),
        _hit("s1", "ACME  Ltd", 0.80, federal_register_notice="84 FR 22961, 85 FR 29852", countries=("CN",),
             license_policy="Presumption of denial."),
        _hit("s2", "Acme Ltd", 0.85, federal_register_notice="85 FR 29852; 87 FR 8180", countries=("CN", "HK"),
             license_policy="Presumption of denial"),
        _hit("m1", "Acme Ltd", 0.85, source_list="Military End User (MEU) List - Bureau of Industry and Security"),
    ]  # fmt: skip
    parties = group_hits(hits)
    assert [(p.relation, p.entry_ids) for p in parties] == [
        ("same", ["s2", "s1"]),  # best first: the first id is the best-scoring entry
        ("same", ["m1"]),  # another sub-list is another row
        ("possible-affiliate", ["a1"]),  # after every same-party row, whatever its score
    ]
    row = parties[0].to_dict()
    assert row["entry_id"] == "s2" and row["score"] == 0.85
    assert row["countries"] == ["CN", "HK"]
    assert row["federal_register_notice"] == "85 FR 29852, 87 FR 8180, 84 FR 22961"
    assert row["license_policy"] == "Presumption of denial"
    assert group_hits([]) == []


def test_notices_that_are_not_citation_lists_are_kept_whole() -> None:
    assert merge_notices(["Vol. 84, No. 99, 05/22/19", "Vol. 84, No. 99, 05/22/19"]) == "Vol. 84, No. 99, 05/22/19"
    assert merge_notices(["84 F.R. 22961 5/21/2019", "84  FR 22961"]) == "84 F.R. 22961 5/21/2019, 84 FR 22961"
    assert merge_notices(["", " "]) == ""
    assert split_source_list(EL) == ("Entity List (EL)", "Bureau of Industry and Security")
    assert split_source_list("User restricted list") == ("User restricted list", "")


# ---- CLI, batch CSV, API, dashboard ----


def test_cli_prints_same_party_and_affiliates_apart_in_80_columns() -> None:
    p = run_cli("screen", "Huawei Technologies Co., Ltd.", "--type", "org", env={"COLUMNS": "80"})
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert out.index("Same party (") < out.index("Possible affiliates (")
    assert "Entity List (EL), Bureau of Industry and Security [csl]" in out
    assert "3 entries" in out and all(i in out for i in HUAWEI_EL_IDS)  # ids wrap, never cut
    assert "84 FR 22963" in out and "87 FR 8180" in out and "Presumption of denial" in out
    assert "…" not in out
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 80
    same, affiliates = out.split("Possible affiliates (")
    assert HUAWEI in same and "Huawei Technologies Canada Co., Ltd." not in same
    assert "Huawei Technologies Canada Co., Ltd." in affiliates and "(possible-affiliate, score" in affiliates


def test_cli_sections_put_an_affiliate_in_its_own_section() -> None:
    same = group_hits([_hit("s1", "Acme Ltd", 0.9)])[0].to_dict()
    affiliate = group_hits([_hit("a1", "Acme Japan K.K.", 0.95, "possible-affiliate", countries=("JP",))])[0]
    with console.capture() as cap:
        screen_cli.print_hit_sections("Acme", [same, affiliate.to_dict()])
    out = cap.get()
    head, tail = out.split("Possible affiliates (1)")
    assert "Same party (1)" in head and "Acme Ltd" in head and "Acme Japan K.K." not in head
    assert "Acme Japan K.K." in tail and "possible-affiliate, score 0.95" in tail and "JP" in tail


def test_batch_csv_keeps_its_first_columns_and_adds_relation_and_list_facts(tmp_path: Path) -> None:
    inp, out = tmp_path / "names.csv", tmp_path / "hits.csv"
    inp.write_text('name,type\n"Huawei Technologies Co., Ltd.",org\nPrairie Summit Hosting LLC,\n')
    p = run_cli("screen", "--input", str(inp), "--output", str(out))
    assert p.returncode == 0, p.stderr
    with out.open(newline="") as fh:
        header = next(csv.reader(fh))
    assert header[:5] == ["query", "list", "entry_id", "matched_name", "score"]
    assert header[5:8] == ["relation", "source_list", "entry_ids"]
    rows = list(csv.DictReader(out.open(newline="")))
    huawei = [r for r in rows if r["name"] == HUAWEI and r["source_list"] == EL]
    assert len(huawei) == 1 and set(huawei[0]["entry_ids"].split("; ")) == HUAWEI_EL_IDS
    assert huawei[0]["entry_id"] in HUAWEI_EL_IDS and huawei[0]["relation"] == "same"
    assert "87 FR 8180" in huawei[0]["federal_register_notice"] and huawei[0]["countries"] == "CN"
    clear = [r for r in rows if r["query"] == "Prairie Summit Hosting LLC"]
    assert len(clear) == 1 and clear[0]["relation"] == "" and clear[0]["entry_ids"] == ""


def test_api_screen_has_the_shape_of_screen_json(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    token, _ = create_token("viewer", settings=settings)
    body = {"name": "Huawei Technologies Co., Ltd.", "type": "org"}
    api = client.post("/api/v1/screen", json=body, headers={"Authorization": f"Bearer {token}"}).json()
    cli = json.loads(run_cli("screen", body["name"], "--type", "org", "--json").stdout)
    assert api.keys() == cli.keys() >= {"matches", "dismissed", "same_party", "possible_affiliates"}
    assert api["matches"] == cli["matches"]
    assert len(_huawei_rows(api["matches"])) == 1


def test_dashboard_shows_sub_list_agency_notice_and_one_row_per_party(settings: Settings) -> None:
    from tests.helpers.web import sign_in

    client = TestClient(create_app(settings), base_url="https://testserver")
    sign_in(client, settings, "viewer")
    html = client.get("/screening/search", params={"q": "Huawei Technologies Co., Ltd."}).text
    assert "Same party" in html
    assert "Entity List (EL)" in html and "Bureau of Industry and Security" in html
    assert "84 FR 22963" in html and "87 FR 8180" in html and "Presumption of denial" in html
    assert html.count(HUAWEI) == 1 and "3 entries" in html
    assert all(i in html for i in HUAWEI_EL_IDS)
    same, affiliates = html.split('id="affiliates-h"')
    assert HUAWEI in same and "Huawei Technologies Canada Co., Ltd." in affiliates
    assert "Huawei Technologies Canada Co., Ltd." not in same


def test_dashboard_puts_affiliates_in_their_own_table() -> None:
    from rigport.entrypoints.web.pages import templates

    same = group_hits([_hit("s1", "Acme Ltd", 0.9)])[0].to_dict()
    affiliate = group_hits([_hit("a1", "Acme Japan K.K.", 0.95, "possible-affiliate")])[0].to_dict()
    result = {"query": "Acme", "threshold": 0.75, "warnings": [], "matches": [same, affiliate], "dismissed": []}
    html = templates.env.get_template("_screening_search.html").render(result=result, error=None)
    same_part, affiliate_part = html.split('id="affiliates-h"')
    assert "Acme Ltd" in same_part and "Acme Japan K.K." not in same_part
    assert "Acme Japan K.K." in affiliate_part and "Acme Ltd<" not in affiliate_part



def test_stored_run_keeps_relation_and_sub_list_and_the_shipment_page_shows_affiliates_apart(
    settings: Settings,
) -> None:
    from sqlalchemy import select

    from rigport.adapters.db.screening_tables import ScreeningResultRow
    from rigport.adapters.db.uow import UnitOfWork
    from tests.helpers.web import sign_in

    screened_shipment(settings)
    screen_shipment("SCR-1", settings=settings)
    morocco = "Huawei Technologies Morocco"
    with UnitOfWork(settings) as uow:
        rows = uow.session.scalars(select(ScreeningResultRow).where(ScreeningResultRow.entry_name == HUAWEI)).all()
        assert {r.entry_id for r in rows} == HUAWEI_EL_IDS
        assert {(r.relation, r.source_list) for r in rows} == {("same", EL)}
        # the listed name plus a country: stored as the possible affiliate the matching called it
        (row,) = uow.session.scalars(select(ScreeningResultRow).where(ScreeningResultRow.entry_name == morocco)).all()
        assert (row.relation, row.source_list) == ("possible-affiliate", EL)
    stored = latest_shipment_screening("SCR-1", settings)
    assert stored is not None
    seller = next(s for s in stored["subjects"] if s["subject"] == "Huawei Technologies Co., Ltd.")
    relations = [m["relation"] for m in seller["matches"]]
    assert relations[-1] == "possible-affiliate" and relations.count("possible-affiliate") == 1
    assert seller["matches"][-1]["name"] == morocco
    assert next(m for m in seller["matches"] if m["name"] == HUAWEI)["sub_list"] == "Entity List (EL)"

    client = TestClient(create_app(settings), base_url="https://testserver")
    sign_in(client, settings, "viewer")
    html = client.get("/shipments/SCR-1").text
    assert html.index(HUAWEI) < html.index("Possible affiliates") < html.index(morocco)
    assert "3 entries" in html and "Entity List (EL), Bureau of Industry and Security" in html


def test_packet_lists_a_party_once_with_every_entry_id_stored_or_not(settings: Settings) -> None:
    from rigport.services import packet

    screened_shipment(settings)
    for stored in (False, True):
        if stored:
            screen_shipment("SCR-1", settings=settings)
        html = packet.render_packet_html("SCR-1", settings)
        assert ("Stored screening run #" in html) is stored
        section = html.split("<th>Matches</th>")[1]  # the screening table (the risk table names a hit too)
        assert section.count(HUAWEI) == 1
        line = section[section.index(HUAWEI) :].split("<br>")[0]
        assert all(i in line for i in HUAWEI_EL_IDS)


def test_review_dismisses_every_entry_of_a_party_at_once_or_nothing() -> None:
    name = "Huawei Technologies Co., Ltd."
    ids = sorted(HUAWEI_EL_IDS)
    base = ["screen", "review", name, "--list", "csl", "--reason", "a reseller of the same name"]
    bad = run_cli(*base, "--entry-id", ids[0], "--entry-id", "no-such-id", "--json")
    assert bad.returncode == 2 and "csl/no-such-id not found" in bad.stderr and "Traceback" not in bad.stderr
    d = json.loads(run_cli("screen", name, "--type", "org", "--json").stdout)
    assert d["dismissed"] == [] and len(_huawei_rows(d["matches"])) == 1  # the valid id was not recorded either
    p = run_cli(*base, *(a for i in ids for a in ("--entry-id", i)), "--json")
    assert p.returncode == 0, p.stderr
    assert sorted(r["entry_id"] for r in json.loads(p.stdout)) == ids
    d = json.loads(run_cli("screen", name, "--type", "org", "--json").stdout)
    assert _huawei_rows(d["matches"]) == []
    assert [sorted(r["entry_ids"]) for r in _huawei_rows(d["dismissed"])] == [ids]
