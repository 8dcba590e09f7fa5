"""Cached read views (shipment list, shipment detail, portfolio) are never stale.

Writes here go through the service layer, not the app, as another worker or the CLI would: the app must
notice them from the database alone. Every body must equal the one an app without a cache returns.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rigport.adapters.db.uow import UnitOfWork
from rigport.entrypoints.api.app import create_app
from rigport.entrypoints.api.cache import encode_json
from rigport.services import manifest, shipments
from rigport.services.auth import create_token
from rigport.services.network import SNAPSHOT_FILE, bundled_snapshot
from rigport.settings import Settings

REF = "CACHE-1"
VIEWS = ["/api/v1/shipments", f"/api/v1/shipments/{REF}", "/api/v1/portfolio", "/api/v1/shipments?state=ARRIVED"]
Apps = tuple[TestClient, TestClient, dict[str, str], Settings]


@pytest.fixture
def apps(tmp_path: Path) -> Iterator[Apps]:
    """The same database behind an app with the cache and one without."""
    settings = Settings(data_dir=tmp_path)
    cached = TestClient(create_app(settings))
    uncached = TestClient(create_app(Settings(data_dir=tmp_path, view_cache_mb=0)))
    token, _ = create_token("viewer", settings=settings)
    draft = shipments.ShipmentDraft(REF, "vessel", "Oakland", dt.date.today() - dt.timedelta(days=10), 4,
                                    Decimal(13_600), storage_usd_per_unit_day=Decimal("2.50"))  # fmt: skip
    shipments.create_shipment(draft, "test", settings)
    yield cached, uncached, {"Authorization": f"Bearer {token}"}, settings


def bodies(client: TestClient, headers: dict[str, str]) -> list[Any]:
    responses = [client.get(path, headers=headers) for path in VIEWS]
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    return [r.json() for r in responses]


def list_computed_afresh(settings: Settings) -> list[Any]:
    """The list as the views compute it from stored rows, with no cache or reused row anywhere."""
    with UnitOfWork(settings) as uow:
        views = [shipments.list_view(row, dt.date.today()) for row in uow.shipments.list()]
    return json.loads(encode_json(views))


def manifest_csv() -> bytes:
    return b"line,model,quantity,unit_value,hts_code,origin,serials\n1,antminer-s21,4,3400,8543.70.9960,CN,A;B;C;D\n"


CHANGES: dict[str, Callable[[Settings], object]] = {
    "event": lambda s: shipments.record_event(REF, "entry-filed", dt.date.today(), "t", settings=s),
    "patch": lambda s: shipments.update_shipment(REF, {"carrier": "COSCO"}, "t", settings=s),
    "document": lambda s: shipments.add_document(REF, "commercial_invoice", "t", settings=s),
    "party": lambda s: shipments.add_party(REF, "seller", "Acme Trading", "t", settings=s),
    "manifest": lambda s: manifest.import_manifest(manifest_csv(), "m.csv", REF, "t", settings=s),
    "new shipment": lambda s: shipments.create_shipment(
        shipments.ShipmentDraft("CACHE-2", "air", "Detroit", dt.date.today(), 1, Decimal(1)), "t", s),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_made_elsewhere_is_seen_at_once(apps: Apps, change: str) -> None:
    cached, uncached, headers, settings = apps
    before = bodies(cached, headers)
    assert bodies(cached, headers) == before  # now served from the cache
    CHANGES[change](settings)
    after = bodies(cached, headers)
    assert after == bodies(uncached, headers)
    assert after[0] == list_computed_afresh(settings)  # list rows are reused per shipment version too
    assert after != before
    if change != "new shipment":
        assert after[1]["version"] > before[1]["version"]


def test_every_change_to_a_shipment_or_its_children_bumps_its_version(apps: Apps) -> None:
    """The cache's key is the version: a change that left it alone would be served stale."""
    _, _, _, settings = apps
    shipments.add_party(REF, "seller", "Acme Trading", "t", settings=settings)
    shipments.add_document(REF, "commercial_invoice", "t", settings=settings)
    detail = shipments.get_shipment(REF, settings)
    party_id, document_id = detail["parties"][0]["id"], detail["documents"][0]["id"]
    steps: list[Callable[[], object]] = [
        lambda: shipments.update_party(REF, party_id, {"name": "Acme Trading Ltd"}, "t", settings),
        lambda: shipments.update_document(REF, document_id, {"notes": "signed"}, "t", settings),
        lambda: shipments.remove_party(REF, party_id, "t", settings),
        lambda: shipments.remove_document(REF, document_id, "t", settings),
        lambda: manifest.import_manifest(manifest_csv(), "m.csv", REF, "t", settings=settings),
        lambda: shipments.record_event(REF, "entry-filed", dt.date.today(), "t", settings=settings),
        lambda: shipments.update_shipment(REF, {"carrier": "COSCO"}, "t", settings=settings),
    ]
    for step in steps:
        version = shipments.get_shipment(REF, settings)["version"]
        step()
        assert shipments.get_shipment(REF, settings)["version"] > version, step


