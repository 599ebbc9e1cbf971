"""Tests of app.domain.xirr: known values, closed forms, undefined cases, several roots."""

import random
from datetime import date, timedelta
from decimal import Decimal, localcontext

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.domain.xirr import xirr

START = date(2021, 1, 1)  # 2021 and 2022 are not leap years: whole years are 365 days


def years(*amounts: str) -> list[tuple[date, Decimal]]:
    """Flows one 365-day year apart starting 2021-01-01."""
    return [(START + timedelta(days=365 * i), Decimal(a)) for i, a in enumerate(amounts)]


def npv(flows: list[tuple[date, Decimal]], rate: Decimal) -> Decimal:
    """Net present value at ``rate``, in a 50-digit context, discounting to the earliest flow."""
    return _present_values(flows, rate)[0]


def _present_values(flows: list[tuple[date, Decimal]], rate: Decimal) -> tuple[Decimal, Decimal]:
    """Net present value and the sum of the flows' absolute present values at ``rate``."""
    first = min(day for day, _ in flows)
    with localcontext() as context:
        context.prec = 50
        values = [
            amount * (1 + rate) ** (Decimal(-(day - first).days) / 365) for day, amount in flows
        ]
        return sum(values), sum(abs(value) for value in values)


def test_excel_documentation_example_gives_37_34_percent():
    flows = [
        (date(2008, 1, 1), Decimal(-10000)),
        (date(2008, 3, 1), Decimal(2750)),
        (date(2008, 10, 30), Decimal(4250)),
        (date(2009, 2, 15), Decimal(3250)),
        (date(2009, 4, 1), Decimal(2750)),
    ]
    rate = xirr(flows)
    assert abs(rate - Decimal("0.373362535")) < Decimal("1e-8")
    assert abs(npv(flows, rate)) < Decimal("1e-8")


def test_one_year_ten_percent_is_exactly_ten_percent():
    assert xirr(years("-100", "110")) == Decimal("0.1")


def test_result_is_a_decimal_with_more_than_ten_decimal_places():
    rate = xirr(years("-3", "4", "0.5"))
    assert isinstance(rate, Decimal)
    assert rate.as_tuple().exponent <= -12
    assert abs(npv(years("-3", "4", "0.5"), rate)) < Decimal("1e-12")


def test_order_of_flows_does_not_matter_and_days_count_from_the_earliest():
    flows = [(date(2024, 3, 1), Decimal(-100)), (date(2025, 3, 1), Decimal(120))]
    assert xirr(list(reversed(flows))) == xirr(flows)
    # 2024-03-01 to 2025-03-01 is 365 days, so the rate is exactly 20 %
    assert xirr(flows) == Decimal("0.2")


def test_leap_year_counts_actual_days_over_365():
    flows = [(date(2024, 1, 1), Decimal(-100)), (date(2025, 1, 1), Decimal(110))]  # 366 days
    expected = Decimal("1.1") ** (Decimal(365) / 366) - 1
    assert abs(xirr(flows) - expected) < Decimal("1e-14")


def test_flows_on_the_same_day_are_netted():
    flows = [
        (START, Decimal(-150)),
        (START, Decimal(50)),
        (START + timedelta(days=365), Decimal(110)),
    ]
    assert xirr(flows) == Decimal("0.1")


@pytest.mark.parametrize(
    "flows",
    [
        [],
        years("-100"),
        years("-100", "-50"),
        years("100", "50", "0"),
        years("0", "0"),
        years("-100", "0", "0"),
        [(START, Decimal(-100)), (START, Decimal(100))],
    ],
    ids=["empty", "single", "all-negative", "all-positive-with-zero", "zeros", "one-non-zero",
         "nets-to-nothing"],
)  # fmt: skip
def test_flows_that_do_not_change_sign_have_no_rate(flows):
    assert xirr(flows) is None


def test_root_above_ten_thousand_percent_is_undefined():
    assert xirr(years("-1", "102")) is None  # +10,100 %


def test_root_just_below_the_upper_bound_is_found():
    assert xirr(years("-1", "100.9")) == Decimal("99.9")


def test_root_below_minus_99_99_percent_is_undefined():
    assert xirr(years("-100000", "9")) is None  # −99.991 %


def test_total_loss_close_to_the_lower_bound_is_found():
    rate = xirr(years("-100000", "11"))
    assert abs(rate - Decimal("-0.99989")) < Decimal("1e-12")


def test_flows_summing_to_zero_give_exactly_zero():
    assert xirr(years("-100", "40", "60")) == Decimal(0)


def test_two_roots_above_zero_takes_the_smaller_ten_percent():
    # −100 v² + 230 v − 132 = 0 at v = 1 + r ∈ {1.1, 1.2}
    assert xirr(years("-100", "230", "-132")) == Decimal("0.1")


def test_roots_either_side_of_zero_takes_minus_ten_percent_the_nearer():
    # roots at r = −10 % and +20 %
    assert xirr(years("-100", "210", "-108")) == Decimal("-0.1")


def test_roots_either_side_of_zero_takes_twenty_percent_the_nearer():
    # roots at r = −30 % and +20 %
    assert xirr(years("-100", "190", "-84")) == Decimal("0.2")


def test_nearer_root_found_second_still_wins():
    # roots at r = −7 % and +8 %: the scan meets +8 % first, then must keep looking below zero
    assert xirr(years("-100", "201", "-100.44")) == Decimal("-0.07")


def test_several_sign_changes_but_no_root_is_undefined():
    # −100 + 150/v − 100/v² < 0 for every v > 0 (discriminant 150² − 4·100·100 < 0)
    assert xirr(years("-100", "150", "-100")) is None


