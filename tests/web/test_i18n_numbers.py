"""Numbers as users read them: thousands separators, two places for yuan, 万元 / 亿元 for key
figures, units (元, 亩, 吨标准煤 / tce) in the user's language, and "—" for undefined."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import select

from app.domain.money import compact_yuan, format_compact_yuan, format_number, format_wan
from app.models import IndicatorDefinition


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("123456789"), (Decimal("1.23"), "亿元")),
    (Decimal("45600000"), (Decimal("4560.00"), "万元")),
    (Decimal("999.5"), (Decimal("999.50"), "元")),
    (Decimal("-123456789.99"), (Decimal("-1.23"), "亿元")),
    (Decimal("9999.995"), (Decimal("1.00"), "万元")),  # rounds up into the next unit
    (Decimal("99999999.995"), (Decimal("1.00"), "亿元")),
    (Decimal("9999.994"), (Decimal("9999.99"), "元")),
    (Fraction(10**9, 3), (Decimal("3.33"), "亿元")),
    (Decimal("12345678901234.56"), (Decimal("123456.79"), "亿元")),
])
def test_key_figures_take_the_largest_chinese_unit_rounded_half_up(value, expected):
    assert compact_yuan(value) == expected


def test_compact_yuan_groups_thousands_and_shows_a_dash_for_undefined():
    assert format_compact_yuan(Decimal("45600000")) == "4,560.00 万元"
    assert format_compact_yuan(Decimal("12345678901234.56")) == "123,456.79 亿元"
    assert format_compact_yuan(None) == "—"


def test_quantities_keep_their_digits_with_thousands_separators():
    assert format_number(Decimal("1234567.8900")) == "1,234,567.8900"
    assert format_number(Decimal("-0.00")) == "0.00"
    assert format_number(Decimal("12345"), 2) == "12,345.00"
    assert format_number(Decimal("0.125"), 2) == "0.13"
    assert format_number(None) == "—"


def test_wan_shows_yuan_in_ten_thousands():
    assert format_wan(Decimal("45678901")) == "4,567.89"
    assert format_wan(Decimal("-50")) == "-0.01"
    assert format_wan(None) == "—"


def _filters(app, language: str):
    """The template filters as a visitor whose browser asks for ``language`` gets them."""
    context = app.test_request_context("/", headers={"Accept-Language": language})
    context.push()
    return context, app.jinja_env.filters


@pytest.mark.parametrize(("language", "yuan", "compact", "energy", "land"), [
    ("zh-CN", "1,234,567.89 元", "999.50 元", "1,234.5 吨标准煤", "12.00 亩"),
    ("en", "1,234,567.89 yuan", "999.50 yuan", "1,234.5 tce", "12.00 mu"),
])
def test_units_are_named_in_the_users_language(app, language, yuan, compact, energy, land):
    context, f = _filters(app, language)
    try:
        assert f["yuan"](Decimal("1234567.89")) == yuan
        assert f["yuan_compact"](Decimal("999.5")) == compact
        assert f["yuan_compact"](Decimal("123456789")) == "1.23 亿元"  # the official unit
        assert f["quantity"](Decimal("1234.5"), "tce") == energy
        assert f["quantity"](Decimal("12"), "亩", 2) == land
        assert f["unit"]("万元") == "万元"
    finally:
        context.pop()


def test_every_number_filter_shows_a_dash_for_undefined(app):
    context, f = _filters(app, "zh-CN")
    try:
        for name in ("amount", "yuan", "yuan_compact", "wan", "quantity", "count", "percent",
                     "ratio", "plain", "exact"):
            assert f[name](None) == "—", name
    finally:
        context.pop()


def test_counts_and_percentages_have_separators(app):
    context, f = _filters(app, "en")
    try:
        assert f["count"](2000) == "2,000"
        assert f["percent"](Fraction(12345, 100)) == "12,345.00 %"
        assert f["amount"](Decimal("1234567.891")) == "1,234,567.89"
    finally:
        context.pop()


def test_roles_and_names_follow_the_language(app, db):
    energy = db.scalar(select(IndicatorDefinition).where(IndicatorDefinition.code == "ENERGY"))
    context, f = _filters(app, "en")
    try:
        assert f["role"]("FINANCE_BUREAU") == "Finance bureau"
        assert f["named"](energy) == "Energy consumed"
    finally:
        context.pop()
    context, f = _filters(app, "zh")
    try:
        assert f["role"]("FINANCE_BUREAU") == "财政局"
        assert f["named"](energy) == "能源消费量"
    finally:
        context.pop()
