"""Issue #29: the reminder rules as pure functions (windows, digest, keys, backoff)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rigport.domain import reminders as r
from rigport.errors import InputError

TODAY = dt.date(2026, 12, 7)


def clock(days_left: int, name: str = "petition_for_relief", may_not_apply: bool = False) -> r.ClockFacts:
    return r.ClockFacts("SFO-1", "San Francisco", name, TODAY + dt.timedelta(days=days_left), days_left,
                        may_not_apply, "19 CFR 171.2(b)(1)", 70, Decimal("238000.00"), "http://x/shipments/SFO-1")


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(40, None), (8, None), (7, "before-7"), (5, "before-7"), (4, "before-7"), (3, "before-3"), (2, "before-3"),
     (1, "before-1"), (0, "on-day"), (-1, "overdue"), (-30, "overdue"), (-31, None)],
)
def test_windows_with_default_rule(days_left: int, expected: str | None) -> None:
    assert r.threshold(days_left, r.Rule()) == expected


def test_rule_switches_and_may_not_apply() -> None:
    assert r.threshold(0, r.Rule(on_day=False)) is None
    assert r.threshold(-2, r.Rule(overdue=False)) is None
    assert r.threshold(-2, r.Rule(), may_not_apply=True) is None  # never "overdue", as on the dashboard
    assert r.threshold(2, r.Rule(), may_not_apply=True) == "before-3"  # still worth a look before the date
    assert r.threshold(10, r.Rule(before=(14,))) == "before-14"


def test_due_reminders_and_digest() -> None:
    clocks = [clock(5), clock(20, "protest_of_exclusion"), clock(-3, "entry_due")]
    due = r.due_reminders(clocks, r.Rule(digest=True), TODAY)
    assert [(d.clock, d.threshold) for d in due] == [
        ("petition_for_relief", "before-7"), ("entry_due", "overdue"), (r.DIGEST_CLOCK, "digest")
    ]
    assert [c.clock for c in r.digest_items(clocks)] == ["entry_due", "petition_for_relief"]  # 20 days out: not in
    assert r.due_reminders([clock(20)], r.Rule(digest=True), TODAY) == []  # an empty digest is not sent


def test_parse_before() -> None:
    assert r.parse_before("1, 7,3") == (7, 3, 1)
    for bad in ("0", "366", "x", "3,3", "-1"):
        with pytest.raises(InputError, match="before"):
            r.parse_before(bad)


def test_key_and_messages() -> None:
    key = r.reminder_key("SFO-1", "petition_for_relief", TODAY, "before-7", 3)
    assert key == "SFO-1.petition_for_relief.2026-12-07.before-7.r3"
    message = r.clock_message(clock(5), "before-7", key)
    assert message.subject == "[rigport] SFO-1: petition for relief due in 5 days (2026-12-12)"
    assert message.data["id"] == key and key in message.text and "$238,000.00" in message.html
    hostile = r.ClockFacts("X", "<script>", "c", TODAY, 0, False, "cite", 1, Decimal(1), "http://x")
    assert "<script>" not in r.clock_message(hostile, "on-day", "k").html
    digest = r.digest_message([clock(5), clock(-1, "entry_due")], TODAY, "d")
    assert digest.data["kind"] == "digest" and len(digest.data["items"]) == 2  # type: ignore[arg-type]
    assert "OVERDUE by 1 day:" in digest.text
    # a clock named "..._due" is not "due" twice
    entry = [r.clock_message(clock(n, "entry_due"), t, "k").subject for n, t in ((3, "before-3"), (0, "on-day"),
                                                                                 (-2, "overdue"))]  # fmt: skip
    assert entry == ["[rigport] SFO-1: entry due in 3 days (2026-12-10)",
                     "[rigport] SFO-1: entry due TODAY (2026-12-07)",
                     "[rigport] SFO-1: entry OVERDUE by 2 days (2026-12-05)"]  # fmt: skip


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [r.backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert r.backoff_seconds(30) == 3600


def test_digest_lists_at_most_200_and_counts_the_rest() -> None:
    many = [clock(i % 14, f"c{i}") for i in range(250)]
    digest = r.digest_message(many, TODAY, "d")
    assert len(digest.data["items"]) == 200 and digest.data["total"] == 250  # type: ignore[arg-type]
    assert "and 50 more: see the dashboard" in digest.text and digest.subject.startswith("[rigport] 250 deadlines")
