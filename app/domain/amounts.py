"""The one check of an entered amount that every use case applies before storing it."""

from __future__ import annotations

from decimal import Decimal

from app.domain.messages import N_
from app.domain.money import AmountError, to_minor_units

FEN = Decimal("0.01")
LARGEST = Decimal(10) ** 14
"""No amount or indicator value reaches 10¹⁴ (a hundred trillion) of its unit: beyond that it is
a typing error, and the integer columns (to 0.0001) would overflow soon after."""


def amount_errors(value: Decimal | None, *, positive: bool = False, quantum: Decimal = FEN,
                  required: bool = True) -> list[str]:
    """Messages for an amount that is missing, not a whole multiple of ``quantum`` (yuan: the
    fen), negative, or — with ``positive`` — zero. Empty when the amount may be stored."""
    if value is None:
        return [N_("is required")] if required else []
    try:
        to_minor_units(value, quantum)
    except (AmountError, TypeError):
        return [N_("%(value)s is not a whole multiple of %(quantum)s", value=value,
                   quantum=quantum)]
    if abs(value) >= LARGEST:
        return [N_("%(value)s is too large (at most 14 digits before the point)", value=value)]
    if positive and value <= 0:
        return [N_("%(value)s is not a positive amount", value=value)]
    if value < 0:
        return [N_("%(value)s is negative", value=value)]
    return []
