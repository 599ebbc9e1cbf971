"""The largest-remainder method, unit conversion, and re-apportioning for display."""

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.apportion import (
    apportion,
    apportion_over,
    from_units,
    places,
    reapportion_for_display,
    to_units,
)


def test_apportion_floors_then_gives_left_over_units_to_largest_remainders():
    shares = [("a", Fraction(101, 3)), ("b", Fraction(1012, 30)), ("c", Fraction(995, 30))]
    # floors 33, 33, 33 (99); 1 left; remainders 2/3, 11/15, 5/30 → b
    assert apportion(100, shares) == {"a": 33, "b": 34, "c": 33}


def test_apportion_breaks_ties_in_favour_of_the_key_listed_first():
    third = Fraction(10001, 3)
    assert apportion(10001, [("p1", third), ("p2", third), ("p3", third)]) == {
        "p1": 3334,
        "p2": 3334,
        "p3": 3333,
    }
    assert apportion(10001, [("p3", third), ("p1", third), ("p2", third)]) == {
        "p3": 3334,
        "p1": 3334,
        "p2": 3333,
    }


def test_apportion_floors_negative_shares_toward_minus_infinity():
    # −3/2 floors to −2 (not −1); total −3 leaves one unit for the larger remainder.
    assert apportion(-3, [("a", Fraction(-3, 2)), ("b", Fraction(-3, 2))]) == {"a": -1, "b": -2}


def test_apportion_of_whole_shares_changes_nothing():
    assert apportion(7, [("a", 3), ("b", 4)]) == {"a": 3, "b": 4}


def test_apportion_rejects_a_total_the_shares_cannot_reach():
    with pytest.raises(ValueError, match="cannot be apportioned"):
        apportion(5, [("a", Fraction(1)), ("b", Fraction(1))])
    with pytest.raises(ValueError, match="cannot be apportioned"):
        apportion(1, [("a", Fraction(1)), ("b", Fraction(1))])


def test_apportion_rejects_a_key_listed_twice():
    with pytest.raises(ValueError, match="twice"):
        apportion(2, [("a", 1), ("a", 1)])


@given(
    st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=6),
    st.integers(1, 10**6),
)
def test_apportion_over_adds_up_and_stays_within_one_unit_of_exact(numerators, denominator):
    total, rest = divmod(sum(numerators), denominator)
    if rest:  # make the shares add up to a whole number of units
        numerators[0] -= rest
    out = apportion_over(total, numerators, denominator)
    assert sum(out) == total
    for units, numerator in zip(out, numerators, strict=True):
        assert abs(Fraction(numerator, denominator) - units) < 1


def test_to_units_and_from_units_are_exact_for_long_amounts():
    amount = Decimal("123456789012345678901234567890.12")
    units = to_units(amount, Decimal("0.01"))
    assert units == 12345678901234567890123456789012
    assert from_units(units, Decimal("0.01")) == amount
    assert str(from_units(-5, Decimal("0.01"))) == "-0.05"
    assert str(from_units(0, Decimal("0.01"))) == "0.00"
    assert from_units(3, Decimal("0.05")) == Decimal("0.15")


def test_to_units_rejects_amounts_that_are_not_whole_quanta_and_floats():
    with pytest.raises(ValueError, match="whole multiple"):
        to_units(Decimal("1.005"), Decimal("0.01"))
    with pytest.raises(ValueError):
        to_units(1.5, Decimal("0.01"))  # type: ignore[arg-type]


def test_places_counts_the_decimals_of_a_quantum():
    assert places(Decimal("0.01")) == 2
    assert places(Decimal("1")) == 0
    assert places(Decimal("0.05")) == 2


def test_display_in_wan_yuan_foots_where_converting_each_part_would_not():
    parts = {"D": Decimal("12345.00"), "S": Decimal("12345.00"), "O": Decimal("12345.00")}
    shown = reapportion_for_display(parts, 10000, Decimal("0.01"))
    # Each part alone is 1.2345 → 1.23, and 3 × 1.23 = 3.69 ≠ 3.70 (the total 3.7035 rounded).
    assert shown.total == Decimal("3.70")
    assert shown.parts == {"D": Decimal("1.24"), "S": Decimal("1.23"), "O": Decimal("1.23")}
    assert sum(shown.parts.values()) == shown.total


def test_display_rounds_the_total_half_away_from_zero_by_default():
    shown = reapportion_for_display({"a": Decimal("-0.25"), "b": Decimal("-0.25")}, 1, Decimal("1"))
    assert shown.total == Decimal("-1")
    assert shown.parts == {"a": Decimal("0"), "b": Decimal("-1")}
    even = reapportion_for_display(
        {"a": Decimal("0.25"), "b": Decimal("0.25")}, 1, Decimal("1"), ROUND_HALF_EVEN
    )
    assert even.total == Decimal("0")


def test_display_in_hectares_from_mu():
    shown = reapportion_for_display(
        {"D": Decimal("10.00"), "S": Decimal("5.00")}, 15, Decimal("0.01")
    )
    assert shown.total == Decimal("1.00")
    assert shown.parts == {"D": Decimal("0.67"), "S": Decimal("0.33")}


@given(
    st.lists(st.integers(-(10**8), 10**8), min_size=1, max_size=5),
    st.sampled_from([10000, 100000000, 15, 3]),
    st.sampled_from([Decimal("0.01"), Decimal("1"), Decimal("0.0001")]),
)
def test_display_parts_always_add_up_to_the_printed_total(cents, factor, quantum):
    parts = {f"p{i}": from_units(c, Decimal("0.01")) for i, c in enumerate(cents)}
    shown = reapportion_for_display(parts, factor, quantum)
    assert sum(shown.parts.values()) == shown.total
    exact_total = Fraction(sum(parts.values())) / factor
    assert abs(Fraction(shown.total) - exact_total) <= Fraction(quantum) / 2
    for key, value in parts.items():
        assert abs(Fraction(shown.parts[key]) - Fraction(value) / factor) < Fraction(quantum)
