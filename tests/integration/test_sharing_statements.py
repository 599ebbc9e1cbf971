"""Every worked example of sharing.md reproduced through the database: agreement, rule, covered
projects and observations entered through the services, then the statement of each quarter."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.codes import PartyRole, SharingMode
from app.services.access.scopes import SYSTEM
from app.services.sharing import agreements
from tests.factories import make_project
from tests.integration.sharing_factories import observe
from tests.integration.sharing_helpers import (
    DESTINATION,
    REGION_OF,
    SOURCE,
    THIRD,
    example_agreement,
    example_case,
    example_cases,
    example_rule,
    row_of,
    statement_of,
    total_of,
)

CASES = example_cases()
ZERO = Decimal("0.00")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_party_current_equals_the_worked_example_in_every_quarter(db, case):
    agreement = example_agreement(db, case, "EX", ["EX-1"])
    for quarter, expected in case["expected"].items():
        statement = statement_of(db, agreement.id, quarter)
        row = row_of(statement, "EX-1")
        assert row.value == Decimal(case["observations"][quarter]), quarter
        assert not row.is_missing, quarter
        got = {party: row.lines[REGION_OF[party]].current for party in expected}
        assert got == {party: Decimal(v) for party, v in expected.items()}, quarter


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_statement_totals_foot_over_projects_and_split_parties_add_up_to_the_observed_total(
        db, case):
    agreement_id = example_agreement(db, case, "EX", ["EX-A", "EX-B"]).id
    for quarter, expected in case["expected"].items():
        statement = statement_of(db, agreement_id, quarter)
        rows = [row_of(statement, "EX-A"), row_of(statement, "EX-B")]
        total = total_of(statement)
        assert total.value == sum(r.value for r in rows) == 2 * Decimal(
            case["observations"][quarter])
        for party, amount in expected.items():
            code = REGION_OF[party]
            for attribute in ("current", "adjustment", "total", "year_to_date",
                              "since_inception"):
                assert getattr(total.lines[code], attribute) == sum(
                    getattr(r.lines[code], attribute) for r in rows), (quarter, party, attribute)
            # A cap is per covered project: both projects get the example's allocation.
            assert [r.lines[code].current for r in rows] == [Decimal(amount)] * 2
            assert total.lines[code].current == 2 * Decimal(amount)
        currents = [line.current for line in total.lines.values()]
        if case["mode"] == SharingMode.SPLIT.value:
            assert total.is_additive
            for r in rows:
                assert sum(line.current for line in r.lines.values()) == r.value
            assert sum(currents) == total.value
        else:
            assert not total.is_additive
            assert currents == [total.value] * len(currents)


def test_dual_count_credits_every_party_the_whole_value_not_additive(db):
    case = example_case("dual count")
    agreement = example_agreement(db, case, "EX", ["EX-1"])
    statement = statement_of(db, agreement.id, "2025Q4")
    row = row_of(statement, "EX-1")
    for code in (DESTINATION, SOURCE):
        assert row.lines[code].current == Decimal("5432.10")
        assert row.lines[code].since_inception == Decimal("5432.10")
    assert total_of(statement).mode == "DUAL_COUNT"
    assert total_of(statement).is_additive is False


def test_three_parties_are_rounded_on_the_cumulative_over_the_year(db):
    case = example_case("three parties cumulative rounding")
    agreement = example_agreement(db, case, "EX", ["EX-1"])
    row = row_of(statement_of(db, agreement.id, "2026Q4"), "EX-1")
    # The spec's year: 133.35/133.35/133.34 (rounding each quarter alone: 133.36/133.36/133.32).
    assert [row.lines[c].year_to_date for c in (DESTINATION, SOURCE, THIRD)] == [
        Decimal("133.35"), Decimal("133.35"), Decimal("133.34")]
    assert [row.lines[c].since_inception for c in (DESTINATION, SOURCE, THIRD)] == [
        Decimal("133.35"), Decimal("133.35"), Decimal("133.34")]


def test_cap_over_the_agreement_shows_used_and_left_per_quarter(db):
    case = example_case("agreement cap")
    agreement_id = example_agreement(db, case, "EX", ["EX-1"]).id
    # Cap used is the rounded cumulative allocation under the cap (= since inception), and
    # used + left foot to the cap; 2024Q1's exact 1,240.175 once showed 1,240.17 + 7,834.82.
    expected = {"2024Q1": ("1240.17", "7834.83"), "2025Q1": ("2792.78", "6282.22"),
                "2026Q1": ("4459.44", "4615.56"), "2027Q1": ("6564.44", "2510.56")}
    for quarter, (used, left) in expected.items():
        line = row_of(statement_of(db, agreement_id, quarter), "EX-1").lines[SOURCE]
        assert line.cap == Decimal("9075.00")
        assert (line.cap_used, line.cap_left) == (Decimal(used), Decimal(left)), quarter
        assert line.cap_used == line.since_inception, quarter
        assert line.cap_used + line.cap_left == line.cap, quarter
    for quarter in ("2028Q1", "2029Q1"):
        row = row_of(statement_of(db, agreement_id, quarter), "EX-1")
        assert row.lines[SOURCE].cap_used == Decimal("9075.00"), quarter
        assert row.lines[SOURCE].cap_left == ZERO, quarter
        assert row.lines[SOURCE].since_inception == Decimal("9075.00"), quarter
        assert row.lines[DESTINATION].cap is None


def test_yearly_cap_used_and_left_reset_in_a_new_year(db):
    case = example_case("yearly cap fill first")
    agreement_id = example_agreement(db, case, "EX", ["EX-1"]).id
    expected = {"2026Q1": ("3100.00", "4900.00"), "2026Q2": ("6300.00", "1700.00"),
                "2026Q3": ("8000.00", "0.00"), "2026Q4": ("8000.00", "0.00"),
                "2027Q1": ("8000.00", "0.00")}
    for quarter, (used, left) in expected.items():
        line = row_of(statement_of(db, agreement_id, quarter), "EX-1").lines[SOURCE]
        assert (line.cap_used, line.cap_left) == (Decimal(used), Decimal(left)), quarter


def test_year_to_date_resets_in_a_new_year_and_since_inception_does_not(db):
    case = example_case("yearly cap fill first")
    agreement_id = example_agreement(db, case, "EX", ["EX-1"]).id
    q4 = row_of(statement_of(db, agreement_id, "2026Q4"), "EX-1")
    assert q4.lines[SOURCE].year_to_date == Decimal("8000.00")  # 3,100 + 3,200 + 1,700 + 0
    assert q4.lines[DESTINATION].year_to_date == Decimal("4000.00")  # 1,200 + 2,800
    q1 = row_of(statement_of(db, agreement_id, "2027Q1"), "EX-1")
    assert q1.lines[SOURCE].year_to_date == q1.lines[SOURCE].current == Decimal("8000.00")
    assert q1.lines[DESTINATION].year_to_date == q1.lines[DESTINATION].current == Decimal(
        "1000.00")
    assert q1.lines[SOURCE].since_inception == Decimal("16000.00")
    assert q1.lines[DESTINATION].since_inception == Decimal("5000.00")
    assert q1.cumulative_total == Decimal("21000.00")


def test_missing_quarters_are_marked_missing_with_value_zero(db):
    case = example_case("stepped schedule")  # observed 2026Q3, 2026Q4, 2027Q1 and 2030Q1 only
    agreement_id = example_agreement(db, case, "EX", ["EX-1"]).id
    for quarter in ("2026Q1", "2027Q2", "2028Q2", "2029Q4"):
        statement = statement_of(db, agreement_id, quarter)
        row = row_of(statement, "EX-1")
        assert row.is_missing, quarter
        assert row.value == ZERO, quarter
        assert [line.current for line in row.lines.values()] == [ZERO, ZERO], quarter
        assert total_of(statement).value == ZERO
    later = row_of(statement_of(db, agreement_id, "2029Q4"), "EX-1")
    assert later.cumulative_total == Decimal("12345.68")  # 4,100.25 + 3,987.66 + 4,257.77
    assert later.lines[SOURCE].year_to_date == ZERO
    observed = row_of(statement_of(db, agreement_id, "2026Q3"), "EX-1")
    assert not observed.is_missing and observed.value == Decimal("4100.25")


def test_only_priority_matters_not_the_order_parties_are_listed_in(db):
    case = example_case("50:50 odd cent")  # the odd cent goes to the higher priority: D
    make_project(db, "EX-1")
    agreement = agreements.create_agreement(db, SYSTEM, agreements.AgreementData(
        code="EX", title="S listed first", parties=[  # no priorities: destination first
            agreements.PartyData(SOURCE, PartyRole.SOURCE),
            agreements.PartyData(DESTINATION, PartyRole.DESTINATION)]))
    agreements.set_covered_projects(db, SYSTEM, agreement.id, ["EX-1"])
    agreements.set_rule(db, SYSTEM, agreement.id, example_rule(case))
    agreements.activate(db, SYSTEM, agreement.id, agreement.version)
    observe(db, "2026Q1", {("EX-1", "TAX_LOCAL"): "1234567.89"})
    row = row_of(statement_of(db, agreement.id, "2026Q1"), "EX-1")
    assert {p: line.current for p, line in row.lines.items()} == {
        DESTINATION: Decimal("617283.95"), SOURCE: Decimal("617283.94")}