def test_refreshed_network_data_reprices_the_cached_detail(apps: Apps) -> None:
    cached, uncached, headers, settings = apps
    manifest.import_manifest(manifest_csv(), "m.csv", REF, "t", settings=settings)
    for event in ("entry-filed", "exam-presented", "detention"):
        shipments.record_event(REF, event, dt.date.today() - dt.timedelta(days=5), "t", settings=settings)
    before = cached.get(f"/api/v1/shipments/{REF}", headers=headers).json()
    snap = bundled_snapshot()
    stored = {"height": snap.height, "difficulty": snap.difficulty / 2, "price_usd": snap.price_usd * 2,
              "fees_btc_per_block": snap.fees_btc_per_block, "as_of": snap.as_of.isoformat(), "source": "test"}
    (settings.data_dir / SNAPSHOT_FILE).write_text(json.dumps(stored))  # what `rigport network refresh` writes
    after = cached.get(f"/api/v1/shipments/{REF}", headers=headers).json()
    assert after == uncached.get(f"/api/v1/shipments/{REF}", headers=headers).json()
    assert after["cost_of_delay"]["cost_per_unit_day_usd"] > before["cost_of_delay"]["cost_per_unit_day_usd"]


def test_etag_gives_304_until_the_shipment_changes(apps: Apps) -> None:
    cached, _, headers, settings = apps
    url = f"/api/v1/shipments/{REF}"
    first = cached.get(url, headers=headers)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = cached.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    shipments.record_event(REF, "entry-filed", dt.date.today(), "t", settings=settings)
    changed = cached.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["events"][-1]["event"] == "entry-filed"


def test_etag_needs_a_token_and_unknown_shipments_are_404(apps: Apps) -> None:
    cached, _, headers, _ = apps
    etag = cached.get(f"/api/v1/shipments/{REF}", headers=headers).headers["etag"]
    assert cached.get(f"/api/v1/shipments/{REF}", headers={"If-None-Match": etag}).status_code == 401
    missing = cached.get("/api/v1/shipments/NOPE", headers=headers)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")


def test_cache_is_bounded_in_bytes_and_keeps_one_body_per_view() -> None:
    from rigport.entrypoints.api.cache import ViewCache

    cache = ViewCache(max_bytes=1000)
    for n in range(50):
        cache.put(("view", n), "k", b"x" * 100)
    assert cache.get(("view", 49), "k") == b"x" * 100
    assert cache.get(("view", 0), "k") is None  # least recently used went first
    assert cache.size_bytes <= 1000
    for version in range(100):  # churn on one view: each new key replaces the body of the old one
        cache.put(("view", 49), version, b"y" * 100)
    assert cache.get(("view", 49), 98) is None and cache.get(("view", 49), 99) == b"y" * 100
    assert cache.size_bytes <= 1000
    cache.put(("huge",), "k", b"x" * 600)  # over a quarter of the budget: not kept
    assert cache.get(("huge",), "k") is None
