"""One spreadsheet cell read as a typed value: text, codes, exact decimals, dates, quarters.

Cells come from CSV (always text) or XLSX (text, numbers, dates, booleans). Numbers typed by
people go through :func:`app.domain.money.parse_decimal`, the one parser of typed numbers; an XLSX
number cell is read from its shortest decimal representation, never through float arithmetic.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal

from app.domain.codes import Coded
from app.domain.messages import N_
from app.domain.money import AmountError, parse_decimal
from app.domain.quarter import Quarter, QuarterError

EXCEL_EPOCH = dt.date(1899, 12, 30)
"""Day 0 of Excel's 1900 date system (serial 1 is 1900-01-01 after its 1900-02-29 bug)."""

LAST_SERIAL = 2_958_465  # 9999-12-31
_SHOWN = 60  # characters of a bad value quoted in a message


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message (``args[0]``, a Message the
    web translates) quotes the value."""


class Problem:
    """A cell the reader could not give a value for (a formula error, a formula never calculated,
    a merged cell that spans columns): any column reports ``message``."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


def is_blank(value: object) -> bool:
    """Empty or only spaces (a row of blank cells is skipped)."""
    return value is None or (value.__class__ is str and not value.strip())


def as_text(value: object) -> str:
    """The cell as the user sees it: text stripped, whole numbers without ".0", ISO dates."""
    if value.__class__ is str:
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def shown(value: object) -> str:
    """The value as quoted in an error message (long values cut short)."""
    text = as_text(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def text(max_length: int) -> Callable[[object], str]:
    """A parser of free text or a code of at most ``max_length`` characters."""

    def parse(value: object) -> str:
        result = value.strip() if value.__class__ is str else as_text(value)
        if len(result) > max_length:
            raise CellError(N_('"%(value)s" is longer than %(n)s characters',
                               value=shown(value), n=max_length))
        return result

    return parse


def decimal(value: object) -> Decimal:
    """An exact decimal: typed text through parse_decimal (¥, thousands commas, full-width
    digits), an XLSX number by its shortest representation (1234567.89 stays 1234567.89)."""
    if value.__class__ is str:
        try:
            return parse_decimal(value)
        except AmountError:
            raise CellError(N_('"%(text)s" is not a number', text=value)) from None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise CellError(N_('"%(text)s" is not a number', text=shown(value)))
    if isinstance(value, float) and not math.isfinite(value):
        raise CellError(N_('"%(text)s" is not a number', text=shown(value)))
    typed = f"{Decimal(repr(value)) if isinstance(value, float) else value:f}"
    try:
        return parse_decimal(typed)
    except AmountError:
        raise CellError(N_('"%(text)s" is not a number', text=typed)) from None


def integer(value: object) -> int:
    """A whole number (a year, a head count)."""
    number = decimal(value)
    if number != number.to_integral_value():
        raise CellError(N_('"%(value)s" is not a whole number', value=shown(value)))
    return int(number)


_TRUE = frozenset({"true", "yes", "y", "1", "是", "√", "✓", "x"})
_FALSE = frozenset({"false", "no", "n", "0", "否", "×"})


def boolean(value: object) -> bool:
    """Yes or no: TRUE/FALSE, yes/no, 1/0, 是/否 (an XLSX boolean as it is)."""
    if isinstance(value, bool):
        return value
    key = unicodedata.normalize("NFKC", as_text(value)).lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(N_('"%(value)s" is not yes or no (TRUE/FALSE, 是/否)', value=shown(value)))


_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


def from_serial(serial: float) -> dt.date:
    """The date of an Excel serial day number (the 1900 system; the time of day dropped)."""
    if not 1 <= serial <= LAST_SERIAL or int(serial) == 60:  # 60 is Excel's 1900-02-29
        raise ValueError(serial)
    days = int(serial)
    return EXCEL_EPOCH + dt.timedelta(days=days + (1 if days < 60 else 0))


_SEEN_DATES: dict[str, dt.date] = {}
_SEEN_QUARTERS: dict[str, Quarter] = {}
_SEEN_MAX = 20_000  # distinct texts remembered: a file has a few thousand dates at most


def _remember(seen: dict, key: str, value):
    if len(seen) >= _SEEN_MAX:
        seen.clear()
    seen[key] = value
    return value


def date(value: object) -> dt.date:
    """A date: ISO text, y/m/d or y年m月d日 text, yyyymmdd, an XLSX date, or an Excel serial."""
    if value.__class__ is str:
        known = _SEEN_DATES.get(value)
        if known is not None:
            return known
        if len(value) == 10:
            try:
                return _remember(_SEEN_DATES, value, dt.date.fromisoformat(value))
            except ValueError:
                pass
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return from_serial(value)
        if value.__class__ is str:
            return _remember(_SEEN_DATES, value,
                             _date_text(unicodedata.normalize("NFKC", value).strip()))
    except (ValueError, OverflowError):
        pass
    raise CellError(N_('"%(value)s" is not a date like 2026-09-30', value=shown(value)))


def _date_text(text_: str) -> dt.date:
    if match := _DATE.fullmatch(text_) or _COMPACT_DATE.fullmatch(text_):
        return dt.date(*(int(part) for part in match.groups()))
    if text_.isdigit() and 5 <= len(text_) <= 7:  # an Excel serial saved as text
        return from_serial(int(text_))
    raise ValueError(text_)


_QUARTER = re.compile(r"(\d{4})\s*(?:-|年)?\s*(?:[Qq]|第)\s*([1-4一二三四])\s*(?:季度?)?")
_CHINESE_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}


def quarter(value: object) -> Quarter:
    """A calendar quarter: ``2026Q3`` (also ``2026-Q3``, ``2026年第3季度``)."""
    if value.__class__ is str and (known := _SEEN_QUARTERS.get(value)) is not None:
        return known
    text_ = unicodedata.normalize("NFKC", as_text(value))
    match = _QUARTER.fullmatch(text_)
    try:
        if match is None:
            raise QuarterError(text_)
        parsed = Quarter(int(match[1]), int(_CHINESE_DIGITS.get(match[2], match[2])))
    except QuarterError:
        raise CellError(N_('"%(value)s" is not a quarter like 2026Q3',
                           value=shown(value))) from None
    return _remember(_SEEN_QUARTERS, value, parsed) if value.__class__ is str else parsed


def coded(enum_cls: type[Coded]) -> Callable[[object], Coded]:
    """A parser of a coded value: the code (``EQUITY``) or its Chinese or English label."""
    known: dict[str, Coded] = {}

    def parse(value: object) -> Coded:
        key = value.strip() if value.__class__ is str else as_text(value)
        member = known.get(key)
        if member is None:
            try:
                member = enum_cls.parse(key)
            except ValueError:
                raise CellError(N_('"%(value)s" is not one of %(choices)s', value=key,
                                   choices=", ".join(m.value for m in enum_cls))) from None
            if len(known) < 1000:  # labels and spellings seen: a handful per column
                known[key] = member
        return member

    return parse
