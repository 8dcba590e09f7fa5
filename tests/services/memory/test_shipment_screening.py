"""Screening a stored shipment over the in-memory unit of work: hits against the bundled lists, a reviewer's
dismissal (audited, and seen by the next screening), the latest run read back, the re-screen of stored parties.

The SQL side of the same store is tests/adapters/db/test_repository_contract.py (screening runs and decisions)
and tests/screening/ (the stored rows themselves, the API and the dashboard).
"""

from __future__ import annotations

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.domain.screening.match import DEFAULT_THRESHOLD
from rigport.errors import InputError, NotFoundError
from rigport.services import screening
from rigport.settings import Settings
from tests.helpers.records import EL, HUAWEI, HUAWEI_EL_IDS, LISTED_SELLER, screened_shipment

# the shipment of tests/helpers/records.screened_shipment: a listed seller and chip supplier, an invented importer
SELLER = LISTED_SELLER
IMPORTER = "Prairie Summit Hosting LLC"  # no list has it
CHIPS = "SOPHGO TECHNOLOGIES LTD."


@pytest.fixture(autouse=True)
def _index(bundled_index: None) -> None:
    """Every test here screens against the bundled lists (tests/services/memory/conftest.py)."""


def _subject(result: dict[str, object] | object, name: str) -> dict[str, object]:
    subjects = result["subjects"]  # type: ignore[index]
    return next(s for s in subjects if s["subject"] == name)


def _el_rows(matches: list[dict[str, object]]) -> list[dict[str, object]]:
    return [m for m in matches if m["name"] == HUAWEI and m["source_list"] == EL]


def test_a_listed_party_is_a_hit_and_an_invented_one_clear(settings: Settings, uow: MemoryUnitOfWork) -> None:
    screened_shipment(settings, uow=uow)
    result = screening.screen_shipment("SCR-1", actor="alice", settings=settings, uow=uow)
    assert result["shipment"] == "SCR-1" and result["run_id"] == 1 and result["threshold"] == DEFAULT_THRESHOLD
    assert {v["list"] for v in result["lists"]} >= {"ofac-sdn", "csl"}  # the versions screened against
    seller = _subject(result, SELLER)
    assert seller["status"] == "hit" and seller["role"] == "seller"
    (row,) = _el_rows(seller["matches"])  # type: ignore[arg-type]
    assert set(row["entry_ids"]) == HUAWEI_EL_IDS  # type: ignore[arg-type]  # three list rows, one party
    importer = _subject(result, IMPORTER)
    assert (importer["status"], importer["role"], importer["matches"]) == ("clear", "importer of record", [])
    chips = _subject(result, CHIPS)
    assert chips["status"] == "hit" and chips["role"] == "chip supplier (line 1)"
    assert result["hits"] == sum(len(s["matches"]) for s in result["subjects"])
    with uow:
        (entry,) = uow.audit.for_entity("shipment", "SCR-1")[1:]  # after the shipment's creation
        assert (entry.actor, entry.action) == ("alice", "screen")
        assert entry.after == {"hits": result["hits"], "subjects": len(result["subjects"])}


def test_the_latest_run_reads_back_as_it_was_screened(settings: Settings, uow: MemoryUnitOfWork) -> None:
    screened_shipment(settings, uow=uow)
    assert screening.latest_shipment_screening("SCR-1", uow=uow) is None  # never screened
    screening.screen_shipment("SCR-1", settings=settings, uow=uow)
    second = screening.screen_shipment("SCR-1", actor="bob", settings=settings, uow=uow)
    stored = screening.latest_shipment_screening("SCR-1", uow=uow)
    assert stored is not None
    assert (stored["run_id"], stored["actor"], stored["hits"]) == (second["run_id"], "bob", second["hits"]) == (
        2, "bob", second["hits"])  # fmt: skip
    assert stored["screened_at"].isoformat(timespec="seconds") == second["screened_at"]
    assert [(s["subject"], s["role"], s["status"]) for s in stored["subjects"]] == [
        (s["subject"], s["role"], s["status"]) for s in second["subjects"]
    ]
    seller = _subject(stored, SELLER)
    (row,) = [m for m in seller["matches"] if m["name"] == HUAWEI]  # type: ignore[attr-defined]
    assert set(row["entry_ids"]) == HUAWEI_EL_IDS and row["status"] == "hit"  # stored per entry, shown per party
    assert [v["list"] for v in stored["lists"]] == [v["list"] for v in second["lists"]]
    with pytest.raises(NotFoundError, match="NOPE-1"):
        screening.latest_shipment_screening("NOPE-1", uow=uow)


