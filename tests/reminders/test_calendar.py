"""Issue #29: `rigport calendar` writes a calendar a calendar app accepts, read back with icalendar."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from icalendar import Calendar

from rigport.adapters.render.calendar import CalendarEntry, fold, render_calendar, render_with_icalendar
from rigport.services import shipments as svc
from rigport.services.calendar import export_calendar
from rigport.settings import Settings
from tests.helpers import run_cli
from tests.reminders.conftest import make_shipment, seize

TODAY = dt.date.today()


def events(path: Path) -> dict[str, dict[str, object]]:
    calendar = Calendar.from_ical(path.read_bytes())
    found = {}
    for event in calendar.walk("VEVENT"):
        found[str(event["UID"])] = {
            "summary": str(event["SUMMARY"]),
            "description": str(event["DESCRIPTION"]),
            "start": event.decoded("DTSTART"),
            "alarms": sorted(a.decoded("TRIGGER") for a in event.walk("VALARM")),
            "status": str(event.get("STATUS", "")),
            "url": str(event.get("URL", "")),
        }
    return found


def test_one_all_day_event_per_open_clock(settings: Settings, tmp_path: Path) -> None:
    arrival = TODAY - dt.timedelta(days=10)
    make_shipment(settings, "LAX-7", arrival=arrival, port="Long Beach, CA; Pier T", value="1000000")
    seize(settings, "LAX-7", arrival)
    out = tmp_path / "d.ics"
    summary = export_calendar(out, settings=settings.model_copy(update={"public_url": "https://rp.example/"}))
    found = events(out)
    assert summary["events"] == len(found) >= 1
    petition = next(e for e in found.values() if "petition for relief" in str(e["summary"]))
    assert petition["summary"] == "LAX-7 (Long Beach, CA; Pier T): petition for relief"
    assert petition["start"] == arrival + dt.timedelta(days=33)
    assert type(petition["start"]) is dt.date  # all day: DTSTART;VALUE=DATE
    assert petition["alarms"] == [dt.timedelta(days=-7), dt.timedelta(days=-2)]
    description = str(petition["description"])
    assert "Units: 100" in description and "Value at stake: $1,000,000.00" in description
    assert "19 CFR 171.2(b)(1)" in description
    assert "https://rp.example/shipments/LAX-7" in description and petition["url"] == "https://rp.example/shipments/LAX-7"
    raw = out.read_bytes()
    assert b"DTSTART;VALUE=DATE:" in raw
    assert b"SUMMARY:LAX-7 (Long Beach\\, CA\\; Pier T): petition for relief" in raw


def test_rfc5545_lines_crlf_and_folding(sqlite_settings: Settings, tmp_path: Path) -> None:
    port = "Zürich, Dübendorf; Lagerhalle " + "ü" * 60  # multi-byte text: folding counts octets, not characters
    make_shipment(sqlite_settings, "ZRH-1", arrival=TODAY - dt.timedelta(days=2), port=port)
    out = tmp_path / "d.ics"
    export_calendar(out, settings=sqlite_settings)
    raw = out.read_bytes()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # long lines were folded
    for line in lines:
        line.decode("utf-8")  # folding never splits a character
    summaries = [str(e["summary"]) for e in events(out).values()]
    assert f"ZRH-1 ({port}): entry due" in summaries  # unfolded and unescaped back to the original


def test_uids_stable_and_closed_clocks_gone(settings: Settings, tmp_path: Path) -> None:
    arrival = TODAY - dt.timedelta(days=3)
    make_shipment(settings, "SEA-1", arrival=arrival)
    first, second, third = tmp_path / "1.ics", tmp_path / "2.ics", tmp_path / "3.ics"
    export_calendar(first, settings=settings)
    export_calendar(second, settings=settings)
    assert set(events(first)) == set(events(second)) and len(events(first)) == 2  # entry due, GO warehouse
    svc.record_event("SEA-1", "entry-filed", TODAY - dt.timedelta(days=1), "tester", settings=settings)
    export_calendar(third, settings=settings)
    assert events(third) == {}  # every arrival clock closed with the entry: gone from the next export


def test_may_not_apply_marked(sqlite_settings: Settings, tmp_path: Path) -> None:
    make_shipment(sqlite_settings, "FCC-1", arrival=TODAY - dt.timedelta(days=5), other_agency=True)
    for event, day in (("entry-filed", 4), ("exam-presented", 3), ("detention", 2)):
        svc.record_event("FCC-1", event, TODAY - dt.timedelta(days=day), "tester", settings=sqlite_settings)
    out = tmp_path / "d.ics"
    summary = export_calendar(out, settings=sqlite_settings)
    notice = next(e for e in events(out).values() if "detention notice" in str(e["summary"]))
    assert str(notice["summary"]).startswith("[may not apply] FCC-1")
    assert notice["status"] == "TENTATIVE" and "19 CFR 151.16(a)" in str(notice["description"])
    assert summary["may_not_apply"] >= 1


def test_days_filter_and_cli_json(isolated_data_dir: Path, tmp_path: Path) -> None:
    from rigport.settings import Settings as S

    settings = S(data_dir=isolated_data_dir)
    make_shipment(settings, "NEAR-1", arrival=TODAY - dt.timedelta(days=10))  # entry due in 5 days
    out = tmp_path / "near.ics"
    result = run_cli("calendar", "--output", str(out), "--days", "6", "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["events"] == 2 and body["days"] == 6  # entry due (day 15) and GO warehouse (day 16); not 6 months
    assert {str(e["summary"]).split(": ")[1] for e in events(out).values()} == {"entry due", "general order warehouse"}


@pytest.mark.parametrize("days", ["-1", "99999"])
def test_bad_days_exit_2(days: str, tmp_path: Path) -> None:
    result = run_cli("calendar", "--output", str(tmp_path / "x.ics"), "--days", days)
    assert result.returncode == 2 and "--days" in result.stderr and not (tmp_path / "x.ics").exists()


def test_bad_output_dir_exit_2(tmp_path: Path) -> None:
    result = run_cli("calendar", "--output", str(tmp_path / "missing" / "x.ics"))
    assert result.returncode == 2 and "--output: directory" in result.stderr and "does not exist" in result.stderr


def _decoded(raw: bytes) -> list[dict[str, object]]:
    found = []
    for event in Calendar.from_ical(raw).walk("VEVENT"):
        found.append({
            **{k: event.decoded(k) for k in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION",
                                            "TRANSP", "STATUS", "URL")},
            "CATEGORIES": [str(c) for c in event.get("CATEGORIES").cats],
            "ALARMS": [(a.decoded("TRIGGER"), str(a["DESCRIPTION"]), str(a["ACTION"])) for a in event.walk("VALARM")],
        })  # fmt: skip
    return found


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=300).filter(lambda t: t.strip() and not {"\r", "\\"} & set(t)),
                min_size=1, max_size=4))
def test_fast_renderer_equals_icalendar(texts: list[str]) -> None:
    """rigport's own serializer and icalendar's components give the same calendar, read back by icalendar.

    Backslashes are left out here: icalendar 7.3 writes the text `a\\N` as `a\\n`, which reads back as a line
    break (RFC 5545 3.3.11 wants `a\\\\N`); the next test checks that rigport keeps them.
    """
    stamp = dt.datetime(2026, 12, 7, 5, 0, tzinfo=dt.UTC)
    entries = [CalendarEntry(uid=f"u{i},;{t[:20]}", day=dt.date(2027, 1, 1) + dt.timedelta(days=i), summary=t,
                             description=f"{t}\n{t[::-1]}", url="https://rp.example/shipments/A-1",
                             categories=("rigport", t[:30]), tentative=i % 2 == 1)
               for i, t in enumerate(texts)]  # fmt: skip
    fast = render_calendar(entries, name="n, m; o", stamp=stamp)
    reference = render_with_icalendar(entries, name="n, m; o", stamp=stamp)
    assert _decoded(fast) == _decoded(reference)
    lines = fast.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines) and fast.endswith(b"\r\n")
    assert b"\n" not in fast.replace(b"\r\n", b"")


def test_backslashes_and_breaks_round_trip() -> None:
    texts = ["C:\\new\\Notes; a, b", "line one\nline two", "ends with \\", "\\N is not a break", "tab\there"]
    entries = [CalendarEntry(uid=f"u{i}", day=dt.date(2027, 1, 1), summary=t, description=t)
               for i, t in enumerate(texts)]  # fmt: skip
    raw = render_calendar(entries, name="n", stamp=dt.datetime(2026, 12, 7, tzinfo=dt.UTC))
    read = [(str(e["SUMMARY"]), str(e["DESCRIPTION"])) for e in Calendar.from_ical(raw).walk("VEVENT")]
    assert read == [(t, t) for t in texts]


@given(st.text(max_size=400))
def test_fold_keeps_every_octet(text: str) -> None:
    folded = fold("DESCRIPTION:" + text)
    assert folded.endswith(b"\r\n")
    physical = folded[:-2].split(b"\r\n ")
    assert all(len(p) <= 75 for p in physical[:1]) and all(len(p) <= 74 for p in physical[1:])
    assert b"".join(physical).decode("utf-8") == "DESCRIPTION:" + text
