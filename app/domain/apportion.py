"""Largest-remainder apportioning of whole quanta; re-apportioning for display in another unit."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import lcm
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

Number = Decimal | Fraction | int


def apportion(total_units: int, exact: Sequence[tuple[K, Fraction | int]]) -> dict[K, int]:
    """Split ``total_units`` whole quanta among keys by the largest-remainder method.

    ``exact`` lists each key's exact share, in units of the quantum, **in priority order**.
    Every share is floored (toward −∞); the units left over go one each to the largest
    fractional remainders, ties to the key listed earlier. The left-over count must be between
    0 and the number of keys (it is whenever the exact shares add up to ``total_units``, or to
    a value that rounds to it), else ``ValueError``. The result adds up to ``total_units``.
    """
    keys = [key for key, _ in exact]
    if len(set(keys)) != len(keys):
        raise ValueError("apportion: a key is listed twice")
    shares = [Fraction(share) for _, share in exact]
    denominator = lcm(1, *(share.denominator for share in shares))
    numerators = [share.numerator * (denominator // share.denominator) for share in shares]
    return dict(zip(keys, apportion_over(total_units, numerators, denominator), strict=True))


def apportion_over(total_units: int, numerators: Sequence[int], denominator: int) -> list[int]:
    """:func:`apportion` for shares given as integers over one common positive denominator.

    Share ``i`` is ``numerators[i] / denominator`` quanta; the list is in priority order. Returns
    whole quanta per share (floor toward −∞, then one extra unit each to the largest remainders,
    ties to the earlier share). This is the integer form the split engine runs on.
    """
    if denominator <= 0:
        raise ValueError("apportion: the denominator must be positive")
    floors = [numerator // denominator for numerator in numerators]
    left = total_units - sum(floors)
    if left < 0 or left > len(floors):
        raise ValueError(
            f"apportion: {total_units} units cannot be apportioned over shares adding up to "
            f"{Fraction(sum(numerators), denominator)}"
        )
    if left:
        remainders = [n - f * denominator for n, f in zip(numerators, floors, strict=True)]
        # sorted() is stable, so among equal remainders the earlier (higher-priority) share wins.
        ranked = sorted(range(len(floors)), key=lambda i: -remainders[i])
        for i in ranked[:left]:
            floors[i] += 1
    return floors


def to_units(amount: Decimal | int, quantum: Decimal) -> int:
    """``amount`` as a whole number of quanta; ``ValueError`` if it is not a whole multiple."""
    if isinstance(amount, float) or not isinstance(amount, (Decimal, int)):
        raise ValueError(f"{amount!r} is not a decimal")
    if isinstance(amount, Decimal) and not amount.is_finite():
        raise ValueError(f"{amount} is not a finite decimal")
    num, den = amount.as_integer_ratio()
    q_num, q_den = quantum.as_integer_ratio()
    units, rest = divmod(num * q_den, den * q_num)
    if rest:
        raise ValueError(f"{amount} is not a whole multiple of the quantum {quantum}")
    return units


def from_units(units: int, quantum: Decimal) -> Decimal:
    """Whole quanta as an exact ``Decimal`` with the quantum's exponent (no rounding)."""
    return units_to_decimal(quantum)(units)


def units_to_decimal(quantum: Decimal) -> Callable[[int], Decimal]:
    """A fast :func:`from_units` for one quantum, for converting many amounts."""
    _, digits, exponent = quantum.as_tuple()
    coefficient = int("".join(map(str, digits)))
    # Built from text so that no decimal context can round a long amount.
    if coefficient == 1:
        return lambda units: Decimal(f"{units}E{exponent}")
    return lambda units: Decimal(f"{units * coefficient}E{exponent}")


def places(quantum: Decimal) -> int:
    """How many decimal places a quantum has (``0.01`` → 2, ``1`` → 0)."""
    return max(0, -quantum.as_tuple().exponent)


@dataclass(frozen=True)
class DisplaySplit(Generic[K]):
    """A total and its parts in a display unit; the parts add up to the total exactly."""

    total: Decimal
    parts: dict[K, Decimal]


def reapportion_for_display(
    parts: Mapping[K, Decimal],
    per_display_unit: Number,
    display_quantum: Decimal,
    rounding: str = ROUND_HALF_UP,
) -> DisplaySplit[K]:
    """Show stored-unit ``parts`` in a display unit so that the printed parts foot to the total.

    ``per_display_unit`` is how many stored units make one display unit (10000 for 元 → 万元,
    15 for 亩 → hectares). The total Σ parts / per_display_unit is rounded to
    ``display_quantum`` (``ROUND_HALF_UP``, i.e. 四舍五入, halves away from zero; or
    ``ROUND_HALF_EVEN``); the parts are then re-apportioned to that total by
    :func:`apportion` (largest remainder, ties to the key listed first). The parts are never
    converted one by one.
    """
    factor = Fraction(per_display_unit)
    quantum = Fraction(display_quantum)
    if factor <= 0 or quantum <= 0:
        raise ValueError("per_display_unit and display_quantum must be positive")
    exact = [(key, Fraction(value) / factor / quantum) for key, value in parts.items()]
    total_units = _round_fraction(sum((share for _, share in exact), Fraction(0)), rounding)
    units = apportion(total_units, exact)
    return DisplaySplit(
        total=from_units(total_units, display_quantum),
        parts={key: from_units(units[key], display_quantum) for key in parts},
    )


def _round_fraction(value: Fraction, rounding: str) -> int:
    """A fraction rounded to a whole number, half away from zero or half to even."""
    if rounding == ROUND_HALF_EVEN:
        return round(value)
    if rounding == ROUND_HALF_UP:
        magnitude = (abs(value) + Fraction(1, 2)).__floor__()
        return magnitude if value >= 0 else -magnitude
    raise ValueError(f"unsupported rounding {rounding}")
