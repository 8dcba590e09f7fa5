"""The screening CLI as a user runs it: JSON shapes, batch files, list load/update, reviewer decisions."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from tests.helpers import run_cli
from tests.helpers.lists import ListFiles


def test_screen_json_shape_and_list_dates() -> None:
    p = run_cli("screen", "Huawei Technologies Co., Ltd.", "--type", "org", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["query"] == "Huawei Technologies Co., Ltd." and d["matches"]
    m = d["matches"][0]
    assert {"list", "entry_id", "name", "matched_name", "score", "programs", "explanation"} <= m.keys()
    dates = {v["list"]: v["as_of"] for v in d["lists"]}
    assert dates == {"ofac-sdn": "2024-05-03", "csl": "2022-04-21", "restricted-components": "2025-01-16"}
    assert any("rigport lists update" in w for w in d["warnings"])  # bundled copies are never presented as current


def test_screen_clear_name_has_empty_matches() -> None:
    p = run_cli("screen", "Bitmain Technologies", "--json")
    assert p.returncode == 0 and json.loads(p.stdout)["matches"] == []


def test_screen_batch_csv_every_name_appears(tmp_path: Path) -> None:
    inp, out = tmp_path / "names.csv", tmp_path / "hits.csv"
    inp.write_text(
        'name,type,country\n"Huawei Technologies Co., Ltd.",org,CN\nPrairie Summit Hosting LLC,,\nSophgo,,\n'
    )
    p = run_cli("screen", "--input", str(inp), "--output", str(out))
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(out.open()))
    assert {r["query"] for r in rows} == {"Huawei Technologies Co., Ltd.", "Prairie Summit Hosting LLC", "Sophgo"}
    clear = [r for r in rows if r["query"] == "Prairie Summit Hosting LLC"]
    assert len(clear) == 1 and clear[0]["list"] == "" and clear[0]["score"] == ""
    assert any(r["list"] == "restricted-components" for r in rows if r["query"] == "Sophgo")


def test_screen_batch_txt(tmp_path: Path) -> None:
    inp, out = tmp_path / "names.txt", tmp_path / "hits.csv"
    inp.write_text("MicroBT\n\nCanaan Inc.\n")
    p = run_cli("screen", "--input", str(inp), "--output", str(out), "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["names_with_hits"] == 0
    assert [r["query"] for r in csv.DictReader(out.open())] == ["MicroBT", "Canaan Inc."]


def test_screen_batch_bad_input_exit_2_nothing_written(tmp_path: Path) -> None:
    inp, out = tmp_path / "names.csv", tmp_path / "hits.csv"
    inp.write_text("company\nHuawei\n")
    p = run_cli("screen", "--input", str(inp), "--output", str(out))
    assert p.returncode == 2 and "line 1" in p.stderr and "'name' column" in p.stderr
    assert "Traceback" not in p.stderr and not out.exists()


def test_compare_pairs(tmp_path: Path) -> None:
    inp, out = tmp_path / "pairs.csv", tmp_path / "scored.csv"
    inp.write_text('left,right\nAcme Mining LLC,"ACME MINING, L.L.C."\nAcme Mining LLC,Zenith Freight Inc\n')
    p = run_cli("screen", "compare", "--pairs", str(inp), "--output", str(out))
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(out.open()))
    assert [r["match"] for r in rows] == ["true", "false"] and float(rows[0]["score"]) > float(rows[1]["score"])
    p = run_cli("screen", "compare", "Huawei Technologies Co Ltd", "HUAWEI TECHNOLOGIES CO., LTD.", "--json")
    assert json.loads(p.stdout)["match"] is True


def test_lists_status_warns_for_old_bundled_lists() -> None:
    p = run_cli("lists", "status", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    by_id = {v["list"]: v for v in d["lists"]}
    assert by_id["ofac-sdn"]["stale"] and by_id["csl"]["stale"] and by_id["ofac-sdn"]["entries"] == 14965
    assert by_id["csl"]["counts"]["Entity List (EL)"] == 2001
    assert len(d["warnings"]) == 2 and all("lists update" in w for w in d["warnings"])
    today = dt.date.today()
    for list_id, as_of in (("ofac-sdn", "2024-05-03"), ("csl", "2022-04-21"), ("restricted-components", "2025-01-16")):
        assert by_id[list_id]["as_of"] == as_of
        assert by_id[list_id]["age_days"] == (today - dt.date.fromisoformat(as_of)).days
    assert [by_id[i]["freshness"] for i in ("ofac-sdn", "csl", "restricted-components")] == [
        "stale", "stale", "curated",
    ]  # fmt: skip
    table = run_cli("lists", "status", env={"COLUMNS": "200"}).stdout
    sdn_row = next(line for line in table.splitlines() if "ofac-sdn" in line and "2024-05-03" in line)
    assert "NOT CURRENT" in sdn_row and str(by_id["ofac-sdn"]["age_days"]) in sdn_row


def test_lists_load_user_list_then_screen_and_malformed_keeps_previous(tmp_path: Path, isolated_data_dir: Path) -> None:
    good = tmp_path / "mine.yaml"
    good.write_text("- name: Zephyr Hashworks Ltd\n  aliases: [Zephyr Hash]\n  kind: entity\n  reason: our policy\n"
                    "  source: internal memo 7\n  date: 2026-11-01\n")  # fmt: skip
    p = run_cli("lists", "load", str(good), "--kind", "user", "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["entries"] == 1
    hits = json.loads(run_cli("screen", "Zephyr Hashworks", "--json").stdout)["matches"]
    assert hits and hits[0]["list"] == "user"
    before = (isolated_data_dir / "lists" / "user" / "list.yaml").read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind\nA,entity\nB,robot\n")
    p = run_cli("lists", "load", str(bad), "--kind", "user")
    assert p.returncode == 2 and "bad.csv, line 3" in p.stderr
    assert (isolated_data_dir / "lists" / "user" / "list.yaml").read_bytes() == before
    assert not (isolated_data_dir / "lists" / "user" / "list.csv").exists()


def test_review_false_positive_is_remembered_and_reopened_when_entry_changes(tmp_path: Path) -> None:
    lst = tmp_path / "mine.csv"
    lst.write_text("id,name,aliases,kind,reason,source,date\nU1,Zephyr Hashworks Ltd,,entity,policy,memo,2026-11-01\n")
    assert run_cli("lists", "load", str(lst), "--kind", "user").returncode == 0
    p = run_cli("screen", "review", "Zephyr Hashworks", "--list", "user", "--entry-id", "U1", "--reason", "other firm")
    assert p.returncode == 0, p.stderr
    d = json.loads(run_cli("screen", "Zephyr Hashworks", "--json").stdout)
    assert d["matches"] == [] and d["dismissed"][0]["review"]["reason"] == "other firm"
    lst.write_text(
        "id,name,aliases,kind,reason,source,date\nU1,Zephyr Hashworks Ltd,Zephyr HK,entity,policy,memo,2026-11-02\n"
    )
    assert run_cli("lists", "load", str(lst), "--kind", "user").returncode == 0
    d = json.loads(run_cli("screen", "Zephyr Hashworks", "--json").stdout)
    assert d["matches"] and d["matches"][0]["review"]["status"] == "reopened"


def test_lists_update_from_local_server_and_rescreen(list_server: tuple[str, type[ListFiles]]) -> None:
    url, _ = list_server
    run_cli("screen", "review", "x", "--list", "nope", "--entry-id", "1", "--reason", "r")  # harmless: not found
    p = run_cli("lists", "update", "--url", url, "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["updated"] == ["ofac-sdn", "csl"] and d["errors"] == []
    by_id = {v["list"]: v for v in d["lists"]}
    assert by_id["ofac-sdn"]["entries"] == 3 and not by_id["ofac-sdn"]["stale"]
    hits = json.loads(run_cli("screen", "Newco Semiconductor", "--json").stdout)["matches"]
    assert hits and hits[0]["list"] == "csl"


def test_lists_update_truncated_download_keeps_previous(list_server: tuple[str, type[ListFiles]]) -> None:
    url, handler = list_server
    handler.truncate = {"alt.csv"}
    p = run_cli("lists", "update", "--url", url, "--list", "ofac-sdn", "--json")
    assert p.returncode == 1 and "previous list kept" in p.stderr
    d = json.loads(run_cli("lists", "status", "--json").stdout)
    assert {v["list"]: v["entries"] for v in d["lists"]}["ofac-sdn"] == 14965  # the bundled copy is still in force
