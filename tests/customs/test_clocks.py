"""Legal clocks: worked examples, including weekends and federal holidays."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from rigport.customs.calendar import add_working_days, is_working_day
from rigport.customs.clocks import EVENTS, bond_amount, clocks_for_event, forfeiture_route
from rigport.errors import InputError
from tests.conftest import run_cli

D = dt.date


def due(event: str, on: dt.date, clock: str, **kw: object) -> dt.date:
    (match,) = [c for c in clocks_for_event(event, on, **kw) if c.clock == clock]  # type: ignore[arg-type]
    return match.due


def test_every_event_of_the_contract_is_known() -> None:
    assert set(EVENTS) == {
        "arrival",
        "exam-presented",
        "detention",
        "seizure-notice-mailed",
        "forfeiture-notice-published",
        "exclusion",
        "petition-decision",
        "protest-filed",
    }


def test_entry_due_15_calendar_days_after_arrival() -> None:
    assert due("arrival", D(2025, 6, 2), "entry_due") == D(2025, 6, 17)
    assert due("arrival", D(2025, 6, 2), "general_order_warehouse") == D(2025, 6, 18)


def test_abandonment_six_months_after_go() -> None:
    assert due("arrival", D(2025, 6, 2), "abandonment_in_general_order") == D(2025, 12, 18)
    # month-end clamp: GO from 2025-08-31 -> six months later is 2026-02-28
    assert due("arrival", D(2025, 8, 15), "abandonment_in_general_order") == D(2026, 2, 28)


@pytest.mark.parametrize(
    ("presented", "decision"),
    [
        (D(2025, 1, 15), D(2025, 1, 23)),  # Wed; MLK Day Mon 2025-01-20 skipped
        (D(2025, 11, 25), D(2025, 12, 3)),  # Tue; Thanksgiving Thu 2025-11-27 skipped
        (D(2025, 12, 23), D(2025, 12, 31)),  # Christmas Thu 2025-12-25 skipped
        (D(2025, 6, 16), D(2025, 6, 24)),  # Juneteenth Thu 2025-06-19 skipped
        (D(2025, 3, 7), D(2025, 3, 14)),  # Friday start, plain weeks
        (D(2022, 12, 30), D(2023, 1, 9)),  # New Year's Day 2023 (Sun) observed Mon 2023-01-02
    ],
)
def test_release_or_detain_five_working_days(presented: dt.date, decision: dt.date) -> None:
    assert due("exam-presented", presented, "release_or_detain_decision") == decision


def test_working_day_helpers() -> None:
    assert not is_working_day(D(2025, 7, 4))
    assert not is_working_day(D(2025, 7, 5))
    assert add_working_days(D(2025, 7, 3), 1) == D(2025, 7, 7)


def test_deemed_exclusion_flagged_for_fcc_holds() -> None:
    plain = [c for c in clocks_for_event("exam-presented", D(2025, 1, 15)) if c.clock == "deemed_exclusion"][0]
    fcc = [
        c
        for c in clocks_for_event("exam-presented", D(2025, 1, 15), other_agency_hold=True)
        if c.clock == "deemed_exclusion"
    ][0]
    assert plain.due == fcc.due == D(2025, 2, 14)
    assert not plain.may_not_apply and fcc.may_not_apply
    assert fcc.note is not None and fcc.note.startswith("may not apply")


def test_seizure_petition_and_forfeiture_route() -> None:
    clocks = clocks_for_event("seizure-notice-mailed", D(2025, 1, 10), value_usd=Decimal(5_000_000))
    (petition,) = [c for c in clocks if c.clock == "petition_for_relief"]
    assert petition.due == D(2025, 2, 9) and petition.citation.startswith("19 CFR 171.2")
    assert petition.non_working_due_date  # a Sunday
    assert "judicial forfeiture" in (petition.note or "")
    assert forfeiture_route(Decimal(500_000)) == "administrative"
    assert forfeiture_route(Decimal("500000.01")) == "judicial"


@pytest.mark.parametrize(
    ("value", "bond"),
    [
        (Decimal(1000), Decimal(250)),
        (Decimal(2500), Decimal(250)),
        (Decimal(30_000), Decimal(3000)),
        (Decimal(50_000), Decimal(5000)),
        (Decimal(5_000_000), Decimal(5000)),
    ],
)
def test_claim_and_cost_bond_amount(value: Decimal, bond: Decimal) -> None:
    assert bond_amount(value) == bond


def test_claim_bond_clock_and_other_clocks() -> None:
    assert due("forfeiture-notice-published", D(2025, 3, 3), "claim_and_cost_bond") == D(2025, 3, 23)
    assert due("petition-decision", D(2025, 4, 1), "supplemental_petition") == D(2025, 5, 31)
    assert due("exclusion", D(2025, 2, 14), "protest_of_exclusion") == D(2025, 8, 13)
    assert due("detention", D(2025, 1, 17), "detention_notice") == D(2025, 1, 27)
    assert due("protest-filed", D(2025, 3, 3), "protest_decision_or_deemed_denial") == D(2025, 4, 2)


def test_unknown_event_lists_valid_ones() -> None:
    with pytest.raises(InputError, match="expected one of arrival"):
        clocks_for_event("landing", D(2025, 1, 1))


def test_cli_json_contract() -> None:
    result = run_cli("customs", "deadlines", "exam-presented", "2025-01-15", "--json")
    assert result.returncode == 0, result.stderr
    clocks = json.loads(result.stdout)
    assert all({"clock", "due", "days", "kind", "citation"} <= c.keys() for c in clocks)
    decision = [c for c in clocks if c["clock"] == "release_or_detain_decision"][0]
    assert decision == decision | {"due": "2025-01-23", "days": 5, "kind": "working", "citation": decision["citation"]}
    assert "151.16(b)" in decision["citation"]


@pytest.mark.parametrize(
    "args", [("arrival", "2025-13-45"), ("landing", "2025-01-01"), ("arrival", "2025-01-01", "--value", "-5")]
)
def test_cli_bad_input_exit_2(args: tuple[str, ...]) -> None:
    result = run_cli("customs", "deadlines", *args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
