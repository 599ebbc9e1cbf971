"""Tests of app.domain.uscc: GB 32100-2015 check characters on real codes, errors, generation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.uscc import CHARSET, UsccError, check_character, make_uscc, validate_uscc

# Codes published by their holders (business licences and annual reports).
REAL_CODES = [
    "91350100M000100Y43",
    "914403001922038216",  # Huawei Technologies Co., Ltd.
    "91330100716105852F",  # Alibaba (China) Co., Ltd.
    "91440300708461136T",  # Shenzhen Tencent Computer Systems Co., Ltd.
]

first17s = st.text(alphabet=CHARSET, min_size=17, max_size=17)


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert validate_uscc(code) == code
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL_CODES)
def test_changing_any_one_character_of_a_real_code_is_rejected(code):
    for position in range(18):
        for replacement in CHARSET:
            if replacement != code[position]:
                changed = code[:position] + replacement + code[position + 1 :]
                with pytest.raises(UsccError):
                    validate_uscc(changed)


def test_wrong_check_character_names_the_expected_one():
    with pytest.raises(UsccError, match=r"^wrong check character: expected 3, found 4$"):
        validate_uscc("91350100M000100Y44")


@pytest.mark.parametrize("code", ["", "91350100M000100Y4", "91350100M000100Y433"])
def test_wrong_length_is_reported(code):
    with pytest.raises(UsccError, match=f"has 18 characters, not {len(code)}"):
        validate_uscc(code)


@pytest.mark.parametrize(
    ("code", "position", "character"),
    [
        ("91350100I000100Y43", 9, "I"),
        ("O1350100M000100Y43", 1, "O"),
        ("91350100M000100Y4-", 18, "-"),
    ],
)
def test_invalid_character_is_reported_with_its_position(code, position, character):
    with pytest.raises(UsccError, match=f'invalid character "{character}" at position {position}'):
        validate_uscc(code)


def test_validation_returns_the_code_stripped_upper_case_and_folded_to_ascii():
    assert validate_uscc("  91350100m000100y43\n") == "91350100M000100Y43"
    assert validate_uscc("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"


def test_non_text_is_rejected():
    with pytest.raises(UsccError):
        validate_uscc(None)  # type: ignore[arg-type]


def test_uscc_error_is_a_value_error():
    assert issubclass(UsccError, ValueError)


@given(first17s)
def test_make_uscc_builds_codes_that_validate(first17):
    code = make_uscc(first17)
    assert code[:17] == first17 and validate_uscc(code) == code


@given(first17s, st.integers(min_value=0, max_value=16), st.sampled_from(CHARSET))
def test_any_single_substitution_in_the_first_17_changes_the_check_character(first17, i, new):
    changed = first17[:i] + new + first17[i + 1 :]
    assert (check_character(changed) == check_character(first17)) == (changed == first17)


def test_check_character_refuses_wrong_length_and_characters():
    with pytest.raises(UsccError):
        check_character("9135010")
    with pytest.raises(UsccError, match="position 2"):
        check_character("9Z350100M000100Y4")
