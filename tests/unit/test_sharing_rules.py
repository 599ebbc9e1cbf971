"""Rule validation: every bad input raises RuleError naming its field."""

import json
from decimal import Decimal

import pytest

from app.domain.quarter import Quarter
from app.domain.sharing import Cap, Parties, Rule, RuleError, Tier, split, validate_rule
from app.domain.sharing.simulate import simulate, simulate_json

Q = Quarter.parse
D = Decimal
PARTIES = Parties(("D", "S"), "D")


def tier(first="2026Q1", last=None, **weights):
    return Tier(Q(first), None if last is None else Q(last), {p: D(w) for p, w in weights.items()})


def rule(**changes):
    values = {"mode": "SPLIT", "tiers": (tier(D="1", S="1"),)}
    values.update(changes)
    return Rule(**values)


def field_of(bad_rule, parties=PARTIES):
    with pytest.raises(RuleError) as caught:
        validate_rule(bad_rule, parties)
    return caught.value.field


def test_a_valid_rule_passes_validation():
    validate_rule(
        rule(caps=(Cap("S", D("10.00"), "YEAR"),), baseline=D("5.00"), baseline_owner="D"), PARTIES
    )


def test_overlapping_tiers_are_rejected_naming_the_later_tier():
    tiers = (tier("2027Q1", "2028Q4", D="1"), tier("2026Q1", "2027Q1", S="1"))
    assert field_of(rule(tiers=tiers)) == "tiers[0].first"


def test_an_open_ended_tier_followed_by_another_overlaps():
    tiers = (tier("2026Q1", None, D="1"), tier("2030Q1", None, S="1"))
    assert field_of(rule(tiers=tiers)) == "tiers[1].first"


def test_adjacent_tiers_do_not_overlap():
    validate_rule(
        rule(tiers=(tier("2026Q1", "2026Q4", D="1"), tier("2027Q1", None, S="1"))), PARTIES
    )


def test_a_negative_weight_is_rejected():
    assert field_of(rule(tiers=(tier(D="1", S="-1"),))) == "tiers[0].weights.S"


def test_weights_with_a_zero_sum_are_rejected():
    assert field_of(rule(tiers=(tier(D="0", S="0"),))) == "tiers[0].weights"


def test_percentages_must_add_up_to_exactly_100():
    assert field_of(rule(tiers=(tier(D="60", S="39.99"),), as_percent=True)) == "tiers[0].weights"
    validate_rule(rule(tiers=(tier(D="60", S="40.00"),), as_percent=True), PARTIES)


def test_a_weight_for_someone_who_is_not_a_party_is_rejected():
    assert field_of(rule(tiers=(tier(D="1", X="1"),))) == "tiers[0].weights.X"


def test_a_float_weight_is_rejected():
    bad = Tier(Q("2026Q1"), None, {"D": 0.5, "S": D("1")})
    assert field_of(rule(tiers=(bad,))) == "tiers[0].weights.D"


def test_a_tier_ending_before_it_starts_is_rejected():
    assert field_of(rule(tiers=(tier("2026Q3", "2026Q2", D="1"),))) == "tiers[0].last"


def test_a_baseline_owner_who_is_not_a_party_is_rejected():
    assert field_of(rule(baseline=D("100.00"), baseline_owner="X")) == "baseline_owner"


def test_a_baseline_needs_an_owner_and_an_owner_needs_a_baseline():
    assert field_of(rule(baseline=D("100.00"))) == "baseline_owner"
    assert field_of(rule(baseline_owner="D")) == "baseline"


def test_a_negative_or_fractional_baseline_is_rejected():
    assert field_of(rule(baseline=D("-1.00"), baseline_owner="D")) == "baseline"
    assert field_of(rule(baseline=D("1.005"), baseline_owner="D")) == "baseline"


def test_a_capped_party_that_is_not_a_party_is_rejected():
    assert field_of(rule(caps=(Cap("X", D("1.00")),))) == "caps[0].party"


def test_a_second_cap_for_the_same_party_is_rejected():
    caps = (Cap("S", D("1.00")), Cap("S", D("2.00"), "YEAR"))
    assert field_of(rule(caps=caps)) == "caps[1].party"


def test_a_cap_with_an_unknown_scope_or_bad_amount_is_rejected():
    assert field_of(rule(caps=(Cap("S", D("1.00"), "MONTH"),))) == "caps[0].scope"
    assert field_of(rule(caps=(Cap("S", D("-1.00")),))) == "caps[0].amount"
    assert field_of(rule(caps=(Cap("S", D("0.001")),))) == "caps[0].amount"


def test_an_unknown_mode_and_a_non_positive_quantum_are_rejected():
    assert field_of(rule(mode="HALF")) == "mode"
    assert field_of(rule(quantum=D("0"))) == "quantum"


