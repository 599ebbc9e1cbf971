"""Who settlement tells (settlement.md, notifications.md): a run or a new version computed → the
bureaus of its parties (never the one who computed it); a notice recorded → the other party's
bureau and the auditors of the parties; a difference open more than 30 days → its pair's bureaus
and auditors, once, then at most weekly (a reminder source of ``notify send``)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update

from app.domain.codes import Role
from app.domain.quarter import Quarter
from app.models import Notification, SettlementDifference
from app.models.base import utcnow
from app.services.access.scopes import SYSTEM
from app.services.errors import ValidationFailed
from app.services.notifications import texts
from app.services.settlement import events, notices
from app.services.sharing import workflow
from tests.factories import actor_of, make_user
from tests.integration.settlement_helpers import TAX, Example
from tests.integration.sharing_factories import observe
from tests.integration.test_notification_events import told


def test_a_computed_run_and_each_new_version_tell_the_parties_bureaus(db):
    world = Example(db, years=1)
    auditor = make_user(db, Role.AUDITOR)
    v1, made = world.compute(db, world.first, actor=world.dest)
    assert made
    ready = told(db, "settlement_run_ready")
    assert set(ready) == {world.src_user.id}  # not Heyuan's bureau, who computed it; no auditor
    assert auditor.id not in ready
    [item] = ready[world.src_user.id]
    assert json.loads(item.params)["version"] == "1"
    assert item.link == f"/agreements/{world.id}/settlement/runs/{v1.id}"
    world.compute(db, world.first, actor=world.src)  # unchanged: no new event
    assert sum(map(len, told(db, "settlement_run_ready").values())) == 1
    workflow.reopen(db, SYSTEM, world.id, Quarter(world.first, 4), "更正申报")
    observe(db, f"{world.first}Q4", {(world.project, TAX): "7600000.00"}, reason="补缴税款")
    world.close_year(db, world.first, quarters=(4,))
    v2, made = world.compute(db, world.first)  # the command line: every party's bureau
    assert made and v2.number == 2
    ready = told(db, "settlement_run_ready")
    assert {u: [json.loads(i.params)["version"] for i in items] for u, items in ready.items()} \
        == {world.src_user.id: ["1", "2"], world.dest_user.id: ["2"]}


def test_a_recorded_notice_tells_the_other_bureau_and_the_auditors(db):
    world = Example(db, years=1)
    national = make_user(db, Role.AUDITOR)
    shenzhen_auditor = make_user(db, Role.AUDITOR, "440300")
    elsewhere = make_user(db, Role.AUDITOR, "340100")  # 合肥市: not a party
    run, _ = world.compute(db, world.first)
    world.confirm(db, run)
    notice = world.notice(db, world.first, "14900000.00", number="N-7",
                          reason="REFUND_AFTER_CUTOFF")
    recorded = told(db, "settlement_notice_recorded")
    assert set(recorded) == {world.src_user.id, national.id, shenzhen_auditor.id}
    assert elsewhere.id not in recorded and world.dest_user.id not in recorded
    item = recorded[world.src_user.id][0]
    assert (item.object_kind, item.object_id) == ("settlement_notice", notice.id)
    english = texts.render(item.kind, item.params, "en")
    assert english[0] == f"Settlement notice N-7 recorded for SE {world.first}"
    assert "14,900,000.00 yuan" in english[1]


def test_a_notice_refused_tells_nobody(db):
    world = Example(db, years=1)
    run, _ = world.compute(db, world.first)
    world.confirm(db, run)
    with pytest.raises(ValidationFailed):
        world.notice(db, world.first, "-1.00")
    assert told(db, "settlement_notice_recorded") == {}


def _open_difference(db):
    world = Example(db, years=1)
    auditor = make_user(db, Role.AUDITOR, "441600")
    run, _ = world.compute(db, world.first)
    world.confirm(db, run)
    world.notice(db, world.first, "14900000.00", reason="REFUND_AFTER_CUTOFF")
    difference = db.scalar(select(SettlementDifference))
    return world, auditor, difference


def _age(db, difference, days: int) -> dt.date:
    """Backdate the difference's opening: ``days`` before today; today's date."""
    today = utcnow().date()
    db.execute(update(SettlementDifference).where(SettlementDifference.id == difference.id)
               .values(opened_at=utcnow() - dt.timedelta(days=days)))
    db.expire_all()
    return today


def test_a_difference_open_more_than_30_days_is_reminded_once_then_weekly(db):
    world, auditor, difference = _open_difference(db)
    today = _age(db, difference, 30)
    assert events.raise_difference_reminders(db, today) == 0  # 30 days: not yet
    today = _age(db, difference, 31)
    assert events.raise_difference_reminders(db, today) == 3
    reminded = told(db, "settlement_difference_open")
    assert set(reminded) == {world.dest_user.id, world.src_user.id, auditor.id}
    params = json.loads(reminded[auditor.id][0].params)
    assert (params["days"], params["difference"], params["due"]) == (
        "31", "-100,000.00", "15,000,000.00")
    for later in (1, 6):  # the same week of age: nothing new
        assert events.raise_difference_reminders(db, today + dt.timedelta(days=later)) == 0
    assert events.raise_difference_reminders(db, today + dt.timedelta(days=7)) == 3
    assert events.raise_difference_reminders(db, today + dt.timedelta(days=8)) == 0
    assert [n.event_key for n in told(db, "settlement_difference_open")[auditor.id]] == [
        f"settlement_difference_open:{difference.id}:week0",
        f"settlement_difference_open:{difference.id}:week1"]


def test_a_resolved_difference_is_no_longer_reminded(db):
    _world, auditor, difference = _open_difference(db)
    today = _age(db, difference, 45)
    notices.resolve(db, actor_of(db, auditor), difference.id, "booked with the next settlement")
    assert events.raise_difference_reminders(db, today) == 0


def test_notify_send_runs_the_difference_reminders(db, app):
    _world, _auditor, difference = _open_difference(db)
    _age(db, difference, 40)
    db.commit()
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    keys = set(db.scalars(select(Notification.event_key).where(
        Notification.kind == "settlement_difference_open")))
    assert keys == {f"settlement_difference_open:{difference.id}:week1"}


def test_the_settlement_texts_read_in_chinese(db):
    _world, _auditor, difference = _open_difference(db)
    today = _age(db, difference, 31)
    events.raise_difference_reminders(db, today)
    for kind in ("settlement_run_ready", "settlement_notice_recorded",
                 "settlement_difference_open"):
        item = db.scalars(select(Notification).where(Notification.kind == kind)).first()
        subject_zh, body_zh = texts.render(kind, item.params, "zh")
        subject_en, body_en = texts.render(kind, item.params, "en")
        assert subject_zh != subject_en and body_zh != body_en
        assert "SE" in subject_zh and "—" not in body_zh + body_en  # every param filled in
        assert texts.label(kind, "zh") != texts.label(kind, "en")
