"""Statements through the database reproduce the engine's worked example with a cap."""

from decimal import Decimal

from app.domain.quarter import Quarter
from app.services.access.scopes import SYSTEM
from app.services.sharing.agreements import get_agreement
from app.services.sharing.statements import compute_statement
from tests.factories import make_project
from tests.integration.sharing_factories import (
    DESTINATION,
    SOURCE,
    half_and_half,
    make_agreement,
    observe,
)


def test_the_capped_example_comes_out_of_the_statement(db):
    make_project(db, "SH-1")
    agreement = make_agreement(db, "A-CAP", ["SH-1"], [half_and_half(
        first="2024Q1", last="2028Q4", caps=[("9075.00", "AGREEMENT")])])
    for quarter, value in [("2024Q1", "2480.35"), ("2025Q1", "3105.21"), ("2026Q1", "3333.33"),
                           ("2027Q1", "4210.00"), ("2028Q1", "5800.01")]:
        observe(db, quarter, {("SH-1", "TAX_LOCAL"): value})
    agreement = get_agreement(db, SYSTEM, agreement.id)
    statement = compute_statement(db, agreement, Quarter.parse("2028Q1"))
    [row] = statement.rows
    assert row.lines[DESTINATION].current == Decimal("3289.45")
    assert row.lines[SOURCE].current == Decimal("2510.56")
    assert row.lines[SOURCE].since_inception == Decimal("9075.00")
    assert row.lines[SOURCE].cap_left == Decimal("0.00")
