"""The entry packet's screening section over the in-memory unit of work: the latest stored run with its list
versions, or (never screened) names screened for the packet and not stored. HTML only: the PDF renderer is
tests/packet/'s (a real browser)."""

from __future__ import annotations

import pytest

from rigport.adapters.db.memory import MemoryUnitOfWork
from rigport.errors import NotFoundError
from rigport.services import packet, screening
from rigport.settings import Settings
from tests.helpers.records import EL, HUAWEI, HUAWEI_EL_IDS, LISTED_SELLER, screened_shipment

SELLER = LISTED_SELLER
IMPORTER = "Prairie Summit Hosting LLC"  # invented


@pytest.fixture(autouse=True)
def _index(bundled_index: None) -> None:
    """The packet screens against the bundled lists (tests/services/memory/conftest.py)."""


def _subjects(section: packet.PacketScreening) -> dict[str, packet.PacketSubject]:
    return {s["subject"]: s for s in section["subjects"]}


def test_never_screened_the_packet_screens_now_and_stores_nothing(settings: Settings, uow: MemoryUnitOfWork) -> None:
    screened_shipment(settings, uow=uow)
    section = packet.packet_data("SCR-1", settings, uow=uow)["screening"]
    assert (section["stored"], section["run_id"], section["actor"], section["threshold"]) == (False, None, "packet",
                                                                                              None)  # fmt: skip
    assert {v["list"] for v in section["lists"]} >= {"ofac-sdn", "csl"}
    subjects = _subjects(section)
    assert subjects[SELLER]["status"] == "hit" and subjects[IMPORTER]["status"] == "clear"
    (row,) = [m for m in subjects[SELLER]["matches"] if m["name"] == HUAWEI and m["list"] == "csl"
              and set(m["entry_ids"]) == HUAWEI_EL_IDS]  # fmt: skip
    assert row["status"] == "hit"
    assert uow.store.screening_runs == []  # a read stays a read
    assert screening.latest_shipment_screening("SCR-1", uow=uow) is None


def test_the_packet_shows_the_latest_stored_run_with_a_dismissal(settings: Settings, uow: MemoryUnitOfWork) -> None:
    screened_shipment(settings, uow=uow)
    screening.screen_shipment("SCR-1", actor="alice", settings=settings, uow=uow)
    screening.mark_false_positives(SELLER, "csl", sorted(HUAWEI_EL_IDS), "a reseller of the same name",
                                   reviewer="alice", settings=settings, uow=uow)  # fmt: skip
    latest = screening.screen_shipment("SCR-1", actor="bob", settings=settings, uow=uow)
    section = packet.packet_data("SCR-1", settings, uow=uow)["screening"]
    assert (section["stored"], section["run_id"], section["actor"]) == (True, latest["run_id"], "bob") == (
        True, 2, "bob")  # fmt: skip
    assert section["lists"] == [{k: v[k] for k in ("list", "as_of", "sha256", "source", "entries")}
                                for v in latest["lists"]]  # fmt: skip
    subjects = _subjects(section)
    assert subjects[IMPORTER] == {"subject": IMPORTER, "role": "importer of record", "matches": [], "status": "clear"}
    (row,) = [m for m in subjects[SELLER]["matches"] if m["name"] == HUAWEI and m.get("source_list") == EL]
    assert row["status"] == "dismissed" and set(row["entry_ids"]) == HUAWEI_EL_IDS
    html = packet.render_packet_html("SCR-1", settings, uow=uow)
    assert "Stored screening run #2" in html and "by bob" in html and "No stored screening run" not in html


def test_the_packet_of_an_unknown_shipment_is_not_found(settings: Settings, uow: MemoryUnitOfWork) -> None:
    with pytest.raises(NotFoundError, match="NOPE-1"):
        packet.packet_data("NOPE-1", settings, uow=uow)
