"""Money in yuan as exact Decimals: the parser of typed numbers, minor units, display formats."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from fractions import Fraction

from app.domain.messages import quoted

CENT = Decimal("0.01")
"""One fen (分): the quantum of every stored amount in yuan."""

DASH = "—"
"""What an undefined value (None) is shown as."""

# Full-width forms a Chinese input method produces; mapped to ASCII before parsing.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．－＋", "0123456789,.-+")

# Sign, optional currency sign, then either plain digits or correctly grouped thousands,
# then an optional fraction. ASCII only: other Unicode digits are not accepted.
_NUMBER = re.compile(
    r"""
    (?P<sign>[+-]?)
    (?:[¥￥]\s*)?
    (?P<sign_after_currency>[+-]?)
    (?:
        (?P<whole>[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<fraction>[0-9]+))?
      | \.(?P<bare_fraction>[0-9]+)
    )
    """,
    re.VERBOSE | re.ASCII,
)

Number = Decimal | Fraction | int

# Quanta that are powers of ten, by how many places they shift: the fast, exact path of
# to_minor_units (a Decimal's exponent moves; nothing is divided).
_POWERS_OF_TEN = {Decimal(1).scaleb(-places): places for places in range(9)}


class AmountError(ValueError):
    """A text or value that is not an acceptable amount; the message quotes the original."""


def _without_negative_zero(value: Decimal) -> Decimal:
    """The same Decimal, but ``-0.00`` becomes ``0.00`` (a negative zero is never meaningful)."""
    return value.copy_abs() if value.is_zero() else value


def round_half_up(value: Number, places: int = 2) -> Decimal:
    """Round for display to ``places`` decimals, half away from zero (ROUND_HALF_UP)."""
    if isinstance(value, Fraction):
        # floor(|n| / d × 10^places + 1/2) in integers: exact, and no Fraction is built.
        numerator, denominator = value.numerator, value.denominator
        units = (2 * abs(numerator) * 10**places + denominator) // (2 * denominator)
        if units == 0:
            return Decimal(0).scaleb(-places)
        return Decimal((int(numerator < 0), tuple(map(int, str(units))), -places))
    value = Decimal(_exact(value))
    if not value.is_finite():
        raise AmountError(f'"{quoted(value)}" is not a number')
    with localcontext() as context:
        context.prec = max(28, value.adjusted() + places + 3)  # quantize must not overflow
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return _without_negative_zero(rounded)


def parse_decimal(text: str) -> Decimal:
    """Read a user-typed number (¥, thousands commas, full-width forms, sign) as an exact Decimal.

    Rejects empty text, NaN, Infinity, exponents and badly grouped commas with
    ``AmountError('"<text>" is not a number')``. No rounding: the digits typed are the digits kept.
    """
    if not isinstance(text, str):
        raise AmountError(f'"{quoted(text)}" is not a number')
    if text.isascii() and text[:1].isdigit() and text[-1:].isdigit() \
            and text.replace(".", "", 1).isdigit():
        return Decimal(text)  # the common plain form ("1234.50"), read without the regex
    match = _NUMBER.fullmatch(text.strip().translate(_FULL_WIDTH))
    if match is None or (match["sign"] and match["sign_after_currency"]):
        raise AmountError(f'"{quoted(text)}" is not a number')
    sign = match["sign"] or match["sign_after_currency"]
    if match["bare_fraction"] is not None:
        digits = "0." + match["bare_fraction"]
    else:
        digits = match["whole"].replace(",", "")
        if match["fraction"] is not None:
            digits += "." + match["fraction"]
    return _without_negative_zero(Decimal(sign + digits))


def to_minor_units(value: Decimal, quantum: Decimal = CENT) -> int:
    """Whole number of quanta (fen by default) in ``value``; exact, raises AmountError otherwise."""
    if value.__class__ is Decimal and quantum.__class__ is Decimal and value.is_finite() \
            and quantum.is_finite() and (places := _POWERS_OF_TEN.get(quantum)) is not None:
        try:  # quantize never rounds silently past the precision: it raises, and we fall back
            fixed = value.quantize(quantum)
        except InvalidOperation:
            fixed = None
        if fixed is not None:
            if fixed != value:
                raise AmountError(f'"{quoted(value)}" is not a whole multiple of {quantum}')
            return int(fixed.scaleb(places))
    quantum = _checked_quantum(quantum)
    value = _exact(value)
    if isinstance(value, Decimal) and not value.is_finite():
        raise AmountError(f'"{quoted(value)}" is not a whole multiple of {quantum}')
    ratio = Fraction(value) / Fraction(quantum)
    if ratio.denominator != 1:
        raise AmountError(f'"{quoted(value)}" is not a whole multiple of {quantum}')
    return ratio.numerator


_SCALEB_EXACT = 10**27
_SCALEB_CONTEXT = Context(prec=28)
"""Below this many fen a Decimal's ``scaleb`` at precision 28 cannot round (27 digits), so the
common case skips the general path's context juggling."""


