"""A region's figures are the statements' numbers, reconcile exactly and respect scope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.codes import Role, SharingMode
from app.domain.quarter import Quarter
from app.services.access.scopes import SYSTEM
from app.services.errors import NotFound
from app.services.reporting.region_figures import region_figures, region_parties, statements_of
from app.services.sharing import workflow
from app.services.sharing.agreements import get_agreement
from app.services.sharing.statements import compute_statement
from tests.factories import actor_of, make_fund, make_project, make_user
from tests.integration.sharing_factories import (
    DESTINATION,
    SOURCE,
    half_and_half,
    make_agreement,
    observe,
)

Q3 = Quarter.parse("2026Q3")


@pytest.fixture
def sharing(db):
    """Heyuan (441600) and Shenzhen (440300) share TAX_LOCAL 1:1 and dual-count REVENUE over
    three covered projects: two that came to Heyuan, one that went from Heyuan to Shenzhen;
    a fourth project came to Heyuan uncovered."""
    make_project(db, "IN-1", source="440306", destination="441602")
    make_project(db, "IN-2", source="440307", destination="441621")
    make_project(db, "OUT-1", source="441602", destination="440306")
    make_project(db, "FREE-1", source="440306", destination="441602")
    agreement = make_agreement(db, "RG-1", ["IN-1", "IN-2", "OUT-1"], [
        half_and_half(first="2026Q1"),
        half_and_half("REVENUE", first="2026Q1", mode=SharingMode.DUAL_COUNT)])
    for quarter, scale in (("2026Q1", 1), ("2026Q2", 2), ("2026Q3", 3)):
        observe(db, quarter, {
            (code, indicator): Decimal(value) * scale
            for code, value in (("IN-1", "100.01"), ("IN-2", "33.33"), ("OUT-1", "10.03"),
                                ("FREE-1", "7.00"))
            for indicator in ("TAX_LOCAL", "REVENUE")})
    return agreement


def _bureau(db, region):
    return actor_of(db, make_user(db, Role.FINANCE_BUREAU, region))


def _line(figures, indicator):
    [figure] = [i for i in figures.indicators if i.code == indicator]
    return figure


def test_received_and_ceded_are_the_statements_numbers(db, sharing):
    figures = region_figures(db, _bureau(db, DESTINATION), DESTINATION, Q3)
    statement = compute_statement(db, get_agreement(db, SYSTEM, sharing.id), Q3)
    rows = {r.project_code: r for r in statement.rows if r.indicator == "TAX_LOCAL"}
    tax = _line(figures, "TAX_LOCAL")
    [line] = tax.lines
    assert line.code == "RG-1" and line.parties == (DESTINATION,) and not line.is_closed
    assert line.received == rows["OUT-1"].lines[DESTINATION].current == Decimal("15.04")
    assert line.ceded == sum(rows[c].value - rows[c].lines[DESTINATION].current
                             for c in ("IN-1", "IN-2")) == Decimal("200.02")
    assert tax.official == Decimal("300.03") + Decimal("99.99") + Decimal("21.00")


def test_official_plus_received_minus_ceded_is_the_region_after_sharing(db, sharing):
    figures = region_figures(db, _bureau(db, DESTINATION), DESTINATION, Q3)
    statement = compute_statement(db, get_agreement(db, SYSTEM, sharing.id), Q3)
    tax = _line(figures, "TAX_LOCAL")
    # Independently: the uncovered project wholly, plus every allocation to Heyuan.
    allocations = sum(r.lines[DESTINATION].current for r in statement.rows
                      if r.indicator == "TAX_LOCAL")
    assert tax.official + tax.received - tax.ceded == tax.after_sharing
    assert tax.after_sharing == Decimal("21.00") + allocations
    assert tax.reconciling == tax.after_sharing - tax.official


def test_the_source_side_mirrors_the_destination(db, sharing):
    heyuan = _line(region_figures(db, SYSTEM, DESTINATION, Q3), "TAX_LOCAL")
    shenzhen = _line(region_figures(db, SYSTEM, SOURCE, Q3), "TAX_LOCAL")
    assert shenzhen.lines[0].received == heyuan.lines[0].ceded
    assert shenzhen.lines[0].ceded == heyuan.lines[0].received


def test_dual_counts_are_listed_apart_and_never_summed(db, sharing):
    revenue = _line(region_figures(db, SYSTEM, DESTINATION, Q3), "REVENUE")
    assert revenue.lines == [] and revenue.after_sharing == revenue.official
    [dual] = revenue.dual
    assert dual.credited == Decimal("30.09")  # OUT-1, credited to Heyuan as well
    assert dual.shared == Decimal("300.03") + Decimal("99.99")


def test_a_party_containing_the_region_stands_in_only_for_projects_touching_it(db, sharing):
    county = _line(region_figures(db, SYSTEM, "441602", Q3), "TAX_LOCAL")
    statement = compute_statement(db, get_agreement(db, SYSTEM, sharing.id), Q3)
    rows = {r.project_code: r for r in statement.rows if r.indicator == "TAX_LOCAL"}
    [line] = county.lines  # IN-2 lies in 441621: not this county's
    assert line.ceded == rows["IN-1"].value - rows["IN-1"].lines[DESTINATION].current
    assert line.received == rows["OUT-1"].lines[DESTINATION].current
    assert county.official == Decimal("300.03") + Decimal("21.00")
    assert region_parties([DESTINATION, SOURCE], "441602") == ((DESTINATION,), True)
    assert region_parties(["440000", DESTINATION], "441602") == ((DESTINATION,), True)


def test_a_closed_quarter_shows_the_frozen_statement_even_after_a_correction(db, sharing):
    heyuan, shenzhen = _bureau(db, DESTINATION), _bureau(db, SOURCE)
    q1 = Quarter.parse("2026Q1")
    workflow.submit(db, heyuan, sharing.id, q1)
    fingerprint = workflow.statement_for(db, heyuan, sharing.id, q1)[0].fingerprint
    workflow.confirm(db, heyuan, sharing.id, q1, DESTINATION, fingerprint)
    workflow.confirm(db, shenzhen, sharing.id, q1, SOURCE, fingerprint)
    before = _line(region_figures(db, heyuan, DESTINATION, q1), "TAX_LOCAL")
    observe(db, "2026Q1", {("IN-1", "TAX_LOCAL"): "200.01"}, actor=heyuan, reason="更正")
    after = _line(region_figures(db, heyuan, DESTINATION, q1), "TAX_LOCAL")
    assert after.lines == before.lines and after.lines[0].is_closed
    assert after.official == before.official + Decimal("100.00")  # today's observations
    q2 = _line(region_figures(db, heyuan, DESTINATION, Quarter.parse("2026Q2")), "TAX_LOCAL")
    assert q2.adjustment == Decimal("50.00")  # Heyuan's half of the correction


def test_the_projects_that_left_or_entered_the_region(db, sharing):
    moved = {p.code: p.direction for p in region_figures(db, SYSTEM, DESTINATION, Q3).projects}
    assert moved == {"IN-1": "ENTERED", "IN-2": "ENTERED", "OUT-1": "LEFT",
                     "FREE-1": "ENTERED"}


def test_a_bureau_sees_its_region_and_below_and_nothing_else(db, sharing):
    heyuan = _bureau(db, DESTINATION)
    assert region_figures(db, heyuan, "441621", Q3).region_code == "441621"
    for other in ("340100", "440300", "440000", "999999", "not-a-code"):
        with pytest.raises(NotFound):
            region_figures(db, heyuan, other, Q3)
    with pytest.raises(NotFound):
        region_figures(db, _bureau(db, "340100"), DESTINATION, Q3)


def test_a_fund_manager_sees_no_region_and_auditors_see_theirs(db, sharing):
    fund = make_fund(db)
    manager = actor_of(db, make_user(db, Role.FUND_MANAGER, fund.code))
    with pytest.raises(NotFound):
        region_figures(db, manager, DESTINATION, Q3)
    everywhere = actor_of(db, make_user(db, Role.AUDITOR, None))
    assert region_figures(db, everywhere, "340100", Q3).region_name == "合肥市"
    regional = actor_of(db, make_user(db, Role.AUDITOR, "440300"))
    with pytest.raises(NotFound):
        region_figures(db, regional, DESTINATION, Q3)


def test_statements_read_back_for_some_projects_keep_their_rows_and_every_total(db, sharing):
    whole = workflow.statement_for(db, SYSTEM, sharing.id, Q3)[0]
    statements_of(db, [sharing.id], Q3)  # the first read may compute and store it
    [(cached, _aq)] = statements_of(db, [sharing.id], Q3, {"IN-2", "NOT-COVERED"}).values()
    assert [r for r in whole.rows if r.project_code == "IN-2"] == cached.rows
    assert cached.rows and cached.totals == whole.totals and cached.parties == whole.parties
    assert statements_of(db, [sharing.id], Q3)[sharing.id][0].rows == whole.rows
    heyuan, shenzhen = _bureau(db, DESTINATION), _bureau(db, SOURCE)
    q1 = Quarter.parse("2026Q1")
    workflow.submit(db, heyuan, sharing.id, q1)
    frozen = workflow.statement_for(db, heyuan, sharing.id, q1)[0]
    workflow.confirm(db, heyuan, sharing.id, q1, DESTINATION, frozen.fingerprint)
    workflow.confirm(db, shenzhen, sharing.id, q1, SOURCE, frozen.fingerprint)
    [(closed, aq)] = statements_of(db, [sharing.id], q1, {"OUT-1"}).values()
    assert aq.state.value == "CLOSED"
    assert closed.rows == [r for r in frozen.rows if r.project_code == "OUT-1"]
