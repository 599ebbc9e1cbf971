"""The worked examples of sharing.md (examples/sharing.json), reproduced to the cent."""

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from app.domain.quarter import Quarter
from app.domain.sharing import split
from app.domain.sharing.explain import explain
from app.domain.sharing.simulate import load_cases, simulate, simulate_json

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "sharing.json"
DATA = json.loads(EXAMPLES.read_text(encoding="utf-8"))
CASES = DATA["cases"]
IDS = [case["name"] for case in CASES]


def test_the_examples_file_has_the_eight_public_cases():
    assert len(CASES) == 8


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_simulate_reproduces_every_example_exactly(case):
    assert simulate(case) == case["expected"]


def test_simulate_of_the_whole_file_returns_one_result_per_case_in_order():
    assert simulate_json(EXAMPLES.read_text(encoding="utf-8")) == [c["expected"] for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_engine_reproduces_every_example_exactly(case):
    (parsed,) = load_cases(case)
    result = split(parsed.rule, parsed.parties, parsed.observations)
    expected = {
        Quarter.parse(q): {p: Decimal(v) for p, v in parts.items()}
        for q, parts in case["expected"].items()
    }
    assert result.allocations(observed_only=True) == expected
    for row in result:
        if result.is_additive:
            assert sum(row.allocation.values()) == row.value
        else:
            assert all(a == row.value for a in row.allocation.values())


def test_example_5_rounds_the_cumulative_so_the_year_is_133_35_133_35_133_34():
    (parsed,) = load_cases(CASES[4])
    result = split(parsed.rule, parsed.parties, parsed.observations)
    assert result[-1].rounded == {
        "P1": Decimal("133.35"),
        "P2": Decimal("133.35"),
        "P3": Decimal("133.34"),
    }


def test_example_3_source_reaches_its_cap_exactly_and_gets_nothing_after():
    (parsed,) = load_cases(CASES[2])
    result = split(parsed.rule, parsed.parties, parsed.observations)
    row_2028 = result.row(Quarter.parse("2028Q1"))
    assert row_2028.rounded["S"] == Decimal("9075.00")
    assert row_2028.caps["S"].used == 9075
    assert row_2028.caps["S"].room == 0
    assert result.row(Quarter.parse("2029Q1")).allocation["S"] == 0


def test_the_stepped_example_marks_quarters_without_observations_as_missing():
    (parsed,) = load_cases(CASES[1])
    result = split(parsed.rule, parsed.parties, parsed.observations)
    assert result.quarters[0] == Quarter.parse("2026Q3")
    assert result.quarters[-1] == Quarter.parse("2030Q1")
    assert Quarter.parse("2028Q2") in result.missing
    assert Quarter.parse("2027Q1") not in result.missing
    assert result.row(Quarter.parse("2028Q2")).allocation == {"D": 0, "S": 0}


def test_a_statement_through_a_later_quarter_gets_missing_rows_at_the_end():
    (parsed,) = load_cases(CASES[0])
    result = split(
        parsed.rule, parsed.parties, parsed.observations, through=Quarter.parse("2026Q3")
    )
    assert [str(q) for q in result.quarters] == ["2026Q1", "2026Q2", "2026Q3"]
    assert [str(q) for q in result.missing] == ["2026Q2", "2026Q3"]
    assert result[-1].rounded == {"D": Decimal("617283.95"), "S": Decimal("617283.94")}


def test_dual_count_credits_every_party_the_whole_value_and_is_not_additive():
    (parsed,) = load_cases(CASES[7])
    result = split(parsed.rule, parsed.parties, parsed.observations)
    assert not result.is_additive
    assert result[0].allocation == {"D": Decimal("5432.10"), "S": Decimal("5432.10")}


def test_explain_shows_the_cap_arithmetic_of_example_3_in_2028q1():
    (parsed,) = load_cases(CASES[2])
    why = explain(parsed.rule, parsed.parties, parsed.observations, Quarter.parse("2028Q1"), "S")
    assert why.share_before_caps == Fraction("2900.005")
    assert why.cap.cumulative_before == Fraction("6564.445")
    assert why.cap.room == Fraction("2510.555")
    assert why.cap.is_capped and why.cap.excess == Fraction("389.45")
    assert why.cap_rounds[0].received == {"D": Fraction("389.45")}
    assert why.exact_share_decimal == "2510.555"
    assert why.rounded_before == Decimal("6564.44")
    assert why.rounded_after == Decimal("9075.00")
    assert why.allocation == Decimal("2510.56")


def test_explain_shows_the_extra_cent_of_example_1_going_to_the_higher_priority():
    (parsed,) = load_cases(CASES[0])
    quarter = Quarter.parse("2026Q1")
    for party, extra in (("D", True), ("S", False)):
        why = explain(parsed.rule, parsed.parties, parsed.observations, quarter, party)
        assert why.exact_share == Fraction("617283.945")
        assert why.rounding.floor == 61728394
        assert why.rounding.remainder == Fraction(1, 2)
        assert why.rounding.units_left_over == 1
        assert why.rounding.gets_extra_unit is extra


def test_explain_shows_the_baseline_step_of_example_4():
    (parsed,) = load_cases(CASES[3])
    why = explain(parsed.rule, parsed.parties, parsed.observations, Quarter.parse("2027Q1"), "D")
    assert why.base == Fraction("1250.00")
    assert why.increment == Fraction("941.36")
    assert why.share_of_increment == Fraction("941.36") * Fraction(60, 100)
    assert why.exact_share == Fraction("1250") + Fraction("564.816")
    assert why.allocation == Decimal("1814.82")


def test_explain_of_a_quarter_no_tier_covers_says_the_default_party_took_all():
    (parsed,) = load_cases(CASES[1])
    why = explain(parsed.rule, parsed.parties, parsed.observations, Quarter.parse("2030Q1"), "S")
    assert why.tier is None
    assert why.weights == {"D": 1, "S": 0}
    assert why.allocation == 0
