"""Legal clocks: worked examples, including weekends and federal holidays."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from rigport.domain.customs.calendar import add_working_days, is_working_day
from rigport.domain.customs.clocks import EVENTS, bond_amount, clocks_for_event, forfeiture_route
from rigport.errors import InputError
from tests.helpers import run_cli

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


def test_abandonment_six_months_from_importation() -> None:
    """19 USC 1491(a); 19 CFR 127.11: 6 months from the date of importation (arrival), not from the GO move."""
    assert due("arrival", D(2025, 6, 2), "abandonment_in_general_order") == D(2025, 12, 2)
    # month-end clamp: arrival 2025-08-31 -> six months later is 2026-02-28
    assert due("arrival", D(2025, 8, 31), "abandonment_in_general_order") == D(2026, 2, 28)


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


def test_every_151_16_clock_may_not_apply_to_another_agencys_hold() -> None:
    """19 CFR 151.16(a): "The provisions of this section are not applicable to detentions effected by CBP on
    behalf of other agencies of the U.S. Government in whom the determination of admissibility is vested"
    (eCFR, https://www.ecfr.gov/current/title-19/section-151.16, read 2026-12-07).
    The decision (151.16(b)), the detention notice (151.16(c)) and the deemed exclusion (151.16(j)) all rest on it."""
    presented = D(2025, 1, 15)
    plain = {c.clock: c for c in clocks_for_event("exam-presented", presented)}
    fcc = {c.clock: c for c in clocks_for_event("exam-presented", presented, other_agency_hold=True)}
    assert set(fcc) == {"release_or_detain_decision", "deemed_exclusion"}
    for name, clock in fcc.items():
        assert clock.due == plain[name].due  # the date is still shown, for reference
        assert clock.may_not_apply and not plain[name].may_not_apply
        assert clock.note is not None and clock.note.startswith("may not apply")
        assert clock.may_not_apply_reason is not None and "151.16(a)" in clock.may_not_apply_reason
        assert plain[name].may_not_apply_reason is None
    assert fcc["deemed_exclusion"].due == D(2025, 2, 14)
    (notice,) = clocks_for_event("detention", D(2025, 1, 20), other_agency_hold=True)
    assert notice.clock == "detention_notice" and notice.may_not_apply


@pytest.mark.parametrize(
    "event", ["seizure-notice-mailed", "forfeiture-notice-published", "exclusion", "protest-filed", "arrival",
              "petition-decision"],
)
def test_clocks_outside_151_16_are_unchanged_by_another_agencys_hold(event: str) -> None:
    """Seizure, petition, forfeiture and protest clocks rest on 19 USC 1514/1592/1608, 19 CFR parts 162, 171 and
    174, not on 19 CFR 151.16, so 151.16(a) does not touch them: they stay binding on an FCC hold."""
    on = D(2025, 3, 3)
    assert clocks_for_event(event, on, other_agency_hold=True) == clocks_for_event(event, on)


def test_cli_deadlines_other_agency_hold() -> None:
    """`rigport customs deadlines detention DATE --other-agency-hold --json`: the notice clock says why."""
    done = run_cli("customs", "deadlines", "detention", "2025-01-20", "--other-agency-hold", "--json")
    assert done.returncode == 0, done.stderr
    (clock,) = json.loads(done.stdout)
    assert clock["clock"] == "detention_notice" and clock["may_not_apply"] is True
    assert "151.16(a)" in clock["may_not_apply_reason"]
    table = run_cli("customs", "deadlines", "detention", "2025-01-20", "--other-agency-hold", env={"COLUMNS": "300"})
    assert "may not apply" in table.stdout


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
