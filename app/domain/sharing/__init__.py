"""Indicator sharing (sharing.md): rules, the split engine, explanations and what-if simulation."""

from app.domain.sharing.engine import SplitPlan, prepare, split
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
    validate_cap_overrides,
    validate_rule,
)

__all__ = [
    "AGREEMENT",
    "DUAL_COUNT",
    "SPLIT",
    "YEAR",
    "Cap",
    "CapState",
    "Parties",
    "QuarterRow",
    "Rule",
    "RuleError",
    "SplitPlan",
    "SplitResult",
    "Tier",
    "prepare",
    "split",
    "validate_cap_overrides",
    "validate_rule",
]
