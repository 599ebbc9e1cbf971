"""Unified social credit codes (统一社会信用代码, GB 32100-2015): check character and validation."""

from __future__ import annotations

import unicodedata

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a code may use, in value order (no I, O, S, V, Z)."""

WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""Weights of the first 17 characters (3^i mod 31)."""

LENGTH = 18
_VALUES = {character: value for value, character in enumerate(CHARSET)}


class UsccError(ValueError):
    """A text that is not a valid unified social credit code; the message says why."""


def _first_invalid(text: str) -> None:
    """Raise UsccError naming the first (1-based) position whose character is not in CHARSET."""
    for position, character in enumerate(text, start=1):
        if character not in _VALUES:
            raise UsccError(
                f'invalid character "{character}" at position {position}: '
                f"a unified social credit code uses only {CHARSET}"
            )


def check_character(first17: str) -> str:
    """The check character for 17 characters: (31 − Σ value×weight mod 31) mod 31."""
    if len(first17) != LENGTH - 1:
        raise UsccError(f"the check character needs 17 characters, not {len(first17)}")
    _first_invalid(first17)
    total = sum(
        _VALUES[character] * weight for character, weight in zip(first17, WEIGHTS, strict=True)
    )
    return CHARSET[(31 - total % 31) % 31]


def normalise_uscc(code: str) -> str:
    """The code as stored: full-width forms folded to ASCII (NFKC), stripped, upper-case."""
    return unicodedata.normalize("NFKC", code).strip().upper()


def validate_uscc(code: str) -> str:
    """The normalised code if it is a valid GB 32100 code; UsccError says what is wrong."""
    if not isinstance(code, str):
        raise UsccError(f"a unified social credit code must be text, not {type(code).__name__}")
    normalised = normalise_uscc(code)
    if len(normalised) != LENGTH:
        raise UsccError(
            f"a unified social credit code has {LENGTH} characters, not {len(normalised)}"
        )
    _first_invalid(normalised)
    expected = check_character(normalised[:-1])
    if normalised[-1] != expected:
        raise UsccError(f"wrong check character: expected {expected}, found {normalised[-1]}")
    return normalised


def make_uscc(first17: str) -> str:
    """A valid code: 17 characters plus their check character (for demo and test data)."""
    normalised = normalise_uscc(first17)
    return normalised + check_character(normalised)