def test_parties_need_two_distinct_names_and_a_default_among_them():
    with pytest.raises(RuleError) as caught:
        Parties(("D",), "D")
    assert caught.value.field == "parties"
    with pytest.raises(RuleError) as caught:
        Parties(("D", "D"), "D")
    assert caught.value.field == "parties"
    with pytest.raises(RuleError) as caught:
        Parties(("D", "S"), "X")
    assert caught.value.field == "default_party"


def test_parties_by_priority_orders_by_rank_and_rejects_ties():
    assert Parties.by_priority({"S": 2, "D": 1}, "D").order == ("D", "S")
    with pytest.raises(RuleError):
        Parties.by_priority({"S": 1, "D": 1}, "D")


def test_an_observation_that_is_not_a_whole_quantum_is_rejected_naming_its_quarter():
    with pytest.raises(RuleError) as caught:
        split(rule(), PARTIES, {Q("2026Q2"): D("1.005")})
    assert caught.value.field == "observations.2026Q2"


def test_a_float_observation_is_rejected():
    with pytest.raises(RuleError) as caught:
        split(rule(), PARTIES, {Q("2026Q2"): 1.5})
    assert caught.value.field == "observations.2026Q2"


def test_a_cap_override_for_an_uncapped_party_or_with_a_bad_amount_is_rejected():
    capped = rule(caps=(Cap("S", D("10.00")),))
    with pytest.raises(RuleError) as caught:
        split(capped, PARTIES, {Q("2026Q1"): D("1.00")}, cap_overrides={"D": D("5.00")})
    assert caught.value.field == "cap_overrides.D"
    with pytest.raises(RuleError) as caught:
        split(capped, PARTIES, {Q("2026Q1"): D("1.00")}, cap_overrides={"S": D("-5.00")})
    assert caught.value.field == "cap_overrides.S"


CASE = {
    "parties": ["D", "S"],
    "default_party": "D",
    "mode": "SPLIT",
    "tiers": [{"first": "2026Q1", "last": None, "weights": {"D": "1", "S": "1"}}],
    "baseline": None,
    "baseline_owner": None,
    "caps": [],
    "quantum": "0.01",
    "observations": {"2026Q1": "100.01"},
}


def simulate_field(**changes):
    case = {**CASE, **changes}
    with pytest.raises(RuleError) as caught:
        simulate(case)
    return caught.value.field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tiers": [{"first": "2026Q5", "last": None, "weights": {"D": "1"}}]}, "tiers[0].first"),
        ({"tiers": [{"first": "2026Q1", "weights": {"D": "x"}}]}, "tiers[0].weights.D"),
        ({"tiers": [{"first": "2026Q1", "weights": {"D": 0.5}}]}, "tiers[0].weights.D"),
        ({"tiers": [{"first": "2026Q1", "weights": {"D": "1"}, "lst": None}]}, "tiers[0].lst"),
        ({"caps": [{"party": "S", "amount": "abc", "scope": "YEAR"}]}, "caps[0].amount"),
        ({"caps": [{"party": "S", "amount": "1.00", "scope": "DECADE"}]}, "caps[0].scope"),
        ({"observations": {"2026Q1": "1.001"}}, "observations.2026Q1"),
        ({"observations": {"Q1 2026": "1.00"}}, "observations.Q1 2026"),
        ({"observations": {"2026Q1": "1.00", "2026q1": "2.00"}}, "observations.2026q1"),
        ({"observations": {}}, "observations"),
        ({"parties": "D,S"}, "parties"),
        ({"default_party": "X"}, "default_party"),
        ({"baseline": "NaN", "baseline_owner": "D"}, "baseline"),
        ({"baseline_onwer": "D"}, "baseline_onwer"),
        ({"mode": "BOTH"}, "mode"),
        ({"as_percent": "yes"}, "as_percent"),
    ],
)
def test_simulate_names_the_bad_field_instead_of_failing(changes, field):
    assert simulate_field(**changes) == field


def test_simulate_prefixes_the_case_index_when_there_are_several():
    bad = {**CASE, "observations": {"2026Q1": "0.001"}}
    with pytest.raises(RuleError) as caught:
        simulate({"cases": [CASE, bad]})
    assert caught.value.field == "cases[1].observations.2026Q1"


def test_simulate_json_reports_bad_json_and_duplicate_keys_as_rule_errors():
    with pytest.raises(RuleError) as caught:
        simulate_json("{not json")
    assert caught.value.field == "json"
    text = json.dumps(CASE)[:-1] + ', "quantum": "1"}'
    with pytest.raises(RuleError) as caught:
        simulate_json(text)
    assert caught.value.field == "quantum"


def test_simulate_json_reads_bare_json_numbers_exactly():
    text = json.dumps({**CASE, "observations": {}})[:-3] + '{"2026Q1": 100.01}}'
    assert simulate_json(text) == {"2026Q1": {"D": "50.01", "S": "50.00"}}
