"""Who is told of what (docs/notifications.md): each event of the sign-off, the reversals and
the caps reaches the people who must act, never the actor, only active users, once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.domain.codes import ReviewKind, Role
from app.domain.quarter import Quarter
from app.models import Notification
from app.services.access.scopes import SYSTEM
from app.services.funds import reversals
from app.services.sharing import workflow
from tests.factories import actor_of, make_project, make_user
from tests.integration.sharing_factories import (
    DESTINATION,
    SOURCE,
    half_and_half,
    make_agreement,
    observe,
)
from tests.integration.sharing_helpers import INDICATOR, Setting, bureau
from tests.integration.test_reversal_requests import IN_Q3, World

Q1, Q2 = Quarter(2026, 1), Quarter(2026, 2)


def told(db, kind: str) -> dict[int, list[Notification]]:
    """The notifications of ``kind`` by recipient."""
    db.flush()
    found: dict[int, list[Notification]] = {}
    for item in db.scalars(select(Notification).where(Notification.kind == kind)):
        found.setdefault(item.user_id, []).append(item)
    return found


def test_each_step_of_the_sign_off_tells_the_others(db):
    s = Setting(db)
    national = make_user(db, Role.AUDITOR)
    heyuan_auditor = make_user(db, Role.AUDITOR, DESTINATION)
    elsewhere_auditor = make_user(db, Role.AUDITOR, "340100")  # 合肥市: not a party
    retired = make_user(db, Role.FINANCE_BUREAU, SOURCE)
    retired.is_active = False  # may no longer sign in: told nothing
    db.flush()

    aq = workflow.submit(db, s.dest, s.id, Q1)
    assert set(told(db, "quarter_submitted")) == {s.src_user.id}  # not Heyuan, not the retired

    workflow.confirm(db, s.src, s.id, Q1, SOURCE, aq.fingerprint)
    assert set(told(db, "quarter_confirmed")) == {s.dest_user.id, s.province_user.id}

    workflow.confirm(db, s.dest, s.id, Q1, DESTINATION, aq.fingerprint)
    closed = told(db, "quarter_closed")
    assert set(closed) == {s.src_user.id, s.province_user.id, national.id, heyuan_auditor.id}
    assert elsewhere_auditor.id not in closed and s.dest_user.id not in closed

    admin = actor_of(db, make_user(db, Role.ADMIN))
    workflow.reopen(db, admin, s.id, Q1, "数据更正 / corrected data")
    reopened = told(db, "quarter_reopened")
    assert set(reopened) == {s.dest_user.id, s.src_user.id, s.province_user.id}
    assert "corrected data" in reopened[s.dest_user.id][0].params

    # Submitted again after the reopening: a new event, told again.
    workflow.submit(db, s.dest, s.id, Q1)
    assert len(told(db, "quarter_submitted")[s.src_user.id]) == 2


def test_a_query_goes_to_the_bureaus_and_its_answer_to_the_auditor(db):
    s = Setting(db)
    auditor_user = make_user(db, Role.AUDITOR)
    review = workflow.review(db, actor_of(db, auditor_user), s.id, Q1, ReviewKind.QUERY,
                             "请提供原始统计报表")
    raised = told(db, "query_raised")
    assert set(raised) == {s.dest_user.id, s.src_user.id, s.province_user.id}
    assert raised[s.src_user.id][0].link.endswith(f"#review-{review.id}")
    workflow.review(db, actor_of(db, auditor_user), s.id, Q1, ReviewKind.REVIEWED, "ok")
    assert len(told(db, "query_raised")[s.src_user.id]) == 1  # a plain review tells nobody
    workflow.answer_query(db, s.src, review.id, "已上传 / uploaded")
    assert set(told(db, "query_answered")) == {auditor_user.id}


def test_reversal_requests_go_to_those_who_may_approve_and_decisions_to_the_requester(db):
    w = World(db)
    outcome = reversals.reverse(db, w.asker, "movement", w.call.id, IN_Q3, "entered twice")
    asked = told(db, "reversal_requested")
    assert set(asked) == {w.approver.user_id, w.admin.user_id}  # not the asker, not FE-2's
    assert asked[w.approver.user_id][0].link == f"/funds/{w.fund.id}/reversals"
    reversals.approve(db, w.approver, outcome.request.id, outcome.request.version)
    assert set(told(db, "reversal_approved")) == {w.asker.user_id}

    again = reversals.reverse(db, w.asker, "transaction", w.disbursement.id,
                              dt.date(2025, 9, 2), "wrong project")
    reversals.reject(db, w.admin, again.request.id, again.request.version, "it is right")
    rejected = told(db, "reversal_rejected")
    assert set(rejected) == {w.asker.user_id} and "it is right" in rejected[w.asker.user_id][
        0].params


def test_a_closed_cap_at_90_then_100_per_cent_tells_both_bureaus_once_each(db):
    make_project(db, "CP-1")
    agreement = make_agreement(db, "CP", ["CP-1"],
                               [half_and_half(first="2026Q1", caps=[("100.00", "AGREEMENT")])])
    dest_user, dest = bureau(db, DESTINATION)
    src_user, src = bureau(db, SOURCE)
    observe(db, "2026Q1", {("CP-1", INDICATOR): "190.00"})  # Shenzhen's half: 95 of 100
    observe(db, "2026Q2", {("CP-1", INDICATOR): "20.00"})  # then past the cap
    for quarter in (Q1, Q2):
        aq = workflow.submit(db, dest, agreement.id, quarter)
        workflow.confirm(db, src, agreement.id, quarter, SOURCE, aq.fingerprint)
        workflow.confirm(db, dest, agreement.id, quarter, DESTINATION, aq.fingerprint)
        if quarter == Q1:
            [first] = told(db, "cap_reached")[dest_user.id]
            assert '"percent": "90"' in first.params and '"used": "95.00"' in first.params
    caps = told(db, "cap_reached")
    assert set(caps) == {dest_user.id, src_user.id}
    assert [('"percent": "100"' in n.params) for n in caps[src_user.id]] == [False, True]
    # Reopened and closed again: the same crossing is not told twice.
    workflow.reopen(db, SYSTEM, agreement.id, Q2, "check")
    aq = workflow.submit(db, dest, agreement.id, Q2)
    workflow.confirm(db, src, agreement.id, Q2, SOURCE, aq.fingerprint)
    workflow.confirm(db, dest, agreement.id, Q2, DESTINATION, aq.fingerprint)
    assert len(told(db, "quarter_closed")[src_user.id]) == 3
    assert len(told(db, "cap_reached")[src_user.id]) == 2
