"""``flask notify send`` against a real SMTP server (aiosmtpd on 127.0.0.1): one e-mail per
event in the recipient's language and never twice, digests, a server that is down, refusals
given up after five attempts, the issued PDF attached."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from app.domain.codes import Role
from app.domain.quarter import Quarter
from app.models import Notification
from app.models.base import utcnow
from app.services.access import users
from app.services.access.scopes import SYSTEM
from app.services.notifications import delivery, inbox
from app.services.reporting import issuing
from app.services.sharing import workflow
from tests.cli.notify_helpers import items_of, mail_app, notify_send
from tests.factories import actor_of, make_user
from tests.integration.report_helpers import Q, build_world
from tests.integration.sharing_helpers import Setting
from tests.mail import SmtpServer, free_port
from tests.web.helpers import client_of

Q1 = Quarter(2026, 1)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def s(db):
    return Setting(db)


@pytest.fixture
def mailing(database_url, connection, smtp):
    return mail_app(database_url, connection, smtp.url)


def test_a_submission_reaches_the_other_bureau_in_the_app_and_once_by_email_in_its_language(
        db, s, smtp, mailing):
    users.set_locale(db, s.src_user.id, "zh")
    workflow.submit(db, s.dest, s.id, Q1)
    db.commit()
    [item] = items_of(db, s.src_user)
    assert item.kind == "quarter_submitted" and item.read_at is None
    assert item.link == f"/agreements/{s.id}/quarters/2026Q1/"
    assert items_of(db, s.dest_user) == []  # never the actor themself
    assert inbox.unread_count(db, s.src_user.id) == 1

    result = notify_send(mailing)
    assert result.exit_code == 0, result.output
    assert "sent 1, failed 0, pending 0" in result.output
    [message] = smtp.catcher.to(s.src_user.email)
    assert len(smtp.catcher.messages) == 1
    assert message["Subject"] == "WF 2026Q1 已提交"
    body = message.get_content()
    assert "提交了协议 WF" in body and "https://ledger.test.example/agreements/" in body
    assert items_of(db, s.src_user)[0].email_state == "SENT"

    again = notify_send(mailing)
    assert again.exit_code == 0 and "sent 0, failed 0, pending 0" in again.output
    assert len(smtp.catcher.messages) == 1


def test_an_english_reader_gets_the_english_text(db, s, smtp, mailing):
    workflow.submit(db, s.dest, s.id, Q1)
    db.commit()
    assert notify_send(mailing).exit_code == 0
    [message] = smtp.catcher.to(s.src_user.email)
    assert message["Subject"] == "WF 2026Q1 was submitted"
    assert f"{s.dest_user.name} submitted 2026Q1 of agreement WF" in message.get_content()


def test_a_rolled_back_action_leaves_no_notification(db, s):
    nested = db.begin_nested()
    workflow.submit(db, s.dest, s.id, Q1)
    assert len(items_of(db, s.src_user)) == 1  # written in the action's own transaction
    nested.rollback()
    assert items_of(db, s.src_user) == []


def test_the_same_event_is_stored_once_per_recipient(db, s):
    aq = workflow.submit(db, s.dest, s.id, Q1)
    from app.services.notifications import events
    assert events.quarter_submitted(db, aq, s.dest_user.id, "x", aq.agreement.parties) == 0
    assert len(items_of(db, s.src_user)) == 1


def test_digest_users_get_one_message_listing_their_items(db, s, smtp, mailing):
    inbox.set_email_mode(db, s.src_user.id, "DIGEST")
    aq = workflow.submit(db, s.dest, s.id, Q1)
    auditor = actor_of(db, make_user(db, Role.AUDITOR))
    from app.domain.codes import ReviewKind
    workflow.review(db, auditor, s.id, Q1, ReviewKind.QUERY, "Where is the tax receipt?")
    db.commit()
    assert len(items_of(db, s.src_user)) == 2 and aq is not None
    result = notify_send(mailing)
    assert result.exit_code == 0, result.output
    [digest] = smtp.catcher.to(s.src_user.email)
    body = digest.get_content()
    assert "Daily digest" in digest["Subject"] and "2 notifications" in digest["Subject"]
    assert "1. WF 2026Q1 was submitted" in body and "2. Auditor's query on WF 2026Q1" in body
    assert "Where is the tax receipt?" in body
    assert {i.email_state for i in items_of(db, s.src_user)} == {"DIGESTED"}
    # A later item waits for tomorrow's digest: a second run today sends this user nothing.
    workflow.review(db, auditor, s.id, Q1, ReviewKind.QUERY, "And the land certificate?")
    db.commit()
    assert notify_send(mailing).exit_code == 0
    assert len(smtp.catcher.to(s.src_user.email)) == 1
    assert [i.email_state for i in items_of(db, s.src_user)] == ["DIGESTED", "DIGESTED",
                                                                 "PENDING"]
    # Tomorrow from the digest hour on, it is due.
    tomorrow = utcnow() + dt.timedelta(days=1)
    cutoff = delivery.digest_cutoff(tomorrow, 8, "Asia/Shanghai")
    assert delivery.digest_users(db, tomorrow, cutoff) == [s.src_user.id]


def test_off_means_the_inbox_only(db, s, smtp, mailing):
    inbox.set_email_mode(db, s.src_user.id, "OFF")
    workflow.submit(db, s.dest, s.id, Q1)
    db.commit()
    assert notify_send(mailing).exit_code == 0
    assert smtp.catcher.messages == []
    [item] = items_of(db, s.src_user)
    assert item.email_state == "SKIPPED" and item.read_at is None


def test_without_mail_url_only_the_inbox_is_used(db, s, app):
    workflow.submit(db, s.dest, s.id, Q1)
    db.commit()
    result = notify_send(app)
    assert result.exit_code == 0 and "no MAIL_URL" in result.output
    assert items_of(db, s.src_user)[0].email_state == "SKIPPED"


def test_a_server_that_is_down_exits_non_zero_and_loses_nothing(db, s, database_url,
                                                                 connection):
    port = free_port()
    workflow.submit(db, s.dest, s.id, Q1)
    db.commit()
    down = notify_send(mail_app(database_url, connection, f"smtp://127.0.0.1:{port}"))
    assert down.exit_code == 1
    assert "1 e-mails not delivered" in down.output and "pending 1" in down.output
    [item] = items_of(db, s.src_user)
    assert item.email_state == "PENDING" and item.attempts == 0
    server = SmtpServer(port).start()
    try:
        later = notify_send(mail_app(database_url, connection, server.url))
        assert later.exit_code == 0 and "sent 1" in later.output
        assert len(server.catcher.to(s.src_user.email)) == 1
    finally:
        server.stop()


def test_five_refusals_make_a_delivery_failed_and_shown_to_administrators(
        db, s, smtp, mailing, app):
    smtp.catcher.refuse.add(s.src_user.email)
    workflow.submit(db, s.dest, s.id, Q1)
    db.commit()
    for attempt in range(1, 6):
        result = notify_send(mailing)
        assert result.exit_code == 0 and "failed 1" in result.output, result.output
        [item] = items_of(db, s.src_user)
        assert item.attempts == attempt and "no such mailbox" in item.last_error
        if attempt < 5:
            assert item.email_state == "PENDING"
            assert item.next_attempt_at > utcnow() + dt.timedelta(minutes=2 ** (attempt - 1)) \
                - dt.timedelta(seconds=30)
            item.next_attempt_at = utcnow() - dt.timedelta(seconds=1)  # the back-off has passed
            db.commit()
    assert item.email_state == "FAILED"
    assert notify_send(mailing).output.startswith("sent 0, failed 0, pending 0")

    admin = client_of(app, make_user(db, Role.ADMIN))
    page = admin.get("/admin/notifications/failed")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert s.src_user.email in text and "no such mailbox" in text
    assert admin.post(f"/admin/notifications/{item.id}/retry").status_code == 302
    smtp.catcher.refuse.clear()
    assert "sent 1" in notify_send(mailing).output
    assert items_of(db, s.src_user)[0].email_state == "SENT"


def test_an_issued_report_mail_carries_the_issued_pdf(db, smtp, mailing):
    world = build_world(db)
    issuer = actor_of(db, make_user(db, Role.FUND_MANAGER, world.fund.code))
    reader = make_user(db, Role.FUND_MANAGER, world.fund.code, locale="zh")
    report = issuing.issue(db, issuer, "fund", world.fund.code, Q)
    db.commit()
    assert notify_send(mailing).exit_code == 0
    [message] = smtp.catcher.to(reader.email)
    [attachment] = list(message.iter_attachments())
    pdf = attachment.get_content()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"fund-{world.fund.code}-{Q}-v1.pdf"
    assert hashlib.sha256(pdf).hexdigest() == report.sha256
    assert report.sha256 in message.get_body(("plain",)).get_content()
    assert smtp.catcher.to(issuer.label) == []


def test_statement_reports_go_to_both_bureaus(db):
    world = build_world(db)
    report = issuing.issue(db, world.dest, "statement", world.agreement.code, Q)
    told = set(db.scalars(select(Notification.user_id).where(
        Notification.report_id == report.id)))
    assert told == {world.src_user.id}  # the other party's bureau; never the issuer
    operator = issuing.issue(db, SYSTEM, "region", "441600", Q)
    told = set(db.scalars(select(Notification.user_id).where(
        Notification.report_id == operator.id)))
    assert told == {world.dest_user.id}  # 河源市's regional report: its bureau
