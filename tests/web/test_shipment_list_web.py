"""Issue #30 through HTTP (no browser): the shipments page filters, searches, sorts and pages from its URL alone
(a plain GET form and links, no JavaScript), and its downloads carry the same filters."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
from fastapi.testclient import TestClient

from rigport.settings import Settings
from tests.helpers.web import sign_in


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-reference="([^"]+)"', html)


def test_the_url_is_the_view(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    sign_in(client, settings, "viewer")
    everything = client.get("/shipments")
    assert everything.status_code == 200 and "<!doctype html>" in everything.text.lower()
    assert len(_rows(everything.text)) == 6 and 'id="shipment-filters"' in everything.text
    assert 'href="/shipments" aria-current="page"' in everything.text  # in the main navigation
    assert _rows(client.get("/shipments?port=san+francisco&sort=reference").text) == [
        "DEMO-SFO-M60S", "DEMO-SFO-S21", "DEMO-SFO-S21PRO"]  # fmt: skip
    assert _rows(client.get("/shipments?q=bl-demo-dtw-t21").text) == ["DEMO-DTW-T21"]
    assert _rows(client.get("/shipments?importer=prairie+summit+hosting+llc&sort=arrival_date&order=desc").text) == [
        "DEMO-LAX-SEAL2", "DEMO-SFO-S21PRO"]  # fmt: skip
    assert _rows(client.get("/shipments?state=SEIZED").text) == ["DEMO-SFO-S21"]
    # what a plain form submits: every field, empty ones too
    plain = client.get("/shipments?q=&port=&state=&importer=&due_within=&per_page=50&sort=arrival_date&order=asc")
    assert _rows(plain.text) == _rows(everything.text)
    kept = client.get("/shipments?port=Detroit&q=demo").text
    assert '<option selected>Detroit</option>' in kept and 'value="demo"' in kept  # the form shows the view


def test_sort_links_toggle_and_keep_the_filters(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    sign_in(client, settings, "viewer")
    html = client.get("/shipments?port=san+francisco&sort=declared_value_usd").text
    assert 'aria-sort="ascending"' in html
    link = re.search(r'href="([^"]+)" data-sort="declared_value_usd"', html)
    assert link and "order=desc" in link.group(1) and "port=san+francisco" in link.group(1)
    descending = client.get(link.group(1).replace("&amp;", "&"))
    assert _rows(descending.text) == ["DEMO-SFO-S21", "DEMO-SFO-S21PRO", "DEMO-SFO-M60S"]  # $8.5M, $5.04M, $4.5M
    assert 'aria-sort="descending"' in descending.text


def test_pages(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    sign_in(client, settings, "viewer")
    first = client.get("/shipments?per_page=4&sort=reference").text
    assert "Showing 1–4 of 6" in first and 'rel="prev"' not in first
    following = re.search(r'href="([^"]+)" rel="next"', first)
    assert following
    second = client.get(following.group(1).replace("&amp;", "&")).text
    assert "Showing 5–6 of 6" in second and 'rel="next"' not in second
    assert sorted(_rows(first) + _rows(second)) == _rows(first) + _rows(second)  # by reference, no overlap


def test_bad_values_say_which_field(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    sign_in(client, settings, "viewer")
    for query, field in (("sort=password", "sort"), ("order=up", "order"), ("due_within=-3", "Deadline within (days)"),
                         ("due_within=99999999999999999999", "Deadline within (days)"), ("page=0", "Page"),
                         ("per_page=10000", "Rows per page"), ("state=LOST", "state")):  # fmt: skip
        answer = client.get(f"/shipments?{query}")
        assert answer.status_code == 422, query
        assert re.search(rf'id="filter-error">{re.escape(field)}: expected', answer.text), (query, answer.text[-800:])


def test_downloads_carry_the_filters(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    sign_in(client, settings, "viewer")
    html = client.get("/shipments?port=san+francisco&sort=reference&order=desc").text
    links = dict(re.findall(r'<a href="([^"]+)" hx-boost="false" download data-table="[a-z]+" data-format="[a-z]+">'
                            r"([a-z]+ [A-Z]+)</a>", html))  # fmt: skip
    by_name = {name: href.replace("&amp;", "&") for href, name in links.items()}
    tables = ("shipments", "deadlines", "costs", "screening")
    assert set(by_name) == {f"{t} {f}" for t in tables for f in ("CSV", "XLSX")}
    answer = client.get(by_name["shipments CSV"])
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["DEMO-SFO-S21PRO", "DEMO-SFO-S21", "DEMO-SFO-M60S"]
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(by_name["costs XLSX"]).content))
    assert [r[0] for r in workbook["costs"].iter_rows(min_row=2, values_only=True)] == [
        "DEMO-SFO-S21PRO", "DEMO-SFO-S21", "DEMO-SFO-M60S"]  # fmt: skip
    assert client.get("/exports/shipments.pdf").status_code == 422
    assert client.get("/exports/passwords.csv").status_code == 422


def test_downloads_need_a_sign_in(site: tuple[TestClient, Settings]) -> None:
    client, _ = site
    answer = client.get("/exports/shipments.csv", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert client.get("/shipments", follow_redirects=False).status_code == 303


def test_the_client_menu_offers_the_clients_the_visitor_may_see(site: tuple[TestClient, Settings]) -> None:
    """A broker-wide visitor picks a client from a menu (issue #28's filter by client, #30's filters); a visitor
    scoped to one client is offered no menu and sees no other client's name in it."""
    from rigport.services.auth import set_user
    from rigport.services.clients import list_clients

    client, settings = site
    sign_in(client, settings, "viewer")
    owners = sorted(c["name"] for c in list_clients(settings=settings) if c["shipments"])
    assert len(owners) == 3
    html = client.get("/shipments").text
    menu = re.search(r'<select id="f-client" name="client">(.*?)</select>', html, re.S)
    assert menu and re.findall(r"<option[^>]*>([^<]+)</option>", menu.group(1))[1:] == owners
    one = owners[0]
    picked = client.get("/shipments", params={"client": one}).text
    assert f"<option selected>{one}</option>" in picked
    assert len(_rows(picked)) == 2 and len(_rows(html)) == 6  # the demo gives each client two shipments
    client.cookies.clear()  # a new visitor
    set_user("scoped", "correct horse battery", "viewer", settings, clients=[one])
    assert client.post("/login", data={"username": "scoped", "password": "correct horse battery"},
                       follow_redirects=False).status_code == 303  # fmt: skip
    scoped = client.get("/shipments").text
    assert 'id="f-client"' not in scoped and len(_rows(scoped)) == 2
    assert not any(other in scoped for other in owners[1:])