def test_a_dismissed_hit_is_audited_and_the_next_screening_shows_it_dismissed(
    settings: Settings, uow: MemoryUnitOfWork
) -> None:
    screened_shipment(settings, uow=uow)
    screening.screen_shipment("SCR-1", settings=settings, uow=uow)
    ids = sorted(HUAWEI_EL_IDS)
    decisions = screening.mark_false_positives(SELLER, "csl", ids, "  a reseller of the same name ",
                                               reviewer="alice", settings=settings, uow=uow)  # fmt: skip
    assert [(d["entry_id"], d["verdict"], d["reason"], d["reviewer"]) for d in decisions] == [
        (i, "false_positive", "a reseller of the same name", "alice") for i in ids
    ]
    assert all(d["entry_name"] == HUAWEI and d["entry_fingerprint"] for d in decisions)
    with uow:
        (entry,) = uow.audit.for_entity("screening", f"csl/{ids[0]}")
        assert (entry.actor, entry.action) == ("alice", "dismiss_hit")
        assert entry.after == {"name": SELLER, "reason": "a reseller of the same name",
                               "entry_fingerprint": decisions[0]["entry_fingerprint"]}  # fmt: skip

    again = screening.screen_shipment("SCR-1", settings=settings, uow=uow)
    seller = _subject(again, SELLER)
    assert _el_rows(seller["matches"]) == []  # type: ignore[arg-type]
    (dismissed,) = _el_rows(seller["dismissed"])  # type: ignore[arg-type]
    assert sorted(dismissed["entry_ids"]) == ids  # type: ignore[arg-type]
    assert dismissed["review"]["status"] == "false_positive"  # type: ignore[index]
    stored = screening.latest_shipment_screening("SCR-1", uow=uow)
    assert stored is not None and stored["run_id"] == again["run_id"] == 2
    (row,) = [m for m in _subject(stored, SELLER)["matches"] if m["name"] == HUAWEI]  # type: ignore[attr-defined]
    assert row["status"] == "dismissed" and sorted(row["entry_ids"]) == ids
    # the same decisions apply to the name screened alone (read from the same store)
    alone = screening.screen_name(SELLER, kind="org", settings=settings, uow=uow)
    assert _el_rows(alone["matches"]) == [] and len(_el_rows(alone["dismissed"])) == 1  # type: ignore[arg-type]


def test_a_dismissal_again_replaces_the_decision_and_keeps_one(settings: Settings, uow: MemoryUnitOfWork) -> None:
    entry_id = sorted(HUAWEI_EL_IDS)[0]
    screening.mark_false_positive(SELLER, "csl", entry_id, "first look", settings=settings, uow=uow)
    screening.mark_false_positive(" huawei technologies co., ltd. ", "csl", entry_id, "second look", reviewer="bob",
                                  settings=settings, uow=uow)  # fmt: skip
    decisions = screening.load_decisions(settings, uow=uow)
    assert [(d["reason"], d["reviewer"]) for d in decisions.values()] == [("second look", "bob")]
    assert screening.load_decisions(settings, SELLER, uow=uow) == decisions  # the same key, by name
    assert screening.load_decisions(settings, "Acme Ltd", uow=uow) == {}


def test_a_refused_dismissal_writes_nothing(settings: Settings, uow: MemoryUnitOfWork) -> None:
    ids = sorted(HUAWEI_EL_IDS)
    with pytest.raises(InputError) as no_reason:
        screening.mark_false_positives(SELLER, "csl", ids, "  ", settings=settings, uow=uow)
    assert no_reason.value.field == "reason"
    with pytest.raises(InputError) as no_ids:
        screening.mark_false_positives(SELLER, "csl", [], "why", settings=settings, uow=uow)
    assert no_ids.value.field == "entry_ids"
    with pytest.raises(NotFoundError, match="csl/not-an-entry not found.*nothing recorded"):
        screening.mark_false_positives(SELLER, "csl", [*ids, "not-an-entry"], "why", settings=settings, uow=uow)
    assert screening.load_decisions(settings, uow=uow) == {}
    assert uow.store.screening_decisions == [] and uow.store.audit == []


def test_screening_an_unknown_shipment_stores_no_run(settings: Settings, uow: MemoryUnitOfWork) -> None:
    screened_shipment(settings, uow=uow)
    with pytest.raises(NotFoundError, match="NOPE-1"):
        screening.screen_shipment("NOPE-1", settings=settings, uow=uow)
    assert uow.store.screening_runs == []
    assert screening.latest_shipment_screening("SCR-1", uow=uow) is None


def test_a_list_update_rescreens_the_stored_parties(settings: Settings, uow: MemoryUnitOfWork) -> None:
    """With nothing screened before, every hit of a stored party or chip supplier is new; the invented one has none."""
    screened_shipment(settings, uow=uow)
    changes = screening.rescreen(settings, {}, uow=uow)
    names = {h["name"] for h in changes["new_hits"]}
    assert SELLER in names and CHIPS in names and IMPORTER not in names
    assert {h["entry_id"] for h in changes["new_hits"] if h["name"] == SELLER} >= HUAWEI_EL_IDS
    assert changes["cleared_hits"] == []
    after = screening.rescreen(settings, screening._watch_snapshot(settings, uow), uow=uow)
    assert after == {"new_hits": [], "cleared_hits": []}  # nothing changed since
