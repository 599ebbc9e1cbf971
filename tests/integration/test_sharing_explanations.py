"""The auditor's explanation: the same number as the statement, the steps behind it, and
what it says about a closed quarter corrected since."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.quarter import Quarter
from app.services.errors import NotFound
from app.services.sharing.explanations import explain_allocation
from tests.integration.sharing_factories import DESTINATION, SOURCE, observe
from tests.integration.sharing_helpers import Setting, row_of, statement_of

Q1 = Quarter(2026, 1)


@pytest.fixture
def s(db):
    return Setting(db)


def test_the_explanation_gives_the_statements_number_for_every_party(db, s):
    statement = statement_of(db, s.id, "2026Q1")
    for party in (DESTINATION, SOURCE):
        explained = explain_allocation(db, s.dest, s.id, Q1, "WF-1", "TAX_LOCAL", party)
        assert explained.steps.allocation == row_of(statement, "WF-1").lines[party].current
        assert explained.closed_allocation is None  # the quarter is open


def test_the_odd_cent_is_explained_by_the_remainders_and_priority(db, s):
    destination = explain_allocation(db, s.dest, s.id, Q1, "WF-1", "TAX_LOCAL", DESTINATION)
    source = explain_allocation(db, s.dest, s.id, Q1, "WF-1", "TAX_LOCAL", SOURCE)
    assert destination.steps.exact_share == source.steps.exact_share  # 100.01 / 2 each
    assert destination.steps.rounding.gets_extra_unit  # equal remainders: higher priority
    assert not source.steps.rounding.gets_extra_unit
    assert (destination.steps.allocation, source.steps.allocation) == (
        Decimal("50.01"), Decimal("50.00"))


def test_a_closed_then_corrected_quarter_shows_what_closed_and_the_reason(db, s):
    s.close(db, "2026Q1")
    observe(db, "2026Q1", {("WF-1", "TAX_LOCAL"): "300.01"}, actor=s.dest, reason="补缴税款")
    explained = explain_allocation(db, s.dest, s.id, Q1, "WF-1", "TAX_LOCAL", SOURCE)
    assert explained.closed_allocation == Decimal("50.00")
    assert explained.steps.allocation == Decimal("150.00")
    correction = [h for h in explained.history if h.action == "CORRECTION"]
    assert [(c.old, c.new, c.reason) for c in correction] == [
        (Decimal("100.01"), Decimal("300.01"), "补缴税款")]


def test_only_covered_projects_ruled_indicators_and_parties_are_explained(db, s):
    for project, indicator, party in (("WF-3", "TAX_LOCAL", SOURCE),
                                      ("WF-1", "ENERGY", SOURCE),
                                      ("WF-1", "TAX_LOCAL", "340100")):
        with pytest.raises(NotFound):
            explain_allocation(db, s.dest, s.id, Q1, project, indicator, party)
