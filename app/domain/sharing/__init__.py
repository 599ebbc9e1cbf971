"""Indicator sharing (sharing.md): rules, the split engine, explanations and what-if simulation."""

from app.domain.sharing.engine import SplitPlan, prepare, split
from app.domain.sharing.explain import Explanation, explain
from app.domain.sharing.result import CapState, QuarterRow, SplitResult
from app.domain.sharing.rules import (
    AGREEMENT,
    DUAL_COUNT,
    SPLIT,
    YEAR,
    Cap,
    Parties,
    Rule,
    RuleError,
    Tier,
    Weights,
    validate_cap_overrides,
    validate_rule,
)
from app.domain.sharing.simulate import simulate, simulate_json

__all__ = [
    "AGREEMENT",
    "DUAL_COUNT",
    "SPLIT",
    "YEAR",
    "Cap",
    "CapState",
    "Explanation",
    "Parties",
    "QuarterRow",
    "Rule",
    "RuleError",
    "SplitPlan",
    "SplitResult",
    "Tier",
    "Weights",
    "explain",
    "prepare",
    "simulate",
    "simulate_json",
    "split",
    "validate_cap_overrides",
    "validate_rule",
]