def from_minor_units(units: int, quantum: Decimal = CENT) -> Decimal:
    """Amount of ``units`` quanta (fen by default), exact, at the quantum's exponent (123→1.23)."""
    if units.__class__ is int and quantum is CENT and -_SCALEB_EXACT < units < _SCALEB_EXACT:
        return Decimal(units).scaleb(-2, _SCALEB_CONTEXT)  # exact: 27 digits at most
    if isinstance(units, bool) or not isinstance(units, int):
        raise TypeError(f"minor units must be an int, not {type(units).__name__}")
    quantum = _checked_quantum(quantum)
    with localcontext() as context:
        context.prec = len(str(abs(units))) + len(quantum.as_tuple().digits) + 2
        exponent = quantum.as_tuple().exponent
        return _without_negative_zero((units * quantum).quantize(Decimal(1).scaleb(exponent)))


def _exact(value: object) -> Decimal | int:
    """The value if it is a Decimal or an int; TypeError for a float or anything else."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"expected a Decimal, not {type(value).__name__}")
    return value


def _checked_quantum(quantum: Decimal) -> Decimal:
    """The quantum itself if it is a positive finite Decimal; ValueError otherwise."""
    if not isinstance(quantum, Decimal) or not quantum.is_finite() or quantum <= 0:
        raise ValueError(f"the quantum must be a positive Decimal, not {quantum!r}")
    return quantum


def format_amount(value: Decimal | None) -> str:
    """Yuan for display: thousands commas, 2 places half up ("1,234,567.89"); None → "—"."""
    if value is None:
        return DASH
    if type(value) is Decimal and value.as_tuple().exponent == -2 and not value.is_zero():
        return f"{value:,}"  # already whole fen (the usual case): nothing to round
    return f"{round_half_up(value, 2):,.2f}"


def format_ratio(value: Fraction | Decimal | None) -> str:
    """A multiple for display, two places rounded half up ("3.33×"); None → "—"."""
    if value is None:
        return DASH
    return f"{round_half_up(value, 2):,.2f}×"


def format_percent(value: Fraction | Decimal | None) -> str:
    """A fraction as a percentage, two places rounded half up (0.59 → "59.00 %"); None → "—"."""
    if value is None:
        return DASH
    # Rounding to 4 places, then moving the point, is rounding the hundredfold to 2 places.
    return f"{round_half_up(value, 4).scaleb(2):,.2f} %"


WAN = Decimal(10_000)
"""万: ten thousand yuan, the unit of most official fund figures (万元)."""

YI = Decimal(100_000_000)
"""亿: a hundred million yuan (亿元)."""


def format_number(value: Number | None, places: int | None = None) -> str:
    """A quantity with thousands commas ("12,345.6"); all its digits, or ``places`` decimals
    rounded half up when given; None → "—"."""
    if value is None:
        return DASH
    if places is not None:
        return f"{round_half_up(value, places):,.{places}f}"
    if isinstance(value, Fraction):
        return f"{round_half_up(value, 2):,.2f}"
    return f"{_without_negative_zero(Decimal(_exact(value))):,f}"


def compact_yuan(value: Number) -> tuple[Decimal, str]:
    """Yuan in the largest Chinese unit that keeps the figure at or above one, two places half
    up: (1.23, "亿元") for 123,456,789; (4,560.00, "万元") for 45,600,000; (999.50, "元")."""
    for places, unit in ((0, "元"), (4, "万元"), (8, "亿元")):
        scaled = value / 10**places if isinstance(value, Fraction) \
            else Decimal(_exact(value)).scaleb(-places)  # exact: only the exponent moves
        rounded = round_half_up(scaled, 2)
        if abs(rounded) < WAN or places == 8:  # 9,999.995 元 rounds to 10,000.00: 1.00 万元
            return rounded, unit
    raise AssertionError("unreachable")


def format_compact_yuan(value: Number | None) -> str:
    """Yuan as "1.23 亿元" / "4,560.00 万元" / "999.50 元" (see compact_yuan); None → "—"."""
    if value is None:
        return DASH
    number, unit = compact_yuan(value)
    return f"{number:,.2f} {unit}"


def format_wan(value: Number | None) -> str:
    """Yuan shown in 万元 (ten thousands), two places half up: 45,678,901 → "4,567.89";
    None → "—". For tables whose header names the unit."""
    if value is None:
        return DASH
    scaled = value / 10_000 if isinstance(value, Fraction) else Decimal(_exact(value)).scaleb(-4)
    return f"{round_half_up(scaled, 2):,.2f}"