@given(
    invested=st.integers(min_value=1, max_value=10**14),
    returned=st.integers(min_value=1, max_value=10**14),
    days=st.integers(min_value=1, max_value=20 * 365),
    invested_cents=st.booleans(),
)
def test_two_flows_match_the_closed_form_within_1e_minus_9(
    invested, returned, days, invested_cents
):
    a = Decimal(invested).scaleb(-2) if invested_cents else Decimal(invested)
    b = Decimal(returned)
    with localcontext() as context:
        context.prec = 50
        closed_form = (b / a) ** (Decimal(365) / days) - 1
    flows = [(START, -a), (START + timedelta(days=days), b)]
    if closed_form < Decimal("-0.9999") or closed_form > 100:
        assume(abs(closed_form + Decimal("0.9999")) > Decimal("1e-6"))
        assume(abs(closed_form - 100) > Decimal("1e-6"))
        assert xirr(flows) is None
    else:
        assert abs(xirr(flows) - closed_form) < Decimal("1e-9")


@given(
    amounts=st.lists(st.integers(min_value=-(10**9), max_value=10**9), min_size=2, max_size=12),
    gaps=st.lists(st.integers(min_value=0, max_value=800), min_size=12, max_size=12),
)
def test_any_rate_found_makes_the_net_present_value_vanish(amounts, gaps):
    day, flows = START, []
    for amount, gap in zip(amounts, gaps, strict=False):
        day += timedelta(days=gap)
        flows.append((day, Decimal(amount).scaleb(-2)))
    rate = xirr(flows)
    if rate is not None:
        assert Decimal("-0.9999") <= rate <= 100
        net, gross = _present_values(flows, rate)
        # relative to the size of the discounted flows, the net present value is zero to 1e-12
        assert abs(net) <= gross * Decimal("1e-12")


def test_rejects_a_float_amount():
    with pytest.raises(TypeError):
        xirr([(START, -1.0), (START + timedelta(days=365), Decimal(2))])  # type: ignore[list-item]


# --- several roots: every root is found, the one closest to 0 % returned ---------------------
# Annual flows aᵢ give NPV = Σ aᵢ·yⁱ with y = 1/(1 + r): a polynomial with chosen roots yⱼ has
# exactly the rates 1/yⱼ − 1 as roots.


def with_roots(*ys: str) -> list[tuple[date, Decimal]]:
    """Annual flows whose NPV is Π (y − yⱼ), lowest power first (exact decimals)."""
    coefficients = [Decimal(1)]
    for y in map(Decimal, ys):
        shifted = [Decimal(0), *coefficients]
        scaled = [-y * c for c in coefficients] + [Decimal(0)]
        coefficients = [a + b for a, b in zip(shifted, scaled, strict=True)]
    return years(*(str(c) for c in coefficients))


def test_two_close_roots_between_100_and_150_percent_are_both_found_and_the_nearer_taken():
    # y = 0.45 and 0.42: +122.2 % and +138.1 %, both inside one step of the old grid (100–150 %).
    rate = xirr(with_roots("0.45", "0.42"))
    assert abs(rate - (1 / Decimal("0.45") - 1)) < Decimal("1e-15")


def test_a_close_pair_near_minus_45_percent_beats_a_root_at_minus_97_5_percent():
    # y = 1.8, 1.9 and 40: −44.4 %, −47.4 % and −97.5 %; the old scan saw only −97.5 %.
    rate = xirr(with_roots("1.8", "1.9", "40"))
    assert abs(rate - (1 / Decimal("1.8") - 1)) < Decimal("1e-15")


def test_two_roots_a_hundredth_of_a_percent_apart_are_told_apart():
    rate = xirr(with_roots("0.8", "0.79992"))  # +25 % and +25.0125 %
    assert abs(rate - Decimal("0.25")) < Decimal("1e-15")


@pytest.mark.parametrize("seed", range(8))
def test_random_polynomials_with_chosen_roots_give_the_root_closest_to_zero(seed):
    rng = random.Random(seed)
    for _ in range(25):
        ys = [Decimal(rng.randint(1, 400)) / 100 for _ in range(rng.randint(2, 4))]
        if len(set(ys)) < len(ys):
            continue
        flows = with_roots(*map(str, ys))
        rates = [1 / y - 1 for y in ys]
        inside = [r for r in rates if Decimal("-0.9999") <= r <= 100]
        rate = xirr(flows)
        if not inside:
            assert rate is None
            continue
        assert abs(rate - min(inside, key=abs)) < Decimal("1e-12"), (ys, rate)


@pytest.mark.parametrize("seed", range(4))
def test_never_further_from_zero_than_pyxirr_on_series_with_several_sign_changes(seed):
    pyxirr = pytest.importorskip("pyxirr")
    rng = random.Random(seed)
    checked = 0
    for _ in range(60):
        ys = [Decimal(rng.randint(5, 1000)) / 1000 for _ in range(rng.randint(2, 5))]
        flows = with_roots(*map(str, ys))
        try:
            theirs = pyxirr.xirr([d for d, _ in flows], [float(a) for _, a in flows])
        except Exception:  # noqa: S112 - pyxirr gives up on some: nothing to compare
            continue
        if theirs is None or theirs != theirs or not -0.9999 <= theirs <= 100:
            continue
        value, scale = _present_values(flows, Decimal(theirs))
        if abs(value) > scale * Decimal("1e-7"):
            continue  # not a root to double precision
        mine = xirr(flows)
        assert mine is not None, ys
        # pyxirr solves in double precision, to about 1e-5 relative near close roots
        limit = abs(Decimal(theirs)) * (1 + Decimal("1e-4")) + Decimal("1e-6")
        assert abs(mine) <= limit, (ys, mine, theirs)
        value, scale = _present_values(flows, mine)
        assert abs(value) <= scale * Decimal("1e-15")
        checked += 1
    assert checked > 10
