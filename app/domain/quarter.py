"""Calendar quarters written ``2026Q3``: parsing, ordering, arithmetic and dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from app.domain.messages import quoted

_PATTERN = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")


class QuarterError(ValueError):
    """A text that is not a quarter such as ``2026Q3``."""


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    """A calendar quarter; Q1 is January to March. Ordered and hashable."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise QuarterError(f"quarter number must be 1 to 4, not {self.number}")
        if not 1 <= self.year <= 9999:
            raise QuarterError(f"year must be 1 to 9999, not {self.year}")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read ``2026Q3`` (case and surrounding space tolerated)."""
        match = _PATTERN.match(text or "")
        if not match:
            raise QuarterError(f'"{quoted(text)}" is not a quarter like 2026Q3')
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        """The quarter a date falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        """Inverse of :attr:`index`."""
        return cls(index // 4, index % 4 + 1)

    @property
    def index(self) -> int:
        """A running count of quarters (year × 4 + number − 1): differences are distances."""
        return self.year * 4 + self.number - 1

    def __add__(self, quarters: int) -> Quarter:
        return Quarter.from_index(self.index + quarters)

    def __sub__(self, other: int | Quarter) -> Quarter | int:
        if isinstance(other, Quarter):
            return self.index - other.index
        return Quarter.from_index(self.index - other)

    @property
    def first_day(self) -> dt.date:
        """The first day of the quarter."""
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> dt.date:
        """The last day of the quarter (the quarter end)."""
        if self.number == 4:  # not via the next quarter, which does not exist after 9999Q4
            return dt.date(self.year, 12, 31)
        return (self + 1).first_day - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from ``first`` to ``last`` inclusive, in order (empty if last < first)."""
    return [Quarter.from_index(i) for i in range(first.index, last.index + 1)]
