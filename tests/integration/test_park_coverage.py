"""Agreements that cover a park: a project added to the park joins the agreement from the later
of its joining quarter and the agreement's first quarter; the statements still conserve exactly,
and a closed quarter's statement never changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.domain.quarter import Quarter
from app.services.access.scopes import SYSTEM
from app.services.errors import ValidationFailed
from app.services.parks import membership
from app.services.reporting import issuing
from app.services.sharing import agreements, coverage, workflow
from app.services.sharing.statements import cached_statement
from tests.factories import make_project
from tests.integration.parks_helpers import make_park
from tests.integration.report_helpers import pdf_text
from tests.integration.sharing_factories import (
    DESTINATION,
    SOURCE,
    half_and_half,
    make_agreement,
    observe,
)
from tests.integration.sharing_helpers import bureau, close_quarter, row_of, statement_of, total_of

TAX = "TAX_LOCAL"


def _park_agreement(db, named=("PK-NAMED",), first="2026Q1"):
    make_park(db, "HY-ZONE")
    for code in named:
        make_project(db, code)
    agreement = make_agreement(db, "PK", list(named), [half_and_half(first=first)],
                               activate=False)
    coverage.set_covered_parks(db, SYSTEM, agreement.id, ["HY-ZONE"])
    agreements.activate(db, SYSTEM, agreement.id, agreement.version)
    return agreement


def _join(db, code, joined, left=None, park="HY-ZONE"):
    project_id = make_project(db, code).id if isinstance(code, str) else code
    return membership.set_membership(db, SYSTEM, project_id, park, joined, left)


def test_a_project_added_to_the_park_after_the_start_joins_from_its_quarter_and_conserves(db):
    agreement = _park_agreement(db)
    observe(db, "2026Q1", {("PK-NAMED", TAX): "100.01"})
    observe(db, "2026Q2", {("PK-NAMED", TAX): "50.03"})
    # Joins the park in May 2026: its 2026Q1 figures are not shared, its 2026Q2 ones are.
    _join(db, "PK-LATE", dt.date(2026, 5, 12))
    observe(db, "2026Q1", {("PK-LATE", TAX): "999.99"})
    observe(db, "2026Q2", {("PK-LATE", TAX): "333.33"})

    q1 = statement_of(db, agreement.id, "2026Q1")
    assert [r.project_code for r in q1.rows] == ["PK-NAMED"]
    q2 = statement_of(db, agreement.id, "2026Q2")
    late = row_of(q2, "PK-LATE")
    assert late.via_park == "园区 HY-ZONE (HY-ZONE)" and row_of(q2, "PK-NAMED").via_park is None
    assert late.value == Decimal("333.33")
    assert {p: line.current for p, line in late.lines.items()} == {
        DESTINATION: Decimal("166.67"), SOURCE: Decimal("166.66")}
    assert late.lines[DESTINATION].since_inception + late.lines[SOURCE].since_inception \
        == Decimal("333.33")  # the quarter before it joined counts for nothing
    total = total_of(q2)
    assert total.value == Decimal("383.36")
    assert sum(line.current for line in total.lines.values()) == total.value
    for row in q2.rows:
        assert sum(line.current for line in row.lines.values()) == row.value


def test_a_member_since_before_the_agreement_is_covered_from_the_agreement_first_quarter(db):
    agreement = _park_agreement(db, first="2026Q2")
    _join(db, "PK-OLD", dt.date(2025, 3, 1))
    observe(db, "2026Q1", {("PK-OLD", TAX): "70.00"})
    observe(db, "2026Q2", {("PK-OLD", TAX): "10.01"})
    row = agreement.covered[-1]
    assert (row.first_quarter, row.last_quarter) == (Quarter(2026, 2), None)
    q2 = statement_of(db, agreement.id, "2026Q2")
    old = row_of(q2, "PK-OLD")
    assert sum(line.since_inception for line in old.lines.values()) == Decimal("10.01")


def test_a_leaving_project_is_covered_through_its_leaving_quarter_only(db):
    agreement = _park_agreement(db)
    _join(db, "PK-GONE", dt.date(2026, 1, 1), dt.date(2026, 4, 30))
    observe(db, "2026Q2", {("PK-GONE", TAX): "8.00"})
    observe(db, "2026Q3", {("PK-GONE", TAX): "9.00"})
    assert row_of(statement_of(db, agreement.id, "2026Q2"), "PK-GONE").value == Decimal("8.00")
    assert "PK-GONE" not in {r.project_code for r in statement_of(db, agreement.id,
                                                                  "2026Q3").rows}


def test_adding_a_project_to_the_park_leaves_a_closed_statement_as_it_was_signed(db):
    agreement = _park_agreement(db)
    observe(db, "2026Q1", {("PK-NAMED", TAX): "100.01"})
    _user, dest = bureau(db, DESTINATION)
    _user2, src = bureau(db, SOURCE)
    closed = close_quarter(db, agreement.id, "2026Q1", dest, src, dest)
    signed = closed.fingerprint
    _join(db, "PK-NEW", dt.date(2026, 2, 1))  # joined during the closed quarter
    observe(db, "2026Q1", {("PK-NEW", TAX): "40.00"}, reason="补录")
    statement, _aq = workflow.statement_for(db, SYSTEM, agreement.id, Quarter(2026, 1))
    assert statement.fingerprint == signed
    assert [r.project_code for r in statement.rows] == ["PK-NAMED"]
    # The closed quarter's share of the newcomer appears once, as the next quarter's adjustment.
    q2 = statement_of(db, agreement.id, "2026Q2")
    new = row_of(q2, "PK-NEW")
    assert sum(line.adjustment for line in new.lines.values()) == Decimal("40.00")


def test_a_named_project_is_covered_by_name_even_when_it_joins_the_park(db):
    agreement = _park_agreement(db)
    _join(db, db.get(type(agreement.covered[0].project), agreement.covered[0].project_id).id,
          dt.date(2026, 1, 1))
    q1 = statement_of(db, agreement.id, "2026Q1")
    assert [(r.project_code, r.via_park) for r in q1.rows] == [("PK-NAMED", None)]


def test_a_project_going_elsewhere_cannot_join_the_park(db):
    make_park(db, "HY-ZONE")
    project = make_project(db, "PK-AWAY", source="440306", destination="440106")  # 广州天河
    with pytest.raises(ValidationFailed) as failed:
        membership.set_membership(db, SYSTEM, project.id, "HY-ZONE", dt.date(2026, 1, 1))
    assert "park" in failed.value.errors
    assert "outside the park" in str(failed.value.errors["park"][0])


def test_an_agreement_covers_only_parks_hosted_in_a_party_region(db):
    make_park(db, "GZ-PARK", host="440100", partners=())
    make_project(db, "PK-X")
    agreement = make_agreement(db, "PK2", ["PK-X"], [half_and_half()], activate=False)
    with pytest.raises(ValidationFailed) as failed:
        coverage.set_covered_parks(db, SYSTEM, agreement.id, ["GZ-PARK"])
    assert "parks" in failed.value.errors


def test_the_statement_pdf_says_how_each_project_is_covered(db):
    agreement = _park_agreement(db)
    _join(db, "PK-VIA", dt.date(2026, 1, 10))
    observe(db, "2026Q1", {("PK-NAMED", TAX): "10.00", ("PK-VIA", TAX): "20.00"})
    rendered = issuing.draft(db, SYSTEM, "statement", agreement.code, Quarter(2026, 1))
    text = pdf_text(rendered.pdf)
    assert "via park 园区 HY-ZONE (HY-ZONE)" in text.replace("\n", " ")
    assert "named" in text


def test_a_cached_statement_picks_up_a_project_added_to_the_park(db):
    agreement = _park_agreement(db)
    later = make_project(db, "PK-LATER")
    observe(db, "2026Q1", {("PK-NAMED", TAX): "10.00", ("PK-LATER", TAX): "5.00"})
    before = cached_statement(db, agreement, Quarter(2026, 1))
    assert [r.project_code for r in before.rows] == ["PK-NAMED"]
    _join(db, later.id, dt.date(2026, 3, 1))  # only the membership changes
    after = cached_statement(db, agreement, Quarter(2026, 1))
    assert [r.project_code for r in after.rows] == ["PK-NAMED", "PK-LATER"]
    assert total_of(after).value == Decimal("15.00")
