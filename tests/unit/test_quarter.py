"""Tests of app.domain.quarter: parsing, the quarter of a date, its days, arithmetic and order."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.quarter import Quarter, QuarterError, quarters_between

days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 9, 30))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026Q3", Quarter(2026, 3)), (" 2026q1 ", Quarter(2026, 1)), ("2025 Q 4", Quarter(2025, 4))],
)
def test_parse_reads_year_and_quarter_tolerating_case_and_space(text, expected):
    assert Quarter.parse(text) == expected


@pytest.mark.parametrize("text", ["", "2026Q5", "2026Q0", "2026-Q3", "26Q3", "2026", "Q3", None])
def test_parse_rejects_anything_else(text):
    with pytest.raises(QuarterError):
        Quarter.parse(text)


def test_parse_error_quotes_the_text():
    with pytest.raises(QuarterError, match=r'^"2026Q5" is not a quarter like 2026Q3$'):
        Quarter.parse("2026Q5")


@pytest.mark.parametrize(("year", "number"), [(2026, 0), (2026, 5), (0, 1), (10000, 1)])
def test_out_of_range_quarters_cannot_be_made(year, number):
    with pytest.raises(QuarterError):
        Quarter(year, number)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 1, 1), Quarter(2025, 1)),
        (date(2025, 3, 31), Quarter(2025, 1)),
        (date(2025, 4, 1), Quarter(2025, 2)),
        (date(2025, 6, 30), Quarter(2025, 2)),
        (date(2025, 9, 30), Quarter(2025, 3)),
        (date(2025, 12, 31), Quarter(2025, 4)),
    ],
)
def test_containing_finds_the_quarter_of_a_date(day, expected):
    assert Quarter.containing(day) == expected


@pytest.mark.parametrize(
    ("quarter", "first", "last"),
    [
        (Quarter(2024, 1), date(2024, 1, 1), date(2024, 3, 31)),
        (Quarter(2024, 2), date(2024, 4, 1), date(2024, 6, 30)),
        (Quarter(2024, 3), date(2024, 7, 1), date(2024, 9, 30)),
        (Quarter(2024, 4), date(2024, 10, 1), date(2024, 12, 31)),
    ],
)
def test_first_and_last_day_bound_the_quarter(quarter, first, last):
    assert (quarter.first_day, quarter.last_day) == (first, last)


@given(days)
def test_a_date_lies_between_the_first_and_last_day_of_its_quarter(day):
    quarter = Quarter.containing(day)
    assert quarter.first_day <= day <= quarter.last_day
    assert Quarter.containing(quarter.last_day + timedelta(days=1)) == quarter + 1


def test_arithmetic_crosses_year_boundaries():
    assert Quarter(2025, 4) + 1 == Quarter(2026, 1)
    assert Quarter(2026, 1) - 1 == Quarter(2025, 4)
    assert Quarter(2025, 2) + 7 == Quarter(2027, 1)
    assert Quarter(2026, 1) - Quarter(2024, 3) == 6


@given(st.integers(min_value=4, max_value=9999 * 4 - 1), st.integers(-200, 200))
def test_index_counts_quarters_and_round_trips(index, step):
    quarter = Quarter.from_index(index)
    assert quarter.index == index
    if 4 <= index + step <= 9999 * 4 - 1:
        assert (quarter + step) - quarter == step
        assert (quarter + step).index == index + step


def test_quarters_order_chronologically_and_print_as_parsed():
    assert Quarter(2024, 4) < Quarter(2025, 1) < Quarter(2025, 2)
    assert str(Quarter(2026, 3)) == "2026Q3"
    assert Quarter.parse(str(Quarter(2026, 3))) == Quarter(2026, 3)
    assert len({Quarter(2026, 3), Quarter.parse("2026Q3")}) == 1


def test_quarters_between_is_inclusive_and_empty_when_reversed():
    assert quarters_between(Quarter(2024, 3), Quarter(2025, 2)) == [
        Quarter(2024, 3), Quarter(2024, 4), Quarter(2025, 1), Quarter(2025, 2)]  # fmt: skip
    assert quarters_between(Quarter(2025, 2), Quarter(2024, 3)) == []
