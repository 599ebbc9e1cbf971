"""The entry window of a quarter, its standing on a date, and the timeliness percentages, on the
worked example of the manual (docs/sharing.md#deadlines)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from app.domain.deadlines import (
    EntryStatus,
    Extension,
    Rates,
    days_errors,
    is_due,
    on_time,
    percent_1dp,
    standing,
    window,
)
from app.domain.quarter import Quarter

D = dt.date
Q3 = Quarter(2025, 3)
WIN = window(Q3, 15, 20)


def test_the_worked_example_window():
    assert (WIN.opens, WIN.timely, WIN.lock) == (D(2025, 10, 1), D(2025, 10, 15), D(2025, 10, 20))


@pytest.mark.parametrize(("day", "status", "left", "overdue"), [
    (D(2025, 9, 30), EntryStatus.NOT_OPEN, 15, None),   # the quarter's last day
    (D(2025, 10, 1), EntryStatus.OPEN, 14, None),       # entry opens the day after
    (D(2025, 10, 15), EntryStatus.OPEN, 0, None),       # the timely day itself: still on time
    (D(2025, 10, 16), EntryStatus.LATE, None, 1),       # the day after: one day overdue
    (D(2025, 10, 20), EntryStatus.LATE, None, 5),       # the lock day itself: entry still open
    (D(2025, 10, 21), EntryStatus.LOCKED, None, 6),     # the day after the lock day
])
def test_the_boundaries_are_inclusive(day, status, left, overdue):
    found = standing(WIN, day)
    assert (found.status, found.days_left, found.days_overdue) == (status, left, overdue)
    assert found.entry_open is (status is not EntryStatus.LOCKED)


def test_an_exception_granted_on_the_22nd_for_seven_days_reopens_entry_until_the_29th():
    exception = Extension(D(2025, 10, 22), D(2025, 10, 29))
    assert standing(WIN, D(2025, 10, 21), exceptions=[exception]).status is EntryStatus.LOCKED
    opened = standing(WIN, D(2025, 10, 22), exceptions=[exception])
    assert (opened.status, opened.exception_until, opened.days_overdue) == (
        EntryStatus.LATE, D(2025, 10, 29), 7)
    assert standing(WIN, D(2025, 10, 29), exceptions=[exception]).entry_open
    assert standing(WIN, D(2025, 10, 30), exceptions=[exception]).status is EntryStatus.LOCKED


def test_a_submitted_quarter_no_longer_has_a_deadline():
    assert standing(WIN, D(2026, 1, 1), submitted=True).status is EntryStatus.SUBMITTED


def test_on_time_means_by_the_timely_date_and_due_means_after_it():
    assert on_time(WIN, D(2025, 10, 15)) and not on_time(WIN, D(2025, 10, 16))
    assert not is_due(WIN, D(2025, 10, 15)) and is_due(WIN, D(2025, 10, 16))


def test_the_worked_example_rates_twelve_due_eleven_reported_nine_on_time():
    rates = Rates(due=12, reported=11, on_time=9)
    assert rates.reporting_rate == Fraction(11, 12)
    assert percent_1dp(rates.reporting_rate) == Decimal("91.7")
    assert percent_1dp(rates.on_time_rate) == Decimal("75.0")
    assert Rates(0, 0, 0).reporting_rate is None and percent_1dp(None) is None


def test_percentages_round_half_up_at_one_decimal():
    assert percent_1dp(Fraction(1, 16)) == Decimal("6.3")     # 6.25
    assert percent_1dp(Fraction(1, 3)) == Decimal("33.3")
    assert percent_1dp(Fraction(2, 3)) == Decimal("66.7")
    assert percent_1dp(Fraction(1)) == Decimal("100.0")


def test_a_quarter_that_ended_before_the_agreement_took_effect_counts_from_that_day():
    late = window(Quarter(2024, 1), 15, 20, effective_from=D(2026, 12, 4))
    assert (late.opens, late.timely, late.lock) == (D(2026, 12, 4), D(2026, 12, 18),
                                                    D(2026, 12, 23))
    assert window(Q3, 15, 20, effective_from=D(2025, 10, 1)) == WIN  # effective the day after
    assert window(Q3, 15, 20, effective_from=D(2024, 1, 1)) == WIN


def test_days_must_be_1_to_365_and_the_lock_not_before_the_timely_date():
    assert days_errors(15, 20) == {}
    assert days_errors(15, 15) == {}
    assert days_errors(0, 20) == {"timely_days": "range"}
    assert days_errors(-3, 400) == {"timely_days": "range", "lock_days": "range"}
    assert days_errors(20, 15) == {"lock_days": "before_timely"}
    assert days_errors(None, 10) == {}


def test_leap_years_and_year_ends():
    q4 = window(Quarter(2027, 4), 15, 20)
    assert (q4.opens, q4.timely, q4.lock) == (D(2028, 1, 1), D(2028, 1, 15), D(2028, 1, 20))
    q1 = window(Quarter(2028, 1), 60, 60)
    assert q1.timely == D(2028, 5, 30)  # 2028-03-31 + 60 days
