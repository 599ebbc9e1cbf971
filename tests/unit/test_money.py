"""Tests of app.domain.money: parsing typed numbers, minor units, display rounding and formats."""

from decimal import Context, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.money import (
    CENT,
    AmountError,
    format_amount,
    format_percent,
    format_ratio,
    from_minor_units,
    parse_decimal,
    round_half_up,
    to_minor_units,
)

two_place_decimals = st.integers(min_value=-(10**18), max_value=10**18).map(from_minor_units)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", "0"),
        ("12", "12"),
        ("12.50", "12.50"),
        ("  1234.5 ", "1234.5"),
        ("1,234,567.89", "1234567.89"),
        ("123,456", "123456"),
        ("¥1,000", "1000"),
        ("￥ 1,000.00", "1000.00"),
        ("-¥5", "-5"),
        ("¥-5", "-5"),
        ("+7", "7"),
        ("-0.01", "-0.01"),
        (".5", "0.5"),
        ("００１２．５０", "12.50"),
        ("１，２３４．５６", "1234.56"),
        ("－３", "-3"),
        ("\u3000１２\u3000", "12"),
        ("123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789"),
    ],
)
def test_parse_decimal_reads_accepted_forms_exactly(text, expected):
    result = parse_decimal(text)
    assert result == Decimal(expected)
    assert str(result) == expected  # exact digits, including trailing zeros and length


@pytest.mark.parametrize(
    "text",
    [
        "", "   ", "12,3a", "1,23", "1,2345", "1,234567", ",123", "1,", "0,123", "1.2.3", ".",
        "-", "¥", "1e5", "1E5", "NaN", "nan", "Infinity", "-inf", "1 000", "--1", "-¥-1", "+-1",
        "12-", "0x10", "١٢", "1_000", "5.", "¥¥1",
    ],
)  # fmt: skip
def test_parse_decimal_rejects_malformed_text_quoting_it(text):
    with pytest.raises(AmountError) as caught:
        parse_decimal(text)
    assert str(caught.value) == f'"{text}" is not a number'


def test_parse_decimal_error_message_is_exactly_the_documented_one():
    with pytest.raises(AmountError, match=r'^"12,3a" is not a number$'):
        parse_decimal("12,3a")


def test_amount_error_is_a_value_error():
    assert issubclass(AmountError, ValueError)


def test_parse_decimal_rejects_non_text():
    with pytest.raises(AmountError):
        parse_decimal(None)  # type: ignore[arg-type]


def test_parse_decimal_turns_negative_zero_into_zero():
    assert str(parse_decimal("-0.00")) == "0.00"


@given(two_place_decimals)
def test_parse_decimal_reads_back_what_format_amount_writes(value):
    assert parse_decimal(format_amount(value)) == value


@given(two_place_decimals)
def test_parse_decimal_reads_back_plain_decimal_strings(value):
    assert parse_decimal(f"{value:f}") == value


@given(st.integers(min_value=-(10**20), max_value=10**20))
def test_minor_units_round_trip_through_decimal(units):
    assert to_minor_units(from_minor_units(units)) == units


@given(two_place_decimals)
def test_decimal_round_trips_through_minor_units(value):
    assert from_minor_units(to_minor_units(value)) == value


def test_from_minor_units_has_the_quantum_exponent():
    assert str(from_minor_units(123)) == "1.23"
    assert str(from_minor_units(0)) == "0.00"
    assert str(from_minor_units(-5)) == "-0.05"
    assert str(from_minor_units(7, Decimal("0.001"))) == "0.007"


def test_to_minor_units_counts_fen_and_accepts_fewer_places():
    assert to_minor_units(Decimal("1.23")) == 123
    assert to_minor_units(Decimal("5")) == 500
    assert to_minor_units(Decimal("-0.10")) == -10
    assert to_minor_units(Decimal("1.2300000")) == 123
    assert to_minor_units(Decimal("0.15"), Decimal("0.05")) == 3


def test_to_minor_units_rejects_fractions_of_a_fen_with_the_documented_message():
    with pytest.raises(AmountError, match=r'^"12\.345" is not a whole multiple of 0\.01$'):
        to_minor_units(Decimal("12.345"))


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity")])
def test_to_minor_units_rejects_non_finite_values(value):
    with pytest.raises(AmountError):
        to_minor_units(value)


