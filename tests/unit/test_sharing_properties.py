"""Property tests of the split engine: sharing.md's invariants and a plain-Fraction reference."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal, localcontext
from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.domain.quarter import Quarter
from app.domain.sharing import Cap, Parties, Rule, Tier, split
from app.domain.sharing.explain import explain
from tests.unit.sharing_reference import reference_split

QUANTA = [Decimal("0.01"), Decimal("1"), Decimal("0.05")]
NAMES = ["D", "S", "O1", "O2"]
FIRST = Quarter(2024, 1)
SPAN = 16  # quarters 2024Q1 … 2027Q4


@st.composite
def scenarios(draw, min_parties=2, max_parties=4):
    """A random rule (tiers with gaps, baseline, caps of both scopes) and observations."""
    n = draw(st.integers(min_parties, max_parties))
    names = draw(st.permutations(NAMES))[:n]
    parties = Parties(tuple(names), draw(st.sampled_from(names)))
    quantum = draw(st.sampled_from(QUANTA))
    cuts = sorted(draw(st.sets(st.integers(0, SPAN), min_size=1, max_size=6)))
    tiers = []
    for lo, hi in zip(cuts, [*cuts[1:], None], strict=True):
        if draw(st.integers(0, 3)):  # most quarters covered, some gaps
            weights = {
                p: Decimal(draw(st.sampled_from(["0", "1", "2", "3", "0.5", "1.25", "7"])))
                for p in names
                if draw(st.integers(0, 3))
            }
            if sum(weights.values(), Decimal(0)) == 0:
                weights[names[0]] = Decimal(1)
            last = (
                None if hi is None or (draw(st.booleans()) and hi == cuts[-1]) else FIRST + (hi - 1)
            )
            tiers.append(Tier(FIRST + lo, last, weights))
            if last is None:
                break
    units = st.one_of(st.integers(-3000, 8000), st.integers(500, 8000))
    baseline = owner = None
    if draw(st.booleans()):
        baseline = draw(st.integers(0, 3000)) * quantum
        owner = draw(st.sampled_from(names))
    amounts = st.one_of(st.integers(0, 2000), st.integers(0, 20000))
    scopes = st.sampled_from(["AGREEMENT", "YEAR"])
    caps = tuple(
        Cap(p, draw(amounts) * quantum, draw(scopes)) for p in names if draw(st.booleans())
    )
    rule = Rule(
        draw(st.sampled_from(["SPLIT"] * 9 + ["DUAL_COUNT"])),
        tuple(tiers),
        baseline,
        owner,
        caps,
        quantum,
    )
    quarters = draw(st.sets(st.integers(0, SPAN - 1), min_size=1, max_size=SPAN))
    observations = {FIRST + i: draw(units) * quantum for i in sorted(quarters)}
    overrides = {c.party: draw(amounts) * quantum for c in caps if draw(st.booleans())}
    return rule, parties, observations, overrides


def rows_of(result):
    """The engine's result in the reference's shape, exact values as Fractions."""
    out = []
    for row in result:
        out.append(
            dict(
                quarter=row.quarter,
                missing=row.is_missing,
                allocation={p: Fraction(a) for p, a in row.allocation.items()},
                rounded={p: Fraction(r) for p, r in row.rounded.items()},
                exact=row.exact,
                total=Fraction(row.total),
                caps={p: state.used for p, state in row.caps.items()},
            )
        )
    return out


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios(), st.integers(0, 4))
def test_engine_equals_the_plain_fraction_reference(scenario, extra_quarters):
    rule, parties, observations, overrides = scenario
    through = max(observations) + extra_quarters
    expected = reference_split(rule, parties, observations, overrides, through)
    assert (
        rows_of(split(rule, parties, observations, cap_overrides=overrides, through=through))
        == expected
    )


@SETTINGS
@given(scenarios(min_parties=3))
def test_engine_equals_the_reference_when_cap_excess_is_shared_among_several(scenario):
    rule, parties, observations, overrides = scenario
    expected = reference_split(rule, parties, observations, overrides)
    assert rows_of(split(rule, parties, observations, cap_overrides=overrides)) == expected


@SETTINGS
@given(scenarios())
def test_split_allocations_add_up_to_the_value_in_every_quarter(scenario):
    rule, parties, observations, overrides = scenario
    assume(rule.mode == "SPLIT")
    for row in split(rule, parties, observations, cap_overrides=overrides):
        assert sum(row.allocation.values()) == row.value


@SETTINGS
@given(scenarios(), st.data())
def test_allocations_over_any_run_equal_the_change_in_the_rounded_cumulative(scenario, data):
    rule, parties, observations, overrides = scenario
    rows = list(split(rule, parties, observations, cap_overrides=overrides))
    i = data.draw(st.integers(0, len(rows) - 1))
    j = data.draw(st.integers(i, len(rows) - 1))
    for p in parties.order:
        before = rows[i - 1].rounded[p] if i else 0
        assert sum(row.allocation[p] for row in rows[i : j + 1]) == rows[j].rounded[p] - before


@SETTINGS
@given(scenarios())
def test_no_partys_exact_cumulative_exceeds_its_cap_except_the_default_party(scenario):
    rule, parties, observations, overrides = scenario
    assume(rule.mode == "SPLIT" and rule.caps)
    result = split(rule, parties, observations, cap_overrides=overrides)
    for row in result:
        for party, state in row.caps.items():
            if party != parties.default_party:
                assert state.used <= state.cap
                if state.scope == "AGREEMENT":  # caps are whole quanta, so R ≤ ceil(E) ≤ cap
                    assert row.rounded[party] <= state.cap


@SETTINGS
@given(scenarios())
def test_the_default_party_exceeds_its_cap_only_when_nobody_else_can_take_the_excess(scenario):
    rule, parties, observations, overrides = scenario
    assume(rule.mode == "SPLIT" and any(c.party == parties.default_party for c in rule.caps))
    rows = list(split(rule, parties, observations, cap_overrides=overrides))
    for before, row in zip([None, *rows], rows, strict=False):
        state = row.caps[parties.default_party]
        used_before = 0 if before is None else before.caps[parties.default_party].used
        if state.scope == "YEAR" and row.quarter.number == 1:
            used_before = 0
        if state.used > state.cap and used_before <= state.cap:
            # Crossing the cap: every other party with a positive weight is at its own cap.
            tier = row.tier
            weights = tier.weights if tier else {parties.default_party: 1}
            for p in parties.order:
                if p != parties.default_party and weights.get(p, 0) > 0:
                    assert p in row.caps and row.caps[p].room == 0


@SETTINGS
@given(scenarios())
def test_rounded_cumulative_stays_within_one_quantum_of_exact(scenario):
    rule, parties, observations, overrides = scenario
    for row in split(rule, parties, observations, cap_overrides=overrides):
        for p in parties.order:
            assert abs(Fraction(row.rounded[p]) - row.exact[p]) < Fraction(rule.quantum)


@SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_result_depends_on_priority_not_on_the_order_anything_is_listed_in(scenario, rnd):
    rule, parties, observations, overrides = scenario
    expected = rows_of(split(rule, parties, observations, cap_overrides=overrides))
    priorities = {p: i for i, p in enumerate(parties.order)}
    listed = list(priorities.items())
    rnd.shuffle(listed)
    reordered = Parties.by_priority(dict(listed), parties.default_party)
    tiers = [replace(t, weights=dict(_shuffled(t.weights.items(), rnd))) for t in rule.tiers]
    rnd.shuffle(tiers)
    caps = list(rule.caps)
    rnd.shuffle(caps)
    shuffled = replace(rule, tiers=tuple(tiers), caps=tuple(caps))
    observed = dict(_shuffled(observations.items(), rnd))
    got = split(
        shuffled, reordered, observed, cap_overrides=dict(_shuffled(overrides.items(), rnd))
    )
    assert rows_of(got) == expected


@SETTINGS
@given(scenarios(), st.sampled_from(["3", "0.1", "1000", "7.25", "0.0003"]))
def test_multiplying_every_weight_by_a_positive_number_changes_nothing(scenario, factor):
    rule, parties, observations, overrides = scenario
    with localcontext() as ctx:
        ctx.prec = 100  # exact products
        tiers = tuple(
            replace(t, weights={p: w * Decimal(factor) for p, w in t.weights.items()})
            for t in rule.tiers
        )
    scaled = replace(rule, tiers=tiers)
    assert rows_of(split(scaled, parties, observations, cap_overrides=overrides)) == rows_of(
        split(rule, parties, observations, cap_overrides=overrides)
    )


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.data())
def test_explain_tells_the_same_numbers_as_the_engine(scenario, data):
    rule, parties, observations, overrides = scenario
    rows = list(split(rule, parties, observations, cap_overrides=overrides))
    row = data.draw(st.sampled_from(rows))
    party = data.draw(st.sampled_from(parties.order))
    why = explain(rule, parties, observations, row.quarter, party, cap_overrides=overrides)
    assert why.allocation == row.allocation[party]
    assert why.exact_after == row.exact[party]
    assert why.rounded_after == why.rounded_before + why.allocation
    assert why.rounding.floor + why.rounding.gets_extra_unit == Fraction(
        row.rounded[party]
    ) / Fraction(rule.quantum)


def test_excess_shared_by_weights_3_to_4_needs_a_finer_denominator_and_stays_exact():
    # A is capped at 1.00; its excess 4.00 goes to B and C as 3:4, i.e. 12/7 and 16/7.
    parties = Parties(("A", "B", "C"), "A")
    rule = Rule(
        "SPLIT",
        (Tier(FIRST, None, {"A": Decimal(5), "B": Decimal(3), "C": Decimal(4)}),),
        caps=(Cap("A", Decimal("1.00")),),
    )
    observations = {
        FIRST: Decimal("12.00"),
        FIRST + 1: Decimal("12.01"),
        FIRST + 2: Decimal("-3.00"),
    }
    got = rows_of(split(rule, parties, observations))
    assert got == reference_split(rule, parties, observations)
    assert got[0]["exact"] == {
        "A": 1,
        "B": Fraction(3) + Fraction(12, 7),
        "C": Fraction(4) + Fraction(16, 7),
    }


def test_a_refund_restores_room_under_a_cap():
    parties = Parties(("D", "S"), "D")
    rule = Rule(
        "SPLIT",
        (Tier(FIRST, None, {"D": Decimal(1), "S": Decimal(1)}),),
        caps=(Cap("S", Decimal("100.00")),),
    )
    observations = {
        FIRST: Decimal("300.00"),
        FIRST + 1: Decimal("-50.00"),
        FIRST + 2: Decimal("100.00"),
    }
    rows = list(split(rule, parties, observations))
    assert [r.allocation["S"] for r in rows] == [
        Decimal("100.00"),
        Decimal("-25.00"),
        Decimal("25.00"),
    ]


def test_a_yearly_cap_starts_again_in_january():
    parties = Parties(("D", "S"), "D")
    rule = Rule(
        "SPLIT", (Tier(FIRST, None, {"S": Decimal(1)}),), caps=(Cap("S", Decimal("10.00"), "YEAR"),)
    )
    observations = {Quarter(2024, 4): Decimal("15.00"), Quarter(2025, 1): Decimal("15.00")}
    rows = list(split(rule, parties, observations))
    assert [r.allocation["S"] for r in rows] == [Decimal("10.00"), Decimal("10.00")]
    assert [r.caps["S"].room for r in rows] == [0, 0]


def test_a_cap_override_replaces_the_rule_amount_for_one_project():
    parties = Parties(("D", "S"), "D")
    rule = Rule(
        "SPLIT", (Tier(FIRST, None, {"S": Decimal(1)}),), caps=(Cap("S", Decimal("10.00")),)
    )
    result = split(rule, parties, {FIRST: Decimal("50.00")}, cap_overrides={"S": Decimal("30.00")})
    assert result[0].allocation == {"D": Decimal("20.00"), "S": Decimal("30.00")}


def test_a_long_random_series_matches_the_reference_for_three_and_two_parties():
    rnd = random.Random(2024)
    for names in (("D", "S", "O1"), ("D", "S")):
        parties = Parties(names, "D")
        tiers = (
            Tier(FIRST, FIRST + 19, {n: Decimal(rnd.randint(1, 9)) for n in names}),
            Tier(FIRST + 24, None, {n: Decimal(rnd.randint(0, 3)) + 1 for n in names}),
        )
        caps = (Cap("S", Decimal("20000.00")), Cap("D", Decimal("9000.00"), "YEAR"))
        if "O1" in names:
            caps += (Cap("O1", Decimal("15000.00"), "YEAR"),)
        rule = Rule("SPLIT", tiers, Decimal("500.00"), "S", caps)
        observations = {
            FIRST + i: Decimal(rnd.randint(-50000, 500000)).scaleb(-2) for i in range(60)
        }
        assert rows_of(split(rule, parties, observations)) == reference_split(
            rule, parties, observations
        )


def _shuffled(items, rnd):
    items = list(items)
    rnd.shuffle(items)
    return items


def test_a_project_without_observations_gets_missing_zero_rows_up_to_the_statement_quarter():
    parties = Parties(("D", "S"), "D")
    rule = Rule("SPLIT", (Tier(FIRST, None, {"D": Decimal(1), "S": Decimal(1)}),))
    result = split(rule, parties, {}, start=FIRST, through=FIRST + 2)
    assert result.missing == [FIRST, FIRST + 1, FIRST + 2]
    assert result[-1].allocation == {"D": 0, "S": 0}
    assert len(split(rule, parties, {})) == 0


def test_observations_after_the_through_quarter_are_ignored():
    parties = Parties(("D", "S"), "D")
    rule = Rule("SPLIT", (Tier(FIRST, None, {"D": Decimal(1), "S": Decimal(1)}),))
    observations = {FIRST: Decimal("1.01"), FIRST + 1: Decimal("9.99")}
    result = split(rule, parties, observations, through=FIRST)
    assert result.quarters == [FIRST]
    assert result[0].total == Decimal("1.01")


@SETTINGS
@given(scenarios())
def test_cap_used_is_the_rounded_allocation_under_the_cap_and_used_plus_left_is_the_cap(scenario):
    # What a statement prints: used + left foot to the cap on every line; used is "since
    # inception" (AGREEMENT) or "year to date" (YEAR), except the one quantum of rounding a
    # yearly cap can carry over from last year, which never shows above the cap.
    rule, parties, observations, overrides = scenario
    assume(rule.mode == "SPLIT" and rule.caps)
    rows = list(split(rule, parties, observations, cap_overrides=overrides))
    for k, row in enumerate(rows):
        for party, state in row.caps.items():
            assert state.allocated + state.left == state.cap
            if state.used <= state.cap:
                assert state.allocated <= state.cap and state.left >= 0
            if state.scope == "AGREEMENT":
                assert state.allocated == row.rounded[party]
                continue
            year_start = k - (row.quarter.number - 1)
            before = rows[year_start - 1].rounded[party] if year_start > 0 else 0
            year_to_date = row.rounded[party] - before
            if year_to_date != state.allocated:
                assert state.allocated == state.cap < year_to_date
                assert year_to_date - state.cap == rule.quantum and state.used <= state.cap


def test_a_yearly_cap_never_shows_the_rounding_carried_from_last_year_as_used_over_the_cap():
    # D 1 / S 7 / O 1, S capped at 2.16 a year. 2020 ends with S's exact 1.1044… rounded to 1.10;
    # in 2021Q1 S's exact share stops at the cap (2.16) but R reaches 3.27: 2.17 over the year.
    parties = Parties(("D", "S", "O"), "D")
    weights = {"D": Decimal(1), "S": Decimal(7), "O": Decimal(1)}
    rule = Rule("SPLIT", (Tier(Quarter(2020, 1), None, weights),),
                caps=(Cap("S", Decimal("2.16"), "YEAR"),))
    values = ["0.10", "0.90", "0.15", "0.27", "3.19"]
    observations = {Quarter(2020, 1) + k: Decimal(v) for k, v in enumerate(values)}
    rows = list(split(rule, parties, observations))
    assert rows[4].rounded["S"] - rows[3].rounded["S"] == Decimal("2.17")
    state = rows[4].caps["S"]
    assert state.used == Fraction("2.16")
    assert (state.allocated, state.left) == (Decimal("2.16"), Decimal("0.00"))
