"""Closed quarters are frozen and corrections of them show as prior-period adjustments in the
first open quarter (sharing.md, "Closed quarters and corrections"), through the database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain.codes import QuarterState
from app.domain.hashchain import canonical_json
from app.domain.quarter import Quarter
from app.models import FrozenAllocation, Observation, ObservationCorrection, Project
from app.services.errors import ValidationFailed
from app.services.sharing import workflow
from tests.integration.sharing_factories import DESTINATION, SOURCE, observe
from tests.integration.sharing_helpers import Setting, row_of, statement_of, total_of

Q1, Q2 = Quarter(2026, 1), Quarter(2026, 2)
CELL, OTHER = ("WF-1", "TAX_LOCAL"), ("WF-2", "TAX_LOCAL")


@pytest.fixture
def s(db):
    return Setting(db)


def corrections(db) -> list[ObservationCorrection]:
    """The corrections of WF-1's and WF-2's observations (other tests may leave rows behind)."""
    db.expire_all()
    return db.scalars(select(ObservationCorrection).join(Observation).join(Project)
                      .where(Project.code.in_(["WF-1", "WF-2"]))
                      .order_by(ObservationCorrection.id)).all()


def test_a_closed_statement_stays_byte_identical_after_later_observation_changes(db, s):
    closing = statement_of(db, s.id, "2026Q1")
    s.close(db, "2026Q1")
    observe(db, "2026Q1", {CELL: "250.00"}, actor=s.dest, reason="税务局更正")
    observe(db, "2026Q2", {CELL: "1.00"}, actor=s.dest)
    assert statement_of(db, s.id, "2026Q1").fingerprint != closing.fingerprint  # it would differ
    frozen, aq = workflow.statement_for(db, s.dest, s.id, Q1)
    assert aq.state is QuarterState.CLOSED
    assert frozen.fingerprint == closing.fingerprint == aq.fingerprint
    assert canonical_json(frozen.data()) == canonical_json(closing.data()) == aq.statement_json
    assert frozen.with_fingerprint().fingerprint == closing.fingerprint


def test_correcting_a_closed_quarter_needs_a_reason_and_is_stored_as_a_correction(db, s):
    s.close(db, "2026Q1")
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as refused:
            observe(db, "2026Q1", {CELL: "100.04"}, actor=s.dest, reason=reason)
        assert "WF-1.TAX_LOCAL" in refused.value.errors
    db.expire_all()
    observation = db.scalar(select(Observation).join(Project).where(
        Project.code == "WF-1", Observation.quarter == Q1, Observation.value == Decimal("100.01")))
    assert observation is not None and corrections(db) == []
    observe(db, "2026Q1", {CELL: "100.04"}, actor=s.dest, reason="退库更正")
    [correction] = corrections(db)
    assert (correction.observation_id, correction.old_value, correction.new_value,
            correction.reason, correction.corrected_by_id) == (
        observation.id, Decimal("100.01"), Decimal("100.04"), "退库更正", s.dest_user.id)


def test_a_value_entered_for_a_quarter_closed_while_missing_is_a_stored_correction(db, s):
    observe(db, "2026Q1", {OTHER: None}, actor=s.dest)  # WF-2 missing when 2026Q1 closes
    s.close(db, "2026Q1")
    with pytest.raises(ValidationFailed):
        observe(db, "2026Q1", {OTHER: "5.00"}, actor=s.dest)
    observe(db, "2026Q1", {OTHER: "5.00"}, actor=s.dest, reason="漏报补录")
    [correction] = corrections(db)
    assert (correction.old_value or Decimal(0), correction.new_value, correction.reason) == (
        Decimal(0), Decimal("5.00"), "漏报补录")


def test_a_correction_of_a_closed_quarter_returns_the_submitted_next_quarter_to_open(db, s):
    s.close(db, "2026Q1")
    observe(db, "2026Q2", {CELL: "1.00"}, actor=s.dest)
    q2 = workflow.submit(db, s.dest, s.id, Q2)
    workflow.confirm(db, s.src, s.id, Q2, SOURCE, q2.fingerprint)
    observe(db, "2026Q1", {CELL: "100.04"}, actor=s.dest, reason="更正")
    q2 = s.state(db, Q2)
    assert (q2.state, q2.confirmations, q2.fingerprint) == (QuarterState.OPEN, [], None)
    assert s.state(db, Q1).state is QuarterState.CLOSED


def test_a_correction_shows_as_prior_period_adjustments_in_the_first_open_quarter_only(db, s):
    s.close(db, "2026Q1")
    observe(db, "2026Q2", {CELL: "50.00", OTHER: "3.00"}, actor=s.dest)
    s.close(db, "2026Q2")
    observe(db, "2026Q3", {CELL: "10.00", OTHER: "1.00"}, actor=s.dest)
    # 2026Q1 corrected after 2026Q2 closed: WF-1 +0.03, WF-2 −0.02; net +0.01.
    observe(db, "2026Q1", {CELL: "100.04", OTHER: "6.98"}, actor=s.dest, reason="更正")
    q3 = statement_of(db, s.id, "2026Q3")
    assert q3.adjusts_against == "2026Q2"
    wf1 = row_of(q3, "WF-1")
    # R'(2026Q2): T 150.04 → 75.02 / 75.02; frozen 75.01 / 75.00 (from T 150.01).
    assert {p: line.adjustment for p, line in wf1.lines.items()} == {
        DESTINATION: Decimal("0.01"), SOURCE: Decimal("0.02")}
    assert sum(line.adjustment for line in wf1.lines.values()) == Decimal("0.03")
    assert sum(line.adjustment for line in row_of(q3, "WF-2").lines.values()) == Decimal("-0.02")
    total = total_of(q3)
    assert sum(line.adjustment for line in total.lines.values()) == Decimal("0.01")
    for row in [*q3.rows, total]:
        for line in row.lines.values():
            assert line.current + line.adjustment == line.total
    assert sum(line.current for line in total.lines.values()) == Decimal("11.00")
    assert all(line.adjustment == 0 for r in statement_of(db, s.id, "2026Q4").rows
               for line in r.lines.values())
    s.close(db, "2026Q3")
    q4 = statement_of(db, s.id, "2026Q4")
    assert q4.adjusts_against == "2026Q3"
    assert all(line.adjustment == 0 for r in q4.rows for line in r.lines.values())


def test_frozen_allocations_equal_the_statement_since_inception_per_party(db, s):
    s.close(db, "2026Q1")
    observe(db, "2026Q2", {CELL: "0.03", OTHER: "-1.01"}, actor=s.dest)
    s.close(db, "2026Q2")
    frozen, aq = workflow.statement_for(db, s.dest, s.id, Q2)
    rows = db.scalars(select(FrozenAllocation).where(FrozenAllocation.agreement_id == s.id,
                                                     FrozenAllocation.quarter == Q2))
    got = {(f.project_id, f.indicator_code, f.party_id): (
        f.cumulative_rounded, f.cumulative_total, f.fingerprint) for f in rows}
    projects = {c.project.code: c.project_id for c in s.agreement.covered}
    parties = {p.region.code: p.id for p in s.agreement.parties}
    assert got == {(projects[r.project_code], r.indicator, parties[code]): (
        line.since_inception, r.cumulative_total, aq.fingerprint)
        for r in frozen.rows for code, line in r.lines.items()}
    assert len(got) == 4
    assert got[projects["WF-1"], "TAX_LOCAL", parties[DESTINATION]][0] == Decimal("50.02")
    assert got[projects["WF-2"], "TAX_LOCAL", parties[SOURCE]][1] == Decimal("5.99")
