"""A quarter's entry window and deadlines, and timeliness figures; pure date arithmetic.

Every date is a local calendar date (the ``TIME_ZONE`` setting decides what "today" is), and
every bound is **inclusive**:

- ``opens``: the first day figures may be entered, the day after the quarter ends (for a
  quarter that ended before its agreement took effect: the day it took effect);
- ``timely``: the last day a submission counts as on time, ``timely_days`` after the day before
  ``opens`` (normally the quarter end): 2025Q3 with 15 days → 2025-10-15;
- ``lock``: the last day of entry, ``lock_days`` after that same day: 20 days → 2025-10-20;
  from 2025-10-21 entry is locked.

A lock exception reopens entry from the day it is granted through its ``until`` date inclusive
(granted 2025-10-22 until 2025-10-29: locked on 2025-10-21, open 10-22 to 10-29, locked again
on 2025-10-30).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from app.domain.quarter import Quarter

MIN_DAYS, MAX_DAYS = 1, 365
"""Timely and lock days are whole days from 1 to 365, and lock days are at least timely days."""

_ONE_DAY = dt.timedelta(days=1)


class EntryStatus(StrEnum):
    """Where a quarter stands on a date."""

    NOT_OPEN = "NOT_OPEN"    # before ``opens``
    OPEN = "OPEN"            # opens … timely: days_left to the timely date (0 on the day itself)
    LATE = "LATE"            # after timely, entry still possible (by the lock day or an exception)
    LOCKED = "LOCKED"        # after the lock day, no exception in force
    SUBMITTED = "SUBMITTED"  # submitted (or closed): the deadline no longer applies


def days_errors(timely_days: int | None, lock_days: int | None) -> dict[str, str]:
    """Messages (in English, by field) if the days are not whole numbers from 1 to 365 or the
    lock comes before the timely date; None means "not given" and is not checked here."""
    errors = {}
    for field, value in (("timely_days", timely_days), ("lock_days", lock_days)):
        if value is not None and not MIN_DAYS <= value <= MAX_DAYS:
            errors[field] = "range"
    if (timely_days is not None and lock_days is not None and not errors
            and lock_days < timely_days):
        errors["lock_days"] = "before_timely"
    return errors


@dataclass(frozen=True)
class Window:
    """The entry window of one quarter (all dates inclusive, see the module)."""

    quarter: Quarter
    opens: dt.date
    timely: dt.date
    lock: dt.date


def window(quarter: Quarter, timely_days: int, lock_days: int,
           effective_from: dt.date | None = None) -> Window:
    """The window of ``quarter``; ``effective_from`` is the day the agreement took effect (a
    quarter that ended before it counts its days from the day before it instead)."""
    base = quarter.last_day
    if effective_from is not None and effective_from - _ONE_DAY > base:
        base = effective_from - _ONE_DAY
    return Window(quarter, base + _ONE_DAY, base + dt.timedelta(days=timely_days),
                  base + dt.timedelta(days=lock_days))


@dataclass(frozen=True)
class Extension:
    """A lock exception: in force from ``granted_on`` through ``until`` (both inclusive)."""

    granted_on: dt.date
    until: dt.date

    def in_force(self, day: dt.date) -> bool:
        """Whether it reopens entry on ``day``."""
        return self.granted_on <= day <= self.until


@dataclass(frozen=True)
class Standing:
    """A quarter on a date: its status, days left to the timely date (NOT_OPEN and OPEN; 0 on
    the timely day), days overdue (LATE and LOCKED; 1 on the day after the timely date), and
    the last day of an exception in force (None without one)."""

    window: Window
    status: EntryStatus
    days_left: int | None = None
    days_overdue: int | None = None
    exception_until: dt.date | None = None

    @property
    def entry_open(self) -> bool:
        """Whether figures may be entered and the quarter submitted on that date."""
        return self.status in (EntryStatus.NOT_OPEN, EntryStatus.OPEN, EntryStatus.LATE)

    @property
    def weeks_overdue(self) -> int | None:
        """Whole weeks past the timely date (0 for the first six days overdue)."""
        return None if self.days_overdue is None else self.days_overdue // 7


def standing(win: Window, day: dt.date, *, submitted: bool = False,
             exceptions: tuple[Extension, ...] | list[Extension] = ()) -> Standing:
    """Where the quarter of ``win`` stands on ``day``."""
    if submitted:
        return Standing(win, EntryStatus.SUBMITTED)
    if day <= win.timely:
        status = EntryStatus.NOT_OPEN if day < win.opens else EntryStatus.OPEN
        return Standing(win, status, days_left=(win.timely - day).days)
    overdue = (day - win.timely).days
    if day <= win.lock:
        return Standing(win, EntryStatus.LATE, days_overdue=overdue)
    in_force = [e.until for e in exceptions if e.in_force(day)]
    if in_force:
        return Standing(win, EntryStatus.LATE, days_overdue=overdue,
                        exception_until=max(in_force))
    return Standing(win, EntryStatus.LOCKED, days_overdue=overdue)


def on_time(win: Window, submitted_on: dt.date) -> bool:
    """Whether a submission on the local date ``submitted_on`` is on time (by ``timely``)."""
    return submitted_on <= win.timely


def is_due(win: Window, day: dt.date) -> bool:
    """Whether the quarter counts in the timeliness figures on ``day``: its timely date has
    passed (a quarter still within its timely date is not yet expected)."""
    return day > win.timely


@dataclass(frozen=True)
class Rates:
    """Timeliness of a set of quarters: how many were due, reported (submitted at least once)
    and reported on time."""

    due: int
    reported: int
    on_time: int

    @property
    def reporting_rate(self) -> Fraction | None:
        """reported / due, exact (None when nothing was due)."""
        return Fraction(self.reported, self.due) if self.due else None

    @property
    def on_time_rate(self) -> Fraction | None:
        """on time / due, exact (None when nothing was due)."""
        return Fraction(self.on_time, self.due) if self.due else None

    def __add__(self, other: Rates) -> Rates:
        return Rates(self.due + other.due, self.reported + other.reported,
                     self.on_time + other.on_time)


def percent_1dp(rate: Fraction | None) -> Decimal | None:
    """An exact rate as a percentage with one decimal, rounded half up (11/12 → 91.7,
    9/12 → 75.0); None stays None."""
    if rate is None:
        return None
    tenths = rate * 1000  # percent × 10
    whole = (tenths.numerator * 2 + tenths.denominator) // (tenths.denominator * 2)
    return (Decimal(whole) / 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
