"""Four eyes on reversals that restate an issued fund report (access.md): a pending request
instead of the entry, approval by a second person who may edit the fund, rejection, conflicts,
one approval per entry, scope, the import path, and the restatement in the re-issued report."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import ReversalStatus, Role, TransactionType
from app.domain.quarter import Quarter
from app.models import (
    AuditEntry,
    InvestmentTransaction,
    Movement,
    ReversalRequest,
    User,
    set_actor,
)
from app.services.access.scopes import SYSTEM, actor_for
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.funds import investments, reversals
from app.services.funds import register as funds
from app.services.funds.ledger import restated_quarter
from app.services.reporting import issuing
from tests.factories import actor_of, add_lp, call, invest, make_fund, make_project, make_user
from tests.integration.report_helpers import pdf_text
from tests.integration.test_import_support import MOVEMENT_HEADER, csv_bytes, run

Q3 = Quarter(2025, 3)
IN_Q3 = dt.date(2025, 8, 10)
IN_Q4 = dt.date(2025, 11, 5)


class World:
    """Fund FE-1 with two managers, a call and a disbursement in 2025Q3 (reported), a call in
    2025Q4 (not reported); fund FE-2 with its own manager."""

    def __init__(self, db):
        self.fund = make_fund(db, "FE-1")
        add_lp(db, self.fund, "100000000.00", on=dt.date(2025, 1, 1))
        self.call = call(db, self.fund, "30000000.00", IN_Q3)
        self.late_call = call(db, self.fund, "5000000.00", IN_Q4)
        position = invest(db, self.fund, make_project(db))
        self.disbursement = investments.record_transaction(
            db, SYSTEM, position.id, investments.TransactionData(
                TransactionType.DISBURSEMENT, dt.date(2025, 9, 1), Decimal("12000000.00")))
        self.asker = actor_of(db, make_user(db, Role.FUND_MANAGER, "FE-1"))
        self.approver = actor_of(db, make_user(db, Role.FUND_MANAGER, "FE-1"))
        self.admin = actor_of(db, make_user(db, Role.ADMIN))
        other = make_fund(db, "FE-2")
        self.stranger = actor_of(db, make_user(db, Role.FUND_MANAGER, other.code))
        self.report = issuing.issue(db, SYSTEM, "fund", "FE-1", Q3)
        db.flush()


@pytest.fixture
def world(db):
    return World(db)


def _ask(db, world, kind="movement", entry=None, on=dt.date(2025, 9, 20), actor=None):
    entry = entry or (world.call if kind == "movement" else world.disbursement)
    return reversals.reverse(db, actor or world.asker, kind, entry.id, on, "录入错误 / typed twice")


def _reversal_of(db, model, entry_id):
    return db.scalar(select(model).where(model.reverses_id == entry_id))


def test_reversing_an_entry_of_a_reported_quarter_files_a_pending_request_and_writes_nothing(
        db, world):
    outcome = _ask(db, world)
    assert outcome.is_pending and outcome.entry is None
    request = outcome.request
    assert (request.status, request.restated_quarter, request.issued_report_id) == (
        ReversalStatus.PENDING, Q3, world.report.id)
    assert (request.requested_by_id, request.movement_id) == (world.asker.user_id, world.call.id)
    assert _reversal_of(db, Movement, world.call.id) is None


def test_reversing_an_entry_of_an_unreported_quarter_writes_the_reversal_at_once(db, world):
    outcome = _ask(db, world, entry=world.late_call, on=IN_Q4)
    assert not outcome.is_pending
    assert outcome.entry.reverses_id == world.late_call.id
    assert db.scalar(select(ReversalRequest.id)) is None


def test_a_reversal_dated_inside_a_reported_quarter_restates_it_whatever_the_entry_date():
    issued = {Q3}
    assert restated_quarter(issued, dt.date(2025, 5, 1), dt.date(2025, 9, 30)) == Q3
    assert restated_quarter(issued, dt.date(2025, 5, 1), dt.date(2025, 10, 1)) is None
    assert restated_quarter(issued, IN_Q3, dt.date(2026, 1, 5)) == Q3  # the entry's own quarter
    assert restated_quarter(set(), IN_Q3, IN_Q3) is None


def test_the_requester_cannot_approve_their_own_request(db, world):
    request = _ask(db, world).request
    with pytest.raises(ValidationFailed) as failed:
        reversals.approve(db, world.asker, request.id, request.version)
    assert "four eyes" in failed.value.errors["decided_by"][0]
    assert _reversal_of(db, Movement, world.call.id) is None


def test_another_manager_approves_and_the_reversal_is_written_linked_as_a_restatement(db, world):
    request = _ask(db, world, kind="transaction").request
    approved = reversals.approve(db, world.approver, request.id, request.version, "checked")
    entry = approved.reversal_transaction
    assert (approved.status, approved.decided_by_id) == (ReversalStatus.APPROVED,
                                                          world.approver.user_id)
    assert (entry.reverses_id, entry.signed_amount, entry.occurred_on) == (
        world.disbursement.id, Decimal("-12000000.00"), dt.date(2025, 9, 20))
    assert entry.note == "录入错误 / typed twice"
    db.flush()
    audited = {e.entity for e in db.scalars(select(AuditEntry))}
    assert {"reversal_requests", "investment_transactions"} <= audited


def test_an_administrator_may_approve(db, world):
    request = _ask(db, world).request
    assert reversals.approve(db, world.admin, request.id, request.version).status \
        is ReversalStatus.APPROVED


def test_a_rejection_says_why_and_leaves_the_ledger_unchanged(db, world):
    request = _ask(db, world).request
    with pytest.raises(ValidationFailed) as failed:
        reversals.reject(db, world.approver, request.id, request.version, "  ")
    assert "note" in failed.value.errors
    rejected = reversals.reject(db, world.approver, request.id, request.version,
                                "the call was right")
    assert (rejected.status, rejected.decision_note) == (ReversalStatus.REJECTED,
                                                          "the call was right")
    assert _reversal_of(db, Movement, world.call.id) is None
    with pytest.raises(ValidationFailed) as again:
        reversals.approve(db, world.admin, request.id, rejected.version)
    assert "rejected already" in again.value.errors["status"][0]


def test_approving_twice_names_the_status_and_a_stale_version_is_a_conflict(db, world):
    request = _ask(db, world).request
    version = request.version
    with pytest.raises(Conflict, match=r"^version: "):
        reversals.approve(db, world.approver, request.id, version + 7)
    reversals.approve(db, world.approver, request.id, version)
    with pytest.raises(ValidationFailed) as twice:
        reversals.approve(db, world.admin, request.id, version)
    assert "approved already" in twice.value.errors["status"][0]


def test_a_second_request_for_an_entry_waiting_for_approval_is_refused(db, world):
    _ask(db, world)
    with pytest.raises(ValidationFailed) as failed:
        _ask(db, world, actor=world.approver)
    assert "awaits approval already" in failed.value.errors["reverses"][0]


def test_of_two_requests_for_the_same_entry_only_one_can_be_approved(db, world):
    first = _ask(db, world).request
    # Two people asked at the same moment: both requests were filed.
    second = ReversalRequest(fund_id=first.fund_id, movement_id=first.movement_id,
                             reversed_on=first.reversed_on, reason="also wrong",
                             restated_quarter=Q3, issued_report_id=world.report.id,
                             requested_by_id=world.approver.user_id)
    db.add(second)
    db.flush()
    reversals.approve(db, world.approver, first.id, first.version)
    db.refresh(second)
    assert second.status is ReversalStatus.REJECTED
    assert f"request {first.id}" in second.decision_note
    with pytest.raises(ValidationFailed):
        reversals.approve(db, world.asker, second.id, second.version)
    assert len(db.scalars(select(Movement).where(Movement.reverses_id == world.call.id)).all()) == 1


def test_an_entry_reversed_meanwhile_cannot_be_reversed_again_on_approval(db, world):
    request = _ask(db, world).request
    funds.reverse_movement(db, SYSTEM, world.call.id, dt.date(2025, 9, 20), "operator fix")
    with pytest.raises(ValidationFailed) as failed:
        reversals.approve(db, world.approver, request.id, request.version)
    assert "reversed already" in failed.value.errors["reverses"][0]


def test_a_user_cannot_bypass_the_request_through_the_direct_writers(db, world):
    with pytest.raises(ValidationFailed) as failed:
        funds.reverse_movement(db, world.asker, world.call.id, dt.date(2025, 9, 20), "x")
    assert "2025Q3" in failed.value.errors["reverses"][0]
    with pytest.raises(ValidationFailed):
        investments.reverse_transaction(db, world.asker, world.disbursement.id,
                                        dt.date(2025, 9, 20), "x")


def test_another_funds_manager_can_neither_see_nor_decide_a_request(db, world):
    request = _ask(db, world).request
    for attempt in (lambda: reversals.get_request(db, world.stranger, request.id),
                    lambda: reversals.approve(db, world.stranger, request.id, request.version),
                    lambda: reversals.reject(db, world.stranger, request.id, request.version, "no"),
                    lambda: reversals.fund_requests(db, world.stranger, world.fund.id),
                    lambda: _ask(db, world, actor=world.stranger)):
        with pytest.raises(NotFound):
            attempt()
    assert reversals.pending_for(db, world.stranger) == []
    assert request.status is ReversalStatus.PENDING


def test_pending_for_lists_what_the_actor_may_decide_and_their_own_requests(db, world):
    mine = _ask(db, world).request
    theirs = _ask(db, world, kind="transaction", actor=world.approver).request
    listed = {p.id: p for p in reversals.pending_for(db, world.asker)}
    assert set(listed) == {mine.id, theirs.id}
    assert (listed[mine.id].is_mine, listed[mine.id].can_decide) == (True, False)
    assert (listed[theirs.id].can_decide, listed[theirs.id].entry_reference) == (
        True, world.disbursement.reference)
    assert (listed[mine.id].amount, listed[mine.id].fund_code) == (Decimal("30000000.00"), "FE-1")
    assert {p.id for p in reversals.pending_for(db, world.admin)} == {mine.id, theirs.id}
    reversals.approve(db, world.approver, mine.id, mine.version)
    assert [p.id for p in reversals.pending_for(db, world.asker)] == [theirs.id]


def test_the_reissued_report_marks_the_approved_reversal_as_a_restatement(db, world):
    request = _ask(db, world, kind="transaction").request
    reversals.approve(db, world.approver, request.id, request.version)
    second = issuing.issue(db, SYSTEM, "fund", "FE-1", Q3)
    assert second.version == 2 and second.changes > 0
    text = " ".join(pdf_text(issuing.fetch(db, SYSTEM, second.id)[1]).split())
    assert "更正说明 / Restatements" in text
    assert "restates issued 2025Q3" in text  # beside the reversing entry
    changes = issuing.restatements(db, SYSTEM, second.id)
    reversal = request.reversal_transaction.reference
    assert any(reversal in c.path and "2025Q3" in c.new for c in changes)
    assert any(c.path.endswith("disbursed") for c in changes)


def test_a_reversal_dated_in_the_next_quarter_is_marked_in_that_quarters_report(db, world):
    request = _ask(db, world, on=IN_Q4).request
    assert request.restated_quarter == Q3
    reversals.approve(db, world.approver, request.id, request.version)
    draft = issuing.draft(db, SYSTEM, "fund", "FE-1", Quarter(2025, 4))
    movement = draft.data["movements"][request.reversal_movement.reference]
    assert (movement["restates"], movement["reverses"]) == ("2025Q3", world.call.reference)
    assert "restates issued 2025Q3" in " ".join(pdf_text(draft.pdf).split())


def test_an_import_refuses_a_reversal_of_a_reported_quarter_and_points_to_the_web(db, world):
    db.commit()
    rows = [["FE-1-X1", "FE-1", "CAPITAL_CALL", "2025-09-20", "30000000.00", "",
             world.call.reference, "typed twice"]]
    result = run(db, world.asker, "movements", csv_bytes(MOVEMENT_HEADER, rows))
    assert not result.ok
    assert "2025Q3" in result.errors[0] and "web page" in result.errors[0]
    assert _reversal_of(db, Movement, world.call.id) is None
    late = [["FE-1-X2", "FE-1", "CAPITAL_CALL", "2025-11-20", "5000000.00", "",
             world.late_call.reference, "typed twice"]]
    assert run(db, world.asker, "movements", csv_bytes(MOVEMENT_HEADER, late)).ok


def test_the_operator_reverses_directly(db, world):
    outcome = reversals.reverse(db, SYSTEM, "transaction", world.disbursement.id,
                                dt.date(2025, 9, 20), "operator fix")
    assert not outcome.is_pending
    assert _reversal_of(db, InvestmentTransaction, world.disbursement.id) is not None


@pytest.mark.postgres_only
def test_two_managers_approving_at_the_same_moment_write_one_reversal(committing_engine):
    with Session(committing_engine) as session:
        set_actor(session, None, "tests:reversals")
        code = f"FR-{uuid.uuid4().hex[:6]}"
        fund = make_fund(session, code)
        entry = call(session, fund, "1000.00", IN_Q3)
        asker, first, second = (make_user(session, Role.FUND_MANAGER, code) for _ in range(3))
        issuing.issue(session, SYSTEM, "fund", code, Q3)
        request = reversals.reverse(session, actor_of(session, asker), "movement", entry.id,
                                    IN_Q3, "twice").request
        session.commit()
        ids = (request.id, request.version, entry.id)
        approvers = (first.id, second.id)
    both_read = threading.Barrier(2, timeout=30)

    def approve(user_id: int) -> str:
        with Session(committing_engine) as session:
            actor = actor_for(session.get(User, user_id))
            set_actor(session, user_id, actor.label)
            reversals.get_request(session, actor, ids[0])
            both_read.wait()
            try:
                reversals.approve(session, actor, ids[0], ids[1])
                session.commit()
                return "approved"
            except (Conflict, ValidationFailed):
                session.rollback()
                return "refused"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(approve, approvers))
    assert outcomes == ["approved", "refused"]
    with Session(committing_engine) as session:
        assert len(session.scalars(select(Movement).where(
            Movement.reverses_id == ids[2])).all()) == 1
        assert session.get(ReversalRequest, ids[0]).status is ReversalStatus.APPROVED
