"""XIRR: the annual rate that makes dated cash flows' present value zero, in Decimal arithmetic.

The search runs on the daily discount factor u = (1 + r) ** (-1/365), in which the net present
value Σ aᵢ·u^dᵢ (dᵢ = days from the first flow) is a polynomial with integer exponents: each
evaluation needs only multiplications, no logarithms, which keeps 40 flows under 5 ms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from itertools import pairwise

PRECISION = 40
"""Significant digits of the working context."""

LOWEST_RATE = Decimal("-0.9999")
"""−99.99 %: below this no root is looked for (the grid's first point)."""

HIGHEST_RATE = Decimal("100")
"""+10,000 %: above this no root is looked for (the grid's last point)."""

RESULT_QUANTUM = Decimal("1E-18")
"""The returned rate is rounded half-even to 18 places (the search is accurate to ~1e-19)."""

_U_TOLERANCE = Decimal("1E-24")  # |Δr| ≈ 365·(1+r)^(366/365)·|Δu| ≤ 4e-20 even at +10,000 %
_EPSILON = Decimal("1E-38")
_MAX_ITERATIONS = 300

# Rates whose intervals are scanned for a sign change when a root may not be unique: every 5 %
# near 0, where the answer usually lies, coarser towards the bounds. Each point costs one NPV
# evaluation, so the grid is as coarse as the "closest to 0" promise allows.
_GRID_RATES = (
    LOWEST_RATE,
    *(
        Decimal(text)
        for text in (
            "-0.999", "-0.99", "-0.95", "-0.9", "-0.8", "-0.7", "-0.6", "-0.5", "-0.4", "-0.3",
            "-0.25", "-0.2", "-0.15", "-0.1", "-0.05", "0", "0.05", "0.1", "0.15", "0.2", "0.25",
            "0.3", "0.4", "0.5", "0.6", "0.8", "1", "1.5", "2", "3", "5", "10", "20", "50",
        )
    ),
    HIGHEST_RATE,
)  # fmt: skip


def _discount_factor(rate: Decimal) -> Decimal:
    """Daily discount factor (1 + rate) ** (−1/365) at the working precision."""
    with localcontext() as context:
        context.prec = PRECISION
        return (1 + rate) ** (Decimal(-1) / 365)


_GRID = tuple((rate, _discount_factor(rate)) for rate in _GRID_RATES)


def xirr(flows: Sequence[tuple[date, Decimal]]) -> Decimal | None:
    """Annual rate r (a Decimal fraction, 0.1057… = 10.57 %) with Σ aᵢ·(1+r)^(−daysᵢ/365) = 0.

    Days are actual days from the earliest flow, ÷ 365. Returns None (undefined) when the non-zero
    flows (summed per date) do not change sign or no root lies between −99.99 % and +10,000 %.
    If the flows change sign once there is at most one root (Descartes' rule of signs). If they
    change sign more often there may be several; the one closest to 0 is returned, as the rate a
    reader would expect, found by scanning a grid of rates outwards from 0 (two roots closer
    together than one grid step, or an even number in one step, are not told apart). The result
    is rounded half-even to 18 decimal places; the search tolerance is far below 1e-12.
    """
    offsets, amounts = _netted_by_day(flows)
    if not amounts or all(a > 0 for a in amounts) or all(a < 0 for a in amounts):
        return None
    with localcontext() as context:
        context.prec = PRECISION

        gaps = [later - earlier for earlier, later in pairwise([0, *offsets])]
        steps = list(zip(gaps, amounts, strict=True))
        # Each distinct gap as the powers of two it is made of: u**gap from repeated squares.
        gap_bits = [
            (gap, [k for k in range(gap.bit_length()) if gap >> k & 1]) for gap in set(gaps) if gap
        ]
        squarings = max(gaps).bit_length() - 1

        def npv(u: Decimal) -> Decimal:
            # Multiplications only (Decimal ** is several times slower): the squares u, u², u⁴, …,
            # then each distinct gap's factor once (dated flows are often evenly spaced).
            squares = [u]
            for _ in range(squarings):
                squares.append(squares[-1] * squares[-1])
            factors = {0: Decimal(1)}
            for gap, bits in gap_bits:
                factor = squares[bits[0]]
                for bit in bits[1:]:
                    factor *= squares[bit]
                factors[gap] = factor
            total, power = Decimal(0), Decimal(1)
            for gap, amount in steps:
                power *= factors[gap]
                total += amount * power
            return total

        unique = _sign_changes(amounts) == 1
        root = _unique_root(npv) if unique else _root_closest_to_zero(npv)
        if root is None:
            return None
        rate = (root**-365 - 1).quantize(RESULT_QUANTUM, rounding=ROUND_HALF_EVEN)
    return rate.copy_abs() if rate.is_zero() else rate


def _netted_by_day(flows: Sequence[tuple[date, Decimal]]) -> tuple[list[int], list[Decimal]]:
    """Days from the earliest flow and the net amount of each day, zero days dropped, in order."""
    if not flows:
        return [], []
    first = min(day for day, _ in flows)
    by_day: dict[int, Decimal] = {}
    for day, amount in flows:
        if not isinstance(amount, (Decimal, int)) or isinstance(amount, bool):
            raise TypeError(f"a flow amount must be a Decimal, not {type(amount).__name__}")
        offset = (day - first).days
        by_day[offset] = by_day.get(offset, Decimal(0)) + amount
    kept = sorted((offset, amount) for offset, amount in by_day.items() if amount)
    return [offset for offset, _ in kept], [Decimal(amount) for _, amount in kept]


def _sign_changes(amounts: list[Decimal]) -> int:
    """How many times consecutive non-zero amounts change sign."""
    return sum(1 for a, b in pairwise(amounts) if (a > 0) != (b > 0))


def _unique_root(npv: Callable[[Decimal], Decimal]) -> Decimal | None:
    """The only root's discount factor, bracketed by 0 % and one of the bounds, or None."""
    at_zero = npv(Decimal(1))
    if at_zero == 0:
        return Decimal(1)
    u_high_rate, u_low_rate = _GRID[-1][1], _GRID[0][1]
    for far in (u_high_rate, u_low_rate):
        at_far = npv(far)
        if at_far == 0:
            return far
        if (at_far > 0) != (at_zero > 0):
            return _brent(npv, Decimal(1), far, at_zero, at_far)
    return None


def _root_closest_to_zero(npv: Callable[[Decimal], Decimal]) -> Decimal | None:
    """Scan the grid outwards from 0 % on both sides; the root nearest 0 % (in |rate|) or None."""
    zero_index = next(i for i, (rate, _) in enumerate(_GRID) if rate == 0)
    values: dict[int, Decimal] = {}

    def value(index: int) -> Decimal:
        if index not in values:
            values[index] = npv(_GRID[index][1])
        return values[index]

    if value(zero_index) == 0:
        return Decimal(1)
    # Intervals [near, far] ordered by |rate| of their near end, alternating sides.
    steps = [(zero_index + k, zero_index + k + 1) for k in range(len(_GRID) - zero_index - 1)]
    steps += [(zero_index - k, zero_index - k - 1) for k in range(zero_index)]
    steps.sort(key=lambda step: abs(_GRID[step[0]][0]))
    best: tuple[Decimal, Decimal] | None = None  # (|rate|, discount factor)
    for near, far in steps:
        if best is not None and abs(_GRID[near][0]) >= best[0]:
            break
        if value(far) == 0:
            root = _GRID[far][1]
        elif (value(far) > 0) != (value(near) > 0):
            root = _brent(npv, _GRID[near][1], _GRID[far][1], value(near), value(far))
        else:
            continue
        distance = abs(root**-365 - 1)
        if best is None or distance < best[0]:
            best = (distance, root)
    return None if best is None else best[1]


def _brent(
    f: Callable[[Decimal], Decimal], a: Decimal, b: Decimal, fa: Decimal, fb: Decimal
) -> Decimal:
    """Brent–Dekker root of f between a and b (f(a), f(b) of opposite signs), to _U_TOLERANCE."""
    c, fc = b, fb
    d = e = b - a
    for _ in range(_MAX_ITERATIONS):
        if (fb > 0) == (fc > 0):
            c, fc = a, fa
            d = e = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tolerance = 2 * _EPSILON * abs(b) + _U_TOLERANCE / 2
        half_width = (c - b) / 2
        if abs(half_width) <= tolerance or fb == 0:
            return b
        if abs(e) >= tolerance and abs(fa) > abs(fb):
            s = fb / fa
            if a == c:  # secant
                p, q = 2 * half_width * s, 1 - s
            else:  # inverse quadratic interpolation
                q, r = fa / fc, fb / fc
                p = s * (2 * half_width * q * (q - r) - (b - a) * (r - 1))
                q = (q - 1) * (r - 1) * (s - 1)
            if p > 0:
                q = -q
            p = abs(p)
            if 2 * p < min(3 * half_width * q - abs(tolerance * q), abs(e * q)):
                e, d = d, p / q
            else:
                d = e = half_width
        else:
            d = e = half_width
        a, fa = b, fb
        b += d if abs(d) > tolerance else (tolerance if half_width > 0 else -tolerance)
        fb = f(b)
    return b
