"""A rule in words, as the statement prints it: "S 60 % / D 40 % from 2025Q1 to 2026Q4; …"."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from app.domain.money import format_amount
from app.domain.sharing.rules import DUAL_COUNT, YEAR, Parties, Rule

UNITS_EN = {"元": "yuan", "万元": "10,000 yuan", "亩": "mu"}
"""Unit symbols as English text prints them ("元" → "yuan"); others (tce) are the same."""


def unit_en(unit: str) -> str:
    """A unit symbol for English text: "元" → "yuan", "亩" → "mu"; others unchanged."""
    return UNITS_EN.get(unit, unit)


def _percent(weight: Decimal, total: Decimal) -> str:
    share = weight * 100 / total
    text = f"{share.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return f"{text} %"


def describe_rule(
    rule: Rule, parties: Parties, names: Mapping[str, str], unit: str, language: str = "en"
) -> str:
    """The rule in one or two sentences, in English (``en``) or Chinese (``zh``).

    ``names`` gives each party's short label (for example "S" or "深圳市"); amounts are shown
    with thousands separators in the indicator's ``unit`` ("yuan" for 元 in English); no space
    between two Chinese words (a party's name and the text after it); shares are percentages of
    each tier's weight sum, to at most two decimals.
    """
    zh = language == "zh"
    unit = unit if zh else unit_en(unit)
    if rule.mode == DUAL_COUNT:
        return (
            "双方均全额计入（仅用于考核，不对外公布）"
            if zh
            else "every party is credited the whole value (for assessment only)"
        )
    parts = []
    for tier in sorted(rule.tiers, key=lambda t: t.first):
        total = sum(tier.weights.values(), Decimal(0))
        shares = " / ".join(
            f"{names[p]} {_percent(tier.weights.get(p, Decimal(0)), total)}" for p in parties.order
        )
        if zh:
            span = f"{tier.first} 至 {tier.last}" if tier.last else f"自 {tier.first} 起"
            parts.append(f"{span}：{shares}")
        else:
            span = f"from {tier.first} to {tier.last}" if tier.last else f"from {tier.first} on"
            parts.append(f"{shares} {span}")
    default = names[parties.default_party]
    if zh:
        parts.append(f"其余期间全部归{default}")
    else:
        parts.append(f"otherwise all to {default}")
    if rule.baseline is not None and rule.baseline_owner:
        owner = names[rule.baseline_owner]
        amount = f"{format_amount(rule.baseline)} {unit}"
        parts.append(
            f"{owner}每季度保留基数 {amount}，仅分享超出部分"
            if zh
            else f"{owner} keeps a baseline of {amount} per quarter; only the increment is shared"
        )
    for cap in rule.caps:
        amount = f"{format_amount(cap.amount)} {unit}"
        who = names[cap.party]
        if zh:
            scope = "每年" if cap.scope == YEAR else "协议期内累计"
            parts.append(f"{who}每个项目{scope}以 {amount} 为上限")
        else:
            scope = "per year" if cap.scope == YEAR else "over the agreement's life"
            parts.append(f"{who} capped at {amount} per project {scope}")
    return ("；" if zh else "; ").join(parts)
