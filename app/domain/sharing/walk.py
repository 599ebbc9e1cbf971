"""The quarter-by-quarter walks of the split engine, in integers (see engine.py for the units)."""

from __future__ import annotations

from math import gcd, lcm

from app.domain.sharing.plan import Plan
from app.domain.sharing.rules import YEAR

# Each walk returns one tuple per quarter, in the layout documented in result.py.


def walk_dual_count(plan: Plan, values: dict[int, int], first: int, last: int) -> list[tuple]:
    """Step 1: every party is credited the whole value each quarter (not additive)."""
    n = len(plan.parties.order)
    none = len(plan.tiers) - 1
    rows, total = [], 0
    for qi in range(first, last + 1):
        v = values.get(qi)
        total += v or 0
        rows.append((qi, v or 0, v is None, none, [total] * n, [total] * n, 1, total, None))
    return rows


def walk_many(
    plan: Plan, values: dict[int, int], first: int, last: int, cap_units: dict[int, int]
) -> list[tuple]:
    """Steps 2–8 for any number of parties; ``values`` and ``cap_units`` in whole quanta."""
    # Hot loop: locals only, lists not objects, one tuple per quarter.
    n = len(plan.parties.order)
    parties = range(n)
    d = plan.d0
    coefs = plan.coef0
    tier_of = plan.tier_indices(first, last)
    baseline, owner = plan.baseline, plan.owner
    capped = [(p, cap_units[p] * d, plan.caps[p].scope == YEAR) for p in sorted(cap_units)]
    has_year_cap = any(is_year for _, _, is_year in capped)
    exact = [0] * n
    scoped = [0] * n
    total = 0
    rows = []
    for k, qi in enumerate(range(first, last + 1)):
        v = values.get(qi)
        missing = v is None
        if missing:
            v = 0
        ti = tier_of[k]
        coef = coefs[ti]
        if baseline is None:
            e = [v * c for c in coef]
        else:
            base = v if v < baseline else baseline  # a negative value is all base
            inc = v - base
            e = [inc * c for c in coef]
            e[owner] += base * d
        if capped:
            if has_year_cap and qi % 4 == 0:  # Q1: yearly caps start again
                for p, _, is_year in capped:
                    if is_year:
                        scoped[p] = 0
            rooms = []
            over = False
            for p, cap, _ in capped:
                room = cap - scoped[p]
                if room < 0:
                    room = 0
                rooms.append((p, room))
                if e[p] > room:
                    over = True
            if over:
                m = apply_caps(e, rooms, plan.tiers[ti].weights, plan.default)
                if m != 1:
                    # The finer denominator rescales the whole state; no value changes.
                    d *= m
                    exact = [x * m for x in exact]
                    scoped = [x * m for x in scoped]
                    coefs = [[c * m for c in row] for row in coefs]
                    capped = [(p, cap * m, is_year) for p, cap, is_year in capped]
            for p, _, _ in capped:
                scoped[p] += e[p]
        exact = [x + y for x, y in zip(exact, e, strict=True)]
        total += v
        # Round the cumulative, not the quarter (step 7).
        rounded = [x // d for x in exact]
        left = total - sum(rounded)
        if left:
            rem = [x - r * d for x, r in zip(exact, rounded, strict=True)]
            if left == 1:
                rounded[max(parties, key=rem.__getitem__)] += 1  # max keeps the first of ties
            else:
                for p in sorted(parties, key=lambda i: -rem[i])[:left]:
                    rounded[p] += 1
        rows.append(
            (qi, v, missing, ti, rounded, exact, d, total, list(scoped) if capped else None)
        )
    return rows


def walk_two(
    plan: Plan, values: dict[int, int], first: int, last: int, cap_units: dict[int, int]
) -> list[tuple]:
    """:func:`walk_many` unrolled for exactly two parties (same results, about twice as fast)."""
    # Two parties is the common agreement, so scalars replace lists here. The property tests
    # hold both walks to the same Fraction reference.
    d = plan.d0
    coefs = plan.coef0
    tier_of = plan.tier_indices(first, last)
    baseline, owner = plan.baseline, plan.owner
    default, plans = plan.default, plan.tiers
    cap0, cap1 = cap_units.get(0), cap_units.get(1)
    has_caps = bool(cap_units)
    if cap0 is not None:
        cap0 *= d
    if cap1 is not None:
        cap1 *= d
    year0 = cap0 is not None and plan.caps[0].scope == YEAR
    year1 = cap1 is not None and plan.caps[1].scope == YEAR
    get = values.get
    e_0 = e_1 = s_0 = s_1 = total = 0
    rows = []
    append = rows.append
    for k in range(last - first + 1):
        qi = first + k
        v = get(qi)
        missing = v is None
        if missing:
            v = 0
        ti = tier_of[k]
        w0, w1 = coefs[ti]
        if baseline is None:
            x0 = v * w0
            x1 = v * w1
        else:
            base = v if v < baseline else baseline
            inc = v - base
            x0 = inc * w0
            x1 = inc * w1
            if owner:
                x1 += base * d
            else:
                x0 += base * d
        if has_caps:
            if qi % 4 == 0:
                if year0:
                    s_0 = 0
                if year1:
                    s_1 = 0
            rooms = []
            over = False
            if cap0 is not None:
                room = cap0 - s_0 if cap0 > s_0 else 0
                rooms.append((0, room))
                over = x0 > room
            if cap1 is not None:
                room = cap1 - s_1 if cap1 > s_1 else 0
                rooms.append((1, room))
                over = over or x1 > room
            if over:
                e = [x0, x1]
                m = apply_caps(e, rooms, plans[ti].weights, default)
                x0, x1 = e
                if m != 1:
                    d *= m
                    e_0 *= m
                    e_1 *= m
                    s_0 *= m
                    s_1 *= m
                    cap0 = None if cap0 is None else cap0 * m
                    cap1 = None if cap1 is None else cap1 * m
                    coefs = [[c * m for c in row] for row in coefs]
            if cap0 is not None:
                s_0 += x0
            if cap1 is not None:
                s_1 += x1
        e_0 += x0
        e_1 += x1
        total += v
        r0 = e_0 // d
        r1 = e_1 // d
        if total - r0 - r1:  # one unit left: the larger remainder, ties to party 0
            if e_1 - r1 * d > e_0 - r0 * d:
                r1 += 1
            else:
                r0 += 1
        scoped = [s_0, s_1] if has_caps else None
        append((qi, v, missing, ti, [r0, r1], [e_0, e_1], d, total, scoped))
    return rows


def apply_caps(
    e: list[int], rooms: list[tuple[int, int]], weights: tuple[int, ...], default: int
) -> int:
    """Step 5 on the quarter's exact shares ``e``, in place; returns the factor ``D`` must grow by.

    Iterating "cap whoever exceeds, share the excess by weight among the rest" leaves every party
    still receiving at ``e0[p] + w[p] × X / W``, where ``X`` is the total excess of the capped
    parties and ``W`` the weight of those still receiving. So each round compares exactly with
    integers, and the shares are computed once at the end with a single division.
    """
    capped: dict[int, int] = {}
    excess = 0
    receiving = sum(weights)
    while receiving:
        new = [
            (p, room)
            for p, room in rooms
            if p not in capped and e[p] * receiving + weights[p] * excess > room * receiving
        ]
        if not new:
            break
        for p, room in new:
            capped[p] = room
            excess += e[p] - room
            receiving -= weights[p]
    factor = 1
    if receiving:
        # The smallest factor that makes every receiver's excess × w / W a whole count.
        for p, w in enumerate(weights):
            if w and p not in capped:
                factor = lcm(factor, receiving // gcd(excess * w, receiving))
    if factor != 1:
        excess *= factor
        for p in range(len(e)):
            e[p] *= factor
        for p in capped:
            capped[p] *= factor
    for p, room in capped.items():
        e[p] = room
    if receiving:
        for p, w in enumerate(weights):
            if w and p not in capped:
                e[p] += excess * w // receiving
    else:
        # Nobody with a positive weight is left: the default party takes it, beyond its own cap.
        e[default] += excess
    return factor
