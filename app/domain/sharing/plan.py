"""A sharing rule compiled for one set of parties: what the split engine, its walks and its
result read (the type they share, so none of them imports another's module).

Weights become coprime integers over a common denominator ``d0`` (the lcm of the tier weight
sums), caps and the baseline whole counts of the rule's quantum; nothing here is rounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from math import gcd, lcm

from app.domain.quarter import Quarter
from app.domain.sharing.rules import (
    Parties,
    Rule,
    RuleError,
    Tier,
    check_amount,
    validate_cap_overrides,
    validate_rule,
)


class TierPlan:
    """A tier (or the no-tier fallback) with its weights as reduced integers in party order."""

    __slots__ = ("tier", "total", "weights")

    def __init__(self, tier: Tier | None, weights: tuple[int, ...]) -> None:
        self.tier = tier
        self.weights = weights
        self.total = sum(weights)


class Plan:
    """A validated rule compiled for one set of parties: integer weights over a common
    denominator, tier spans, caps and baseline in whole quanta. The engine's :class:`SplitPlan`
    adds the split itself; the walks and the result read only these fields."""

    def __init__(self, rule: Rule, parties: Parties) -> None:
        validate_rule(rule, parties)
        self.rule = rule
        self.parties = parties
        n = len(parties.order)
        self.default = parties.position[parties.default_party]
        tiers = sorted(rule.tiers, key=lambda tier: tier.first)
        self.tiers = [TierPlan(tier, _integer_weights(tier, parties)) for tier in tiers]
        # The last plan is "no tier covers the quarter": the default party gets everything.
        self.tiers.append(TierPlan(None, tuple(int(i == self.default) for i in range(n))))
        self.spans = [
            (tier.first.index, None if tier.last is None else tier.last.index, i)
            for i, tier in enumerate(tiers)
        ]
        self.d0 = lcm(*(plan.total for plan in self.tiers))
        self.coef0 = [[self.d0 * w // plan.total for w in plan.weights] for plan in self.tiers]
        self.q_ratio = rule.quantum.as_integer_ratio()
        self.baseline = (
            None if rule.baseline is None else check_amount(rule.baseline, rule.quantum, "baseline")
        )
        self.owner = None if rule.baseline_owner is None else parties.position[rule.baseline_owner]
        self.caps = {parties.position[cap.party]: cap for cap in rule.caps}

    def _units(self, observations: Mapping[Quarter, Decimal]) -> dict[int, int]:
        q_num, q_den = self.q_ratio
        values: dict[int, int] = {}
        for quarter, value in observations.items():
            if type(quarter) is not Quarter:
                raise RuleError("observations", f"{quarter!r} is not a quarter")
            kind = type(value)
            try:
                if kind is not Decimal and kind is not int:
                    raise TypeError
                num, den = value.as_integer_ratio()
            except (TypeError, ValueError, OverflowError):
                raise RuleError(
                    f"observations.{quarter}", f"{value!r} is not a decimal amount"
                ) from None
            units, rest = divmod(num * q_den, den * q_num)
            if rest:
                raise RuleError(
                    f"observations.{quarter}",
                    f"{value} is not a whole multiple of the quantum {self.rule.quantum}",
                )
            values[quarter.index] = units
        return values

    def _cap_units(self, overrides: Mapping[str, Decimal]) -> dict[int, int]:
        validate_cap_overrides(self.rule, overrides)
        quantum = self.rule.quantum
        return {
            p: check_amount(
                overrides.get(cap.party, cap.amount), quantum, f"cap_overrides.{cap.party}"
            )
            for p, cap in self.caps.items()
        }

    def tier_indices(self, first: int, last: int) -> list[int]:
        """The tier plan index in force in each quarter from ``first`` to ``last`` (indices)."""
        out = [len(self.tiers) - 1] * (last - first + 1)
        for lo, hi, i in self.spans:
            lo = max(lo, first)
            hi = last if hi is None else min(hi, last)
            if lo <= hi:
                out[lo - first : hi - first + 1] = [i] * (hi - lo + 1)
        return out


def _integer_weights(tier: Tier, parties: Parties) -> tuple[int, ...]:
    """The tier's weights scaled to coprime integers, in priority order (missing parties: 0)."""
    ratios = [Decimal(tier.weights.get(name, 0)).as_integer_ratio() for name in parties.order]
    scale = lcm(*(den for _, den in ratios))
    ints = [num * (scale // den) for num, den in ratios]
    common = gcd(*ints)
    return tuple(w // common for w in ints)
