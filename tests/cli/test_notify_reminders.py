"""The cycle's reminders through ``flask notify send`` on the demo, against a real SMTP server:
Heyuan's bureau is told its open quarter is overdue, once; a second run sends nothing new; a
tier ending within 90 days is announced once to every party's bureau."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.demo import funds as demo
from app.domain.quarter import Quarter
from app.models import Agreement, Notification, RuleTier, SharingRule, User
from app.services.sharing import reminder_events
from app.services.sharing.deadlines import local_today
from app.services.sharing.reminders import OVERDUE, reminders_due
from tests.cli.notify_helpers import mail_app, notify_send
from tests.mail import SmtpServer

HEYUAN = "bureau.heyuan@demo.example"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def _kinds(db, email: str) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(Notification.kind).join(User, User.id == Notification.user_id)
                           .where(User.email == email)
                           .order_by(Notification.id)))


def test_the_demo_overdue_quarter_reminds_heyuan_once_by_email(db, database_url, connection,
                                                               smtp):
    demo.load_demo(db)
    db.commit()
    today = local_today(db)
    due = [r for r in reminders_due(db, today) if "441600" in r.destination_codes]
    overdue = [r for r in due if r.kind == OVERDUE]
    open_quarter = Quarter.containing(today) - 1
    # The demo leaves Heyuan's latest ended quarter unsubmitted: past its on-time date (15 days
    # after the quarter), it is overdue.
    if today > open_quarter.last_day + dt.timedelta(days=15):
        assert [r.quarter for r in overdue if r.agreement_code == "SZHY-2024-01"] == [open_quarter]
    app = mail_app(database_url, connection, smtp.url)

    first = notify_send(app)
    assert first.exit_code == 0, first.output
    to_heyuan = smtp.catcher.to(HEYUAN)
    assert len(to_heyuan) == len(due)
    if overdue:
        reminder = overdue[0]
        subjects = [m["Subject"] for m in to_heyuan]
        assert any(reminder.agreement_code in s and str(reminder.quarter) in s for s in subjects)
        body = next(m.get_content() for m in to_heyuan if str(reminder.quarter) in m["Subject"])
        assert reminder.timely.isoformat() in body  # the date it was due, in the reader's words

    count = len(smtp.catcher.messages)
    again = notify_send(app)
    assert again.exit_code == 0, again.output
    assert len(smtp.catcher.messages) == count  # nothing new: each reminder has its key
    assert "sent 0" in again.output


def test_a_tier_ending_within_90_days_is_announced_once(db):
    demo.load_demo(db)
    tier = db.scalars(select(RuleTier).join(SharingRule).join(Agreement)
                      .where(Agreement.code == "SZHY-2024-01").order_by(RuleTier.id)).first()
    tier.last_quarter = Quarter.containing(local_today(db)) + 1
    today = tier.last_quarter.last_day - dt.timedelta(days=90)  # the first day it is announced
    db.flush()
    assert reminder_events.raise_tier_endings(db, today - dt.timedelta(days=1)) == 0
    stored = reminder_events.raise_tier_endings(db, today)
    assert stored >= 2  # the bureaus of both parties
    assert reminder_events.raise_tier_endings(db, today) == 0
    far = today - dt.timedelta(days=200)  # 200 days before, the end is not yet announced
    tier.last_quarter = Quarter.containing(today + dt.timedelta(days=300))
    db.flush()
    assert reminder_events.raise_tier_endings(db, far) == 0
    kinds = db.scalars(select(Notification.kind).where(Notification.kind == "tier_ending")).all()
    assert len(kinds) == stored
