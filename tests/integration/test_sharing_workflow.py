"""The quarterly sign-off of access.md through the services and the database: OPEN → SUBMITTED →
CLOSED, confirmations in scope, four eyes, order, fingerprints, reopening and auditor reviews."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.codes import QuarterState, ReviewKind, Role
from app.domain.quarter import Quarter
from app.models import AuditEntry, FrozenAllocation, Review
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.sharing import workflow
from tests.factories import make_fund, make_project
from tests.integration.sharing_factories import DESTINATION, SOURCE, observe
from tests.integration.sharing_helpers import Setting, bureau, user_and_actor

Q1, Q2 = Quarter(2026, 1), Quarter(2026, 2)
CELL = ("WF-1", "TAX_LOCAL")


@pytest.fixture
def s(db):
    return Setting(db)


def test_quarter_moves_open_submitted_closed_when_each_party_bureau_confirmed(db, s):
    _statement, aq = workflow.statement_for(db, s.dest, s.id, Q1)
    assert aq is None or aq.state is QuarterState.OPEN
    aq = workflow.submit(db, s.dest, s.id, Q1)
    assert aq.state is QuarterState.SUBMITTED and aq.submitted_by_id == s.dest_user.id
    workflow.confirm(db, s.src, s.id, Q1, SOURCE, aq.fingerprint)
    assert s.state(db).state is QuarterState.SUBMITTED
    with pytest.raises(ValidationFailed, match="confirmed already"):
        workflow.confirm(db, s.src, s.id, Q1, SOURCE, aq.fingerprint)
    workflow.confirm(db, s.dest, s.id, Q1, DESTINATION, aq.fingerprint)
    aq = s.state(db)
    assert aq.state is QuarterState.CLOSED and aq.closed_at is not None
    assert {(c.party.region.code, c.user_id) for c in aq.confirmations} == {
        (SOURCE, s.src_user.id), (DESTINATION, s.dest_user.id)}
    assert all(c.fingerprint == aq.fingerprint for c in aq.confirmations)


def test_only_the_destination_bureau_submits(db, s):
    _auditor, auditor = user_and_actor(db, Role.AUDITOR)
    for outsider in (s.src, auditor):
        with pytest.raises(NotFound):
            workflow.submit(db, outsider, s.id, Q1)
    assert s.state(db) is None or s.state(db).state is QuarterState.OPEN


def test_a_bureau_cannot_confirm_for_the_other_party_nor_can_auditors_or_fund_managers(db, s):
    aq = workflow.submit(db, s.dest, s.id, Q1)
    with pytest.raises(NotFound):
        workflow.confirm(db, s.src, s.id, Q1, DESTINATION, aq.fingerprint)
    with pytest.raises(NotFound):
        workflow.confirm(db, s.dest, s.id, Q1, SOURCE, aq.fingerprint)
    _auditor, auditor = user_and_actor(db, Role.AUDITOR)
    _manager, manager = user_and_actor(db, Role.FUND_MANAGER, make_fund(db).code)
    for outsider in (auditor, manager, bureau(db, "340100")[1]):
        with pytest.raises(NotFound):
            workflow.confirm(db, outsider, s.id, Q1, SOURCE, aq.fingerprint)
    assert s.state(db).confirmations == []


def test_an_administrator_is_not_a_party_bureau_and_cannot_confirm(db, s):
    _admin, admin = user_and_actor(db, Role.ADMIN)
    aq = workflow.submit(db, s.dest, s.id, Q1)
    with pytest.raises(NotFound):
        workflow.confirm(db, admin, s.id, Q1, SOURCE, aq.fingerprint)


def test_four_eyes_the_submitter_cannot_be_the_only_confirmer_of_both_parties(db, s):
    aq = workflow.submit(db, s.province, s.id, Q1)
    workflow.confirm(db, s.province, s.id, Q1, DESTINATION, aq.fingerprint)
    with pytest.raises(ValidationFailed, match="four eyes"):
        workflow.confirm(db, s.province, s.id, Q1, SOURCE, aq.fingerprint)
    aq = s.state(db)
    assert aq.state is QuarterState.SUBMITTED and len(aq.confirmations) == 1
    workflow.confirm(db, s.src, s.id, Q1, SOURCE, aq.fingerprint)  # another user: fine
    assert s.state(db).state is QuarterState.CLOSED


def test_four_eyes_the_submitter_may_confirm_last_once_another_user_confirmed_one_side(db, s):
    aq = workflow.submit(db, s.province, s.id, Q1)
    workflow.confirm(db, s.src, s.id, Q1, SOURCE, aq.fingerprint)
    workflow.confirm(db, s.province, s.id, Q1, DESTINATION, aq.fingerprint)
    assert s.state(db).state is QuarterState.CLOSED


def test_quarters_are_submitted_in_order_except_the_agreement_first(db, s):
    with pytest.raises(ValidationFailed, match="2026Q1 must be closed first"):
        workflow.submit(db, s.dest, s.id, Q2)
    with pytest.raises(ValidationFailed):
        workflow.submit(db, s.dest, s.id, Quarter(2025, 4))  # before the agreement's first
    q1 = workflow.submit(db, s.dest, s.id, Q1)  # the first quarter needs nothing closed
    with pytest.raises(ValidationFailed, match="2026Q1 must be closed first"):
        workflow.submit(db, s.dest, s.id, Q2)  # submitted is not closed
    workflow.confirm(db, s.src, s.id, Q1, SOURCE, q1.fingerprint)
    workflow.confirm(db, s.dest, s.id, Q1, DESTINATION, q1.fingerprint)
    assert workflow.submit(db, s.dest, s.id, Q2).state is QuarterState.SUBMITTED
    with pytest.raises(ValidationFailed, match="not open"):
        workflow.submit(db, s.dest, s.id, Q1)  # closed


def test_confirming_a_stale_fingerprint_is_a_conflict_and_records_nothing(db, s):
    seen = workflow.submit(db, s.dest, s.id, Q1).fingerprint
    observe(db, "2026Q1", {CELL: "100.03"}, actor=s.dest)
    fresh = workflow.submit(db, s.dest, s.id, Q1).fingerprint
    assert fresh != seen
    for stale in (seen, "0" * 64):
        with pytest.raises(Conflict):
            workflow.confirm(db, s.src, s.id, Q1, SOURCE, stale)
    assert s.state(db).confirmations == []
    workflow.confirm(db, s.src, s.id, Q1, SOURCE, fresh)
    assert len(s.state(db).confirmations) == 1


def test_changing_an_observation_of_a_submitted_quarter_reopens_it_and_clears_confirmations(db, s):
    aq = workflow.submit(db, s.dest, s.id, Q1)
    workflow.confirm(db, s.src, s.id, Q1, SOURCE, aq.fingerprint)
    last_seq = db.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
    observe(db, "2026Q1", {CELL: "100.02"}, actor=s.dest)
    aq = s.state(db)
    assert aq.state is QuarterState.OPEN
    assert aq.confirmations == [] and aq.fingerprint is None
    logged = db.scalars(select(AuditEntry).where(AuditEntry.seq > last_seq)).all()
    assert any(e.entity == "agreement_quarters" and e.entity_id == str(aq.id)
               and e.changed_fields.get("state") == ["SUBMITTED", "OPEN"] for e in logged)
    assert any(e.entity == "confirmations" and e.action == "DELETE" for e in logged)
    assert any(e.entity == "observations" and e.action == "UPDATE" for e in logged)


def test_changes_outside_the_agreement_leave_a_submitted_quarter_submitted(db, s):
    aq = workflow.submit(db, s.dest, s.id, Q1)
    workflow.confirm(db, s.src, s.id, Q1, SOURCE, aq.fingerprint)
    make_project(db, "WF-9")  # not covered
    observe(db, "2026Q1", {("WF-1", "ENERGY"): "3.00", ("WF-9", "TAX_LOCAL"): "5.00"},
            actor=s.dest)  # ENERGY has no rule in the agreement
    observe(db, "2026Q2", {CELL: "9.00"}, actor=s.dest)  # a later quarter
    aq = s.state(db)
    assert aq.state is QuarterState.SUBMITTED and len(aq.confirmations) == 1
    workflow.confirm(db, s.dest, s.id, Q1, DESTINATION, aq.fingerprint)
    assert s.state(db).state is QuarterState.CLOSED


def test_an_administrator_reopens_only_the_latest_closed_quarter_with_a_reason(db, s):
    _admin_user, admin = user_and_actor(db, Role.ADMIN)
    s.close(db, "2026Q1")
    s.close(db, "2026Q2")
    with pytest.raises(NotFound):
        workflow.reopen(db, s.dest, s.id, Q2, "录入错误")
    with pytest.raises(ValidationFailed, match="reopen 2026Q2 first"):
        workflow.reopen(db, admin, s.id, Q1, "录入错误")
    with pytest.raises(ValidationFailed):
        workflow.reopen(db, admin, s.id, Q2, "  ")
    workflow.reopen(db, admin, s.id, Q2, "录入错误")
    q2 = s.state(db, Q2)
    assert (q2.state, q2.reopen_reason, q2.confirmations, q2.statement_json) == (
        QuarterState.OPEN, "录入错误", [], None)
    assert db.scalars(select(FrozenAllocation).where(FrozenAllocation.agreement_id == s.id,
                                                     FrozenAllocation.quarter == Q2)).all() == []
    logged = db.scalar(select(AuditEntry).where(AuditEntry.entity == "agreement_quarters",
                                                AuditEntry.entity_id == str(q2.id))
                       .order_by(AuditEntry.seq.desc()).limit(1))
    assert logged.changed_fields["reopen_reason"] == [None, "录入错误"]
    assert logged.changed_fields["state"] == ["CLOSED", "OPEN"]
    assert s.state(db, Q1).state is QuarterState.CLOSED
    workflow.reopen(db, admin, s.id, Q1, "更正")  # now the latest closed one
    assert s.state(db, Q1).state is QuarterState.OPEN


def test_a_later_quarter_cannot_close_while_an_earlier_one_is_reopened(db, s):
    _admin_user, admin = user_and_actor(db, Role.ADMIN)
    s.close(db, "2026Q1")
    q2 = workflow.submit(db, s.dest, s.id, Q2)
    workflow.reopen(db, admin, s.id, Q1, "录入错误")
    with pytest.raises((ValidationFailed, Conflict)):
        workflow.confirm(db, s.src, s.id, Q2, SOURCE, q2.fingerprint)
        workflow.confirm(db, s.dest, s.id, Q2, DESTINATION, q2.fingerprint)
    assert s.state(db, Q2).state is not QuarterState.CLOSED  # quarters close in order
    s.close(db, "2026Q1")
    if s.state(db, Q2).state is QuarterState.OPEN:
        workflow.submit(db, s.dest, s.id, Q2)
    fingerprint = s.state(db, Q2).fingerprint
    workflow.confirm(db, s.src, s.id, Q2, SOURCE, fingerprint)
    workflow.confirm(db, s.dest, s.id, Q2, DESTINATION, fingerprint)
    assert s.state(db, Q2).state is QuarterState.CLOSED


def test_auditors_review_and_query_and_a_party_bureau_answers_without_changing_state(db, s):
    _auditor_user, auditor = user_and_actor(db, Role.AUDITOR)
    _outsider_user, outsider = bureau(db, "340100")
    workflow.submit(db, s.dest, s.id, Q1)
    reviewed = workflow.review(db, auditor, s.id, Q1, ReviewKind.REVIEWED, "")
    assert not reviewed.is_open_query
    with pytest.raises(ValidationFailed):
        workflow.review(db, auditor, s.id, Q1, ReviewKind.QUERY, "   ")
    with pytest.raises(NotFound):
        workflow.review(db, s.dest, s.id, Q1, ReviewKind.REVIEWED, "")
    query = workflow.review(db, auditor, s.id, Q1, ReviewKind.QUERY, "WF-2 为何减少？")
    assert query.is_open_query and s.state(db).state is QuarterState.SUBMITTED
    with pytest.raises(NotFound):
        workflow.answer_query(db, outsider, query.id, "不知道")
    with pytest.raises(NotFound):
        workflow.answer_query(db, auditor, query.id, "审计不能回答")
    workflow.answer_query(db, s.src, query.id, "企业退税")
    db.expire_all()
    query = db.get(Review, query.id)
    assert (query.is_open_query, query.answer, query.answered_by_id) == (
        False, "企业退税", s.src_user.id)
    aq = s.state(db)
    assert aq.state is QuarterState.SUBMITTED and aq.fingerprint is not None
    assert [r.kind for r in aq.reviews] == [ReviewKind.REVIEWED, ReviewKind.QUERY]