@pytest.mark.parametrize("value", [1.23, "1.23"])
def test_to_minor_units_refuses_floats_and_text(value):
    with pytest.raises(TypeError):
        to_minor_units(value)


def test_from_minor_units_refuses_a_float():
    with pytest.raises(TypeError):
        from_minor_units(1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("quantum", [Decimal(0), Decimal("-0.01"), Decimal("NaN")])
def test_minor_units_refuse_a_non_positive_quantum(quantum):
    with pytest.raises(ValueError):
        to_minor_units(Decimal(1), quantum)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("2.345"), 2, "2.35"),
        (Decimal("2.335"), 2, "2.34"),
        (Decimal("-2.345"), 2, "-2.35"),
        (Decimal("0.125"), 2, "0.13"),
        (Decimal("2.5"), 0, "3"),
        (Decimal("-0.004"), 2, "0.00"),
        (Fraction(1, 8), 2, "0.13"),
        (Fraction(-1, 8), 2, "-0.13"),
        (Fraction(10, 3), 2, "3.33"),
        (Fraction(2, 3), 4, "0.6667"),
        (7, 2, "7.00"),
        (Decimal("123456789012345678901234567.895"), 2, "123456789012345678901234567.90"),
    ],
)
def test_round_half_up_rounds_ties_away_from_zero(value, places, expected):
    assert str(round_half_up(value, places)) == expected


def test_round_half_up_refuses_a_float():
    with pytest.raises(TypeError):
        round_half_up(2.345)  # type: ignore[arg-type]


def test_cent_is_one_fen():
    assert str(CENT) == "0.01"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234567.891"), "1,234,567.89"),
        (Decimal("1234567.895"), "1,234,567.90"),
        (Decimal("-1234.5"), "-1,234.50"),
        (Decimal("0"), "0.00"),
        (Decimal("-0.001"), "0.00"),
        (Decimal("999.995"), "1,000.00"),
        (None, "—"),
    ],
)
def test_format_amount_uses_thousands_commas_and_two_places_half_up(value, expected):
    assert format_amount(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(10, 3), "3.33×"),
        (Fraction(1, 8), "0.13×"),
        (Decimal("1.005"), "1.01×"),
        (Fraction(0), "0.00×"),
        (None, "—"),
    ],
)
def test_format_ratio_shows_a_multiple_to_two_places_half_up(value, expected):
    assert format_ratio(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(59, 100), "59.00 %"),
        (Decimal("0.59"), "59.00 %"),
        (Decimal("0.105744799762306"), "10.57 %"),
        (Fraction(1, 80000), "0.00 %"),
        (Fraction(1, 16000), "0.01 %"),  # 0.00625 % rounds half up
        (Decimal("-0.00125"), "-0.13 %"),
        (Decimal("12.5"), "1,250.00 %"),
        (None, "—"),
    ],
)
def test_format_percent_shows_a_fraction_as_percent_to_two_places_half_up(value, expected):
    assert format_percent(value) == expected


def test_round_half_up_keeps_every_digit_of_a_huge_fraction():
    huge = Fraction(10**40 + 1, 1) + Fraction(1, 200)
    assert str(round_half_up(huge, 2)) == "10000000000000000000000000000000000000001.01"


@pytest.mark.parametrize("units", [0, 1, -1, 7, 100, -100, 123_456_789_012, 10**26 + 3,
                                   -(10**26) - 3, 10**27, -(10**27), 10**40 + 1])
def test_from_minor_units_in_fen_is_exact_on_its_fast_path_and_past_it(units):
    """Fen up to 27 digits take a shortcut; every size gives the same exact amount at two
    places, never a negative zero."""
    got = from_minor_units(units)
    with localcontext(Context(prec=80)):
        expected = (Decimal(units) / 100).quantize(CENT)
        assert got.as_tuple().exponent == -2 and got == expected and got * 100 == units
    assert str(got) == str(expected)
    assert got.is_signed() == (units < 0)
