"""Which e-mails are due, claiming them, composing them and recording the outcome.

``notify send`` (app/cli/notify.py) runs these in short transactions: claim a batch (``SELECT …
FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several servers never take the same row; SQLite
writes one transaction at a time), send, record, commit. A refused message is retried after
1, 2, 4, 8 minutes … (:data:`BACKOFF_MINUTES` doubled per attempt); the fifth refusal makes it
FAILED, listed for administrators. Times are UTC; the digest hour is local (``TIME_ZONE``)."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from app.models import IssuedReport, IssuedReportContent, Notification, User
from app.services.notifications.texts import render, translate

MAX_ATTEMPTS = 5
BACKOFF_MINUTES = 1
BATCH = 20


def _due(now: dt.datetime):
    return and_(Notification.email_state == "PENDING",
                or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))


def skip_unmailed(session: Session, *, mail_on: bool) -> int:
    """Mark SKIPPED the pending e-mails that will never be sent: all of them without a mail
    server, else those of users who chose no e-mail or are no longer active."""
    query = update(Notification).where(Notification.email_state == "PENDING")
    if mail_on:
        query = query.where(Notification.user_id.in_(select(User.id).where(
            or_(User.email_mode == "OFF", User.is_active.is_(False)))))
    result = session.execute(query.values(email_state="SKIPPED")
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def claim_each(session: Session, now: dt.datetime, limit: int = BATCH) -> list[Notification]:
    """Due e-mails of users who want one per event, oldest first, locked for this transaction
    (rows another server holds are skipped)."""
    return list(session.scalars(
        select(Notification).join(User, User.id == Notification.user_id)
        .where(_due(now), User.email_mode == "EACH")
        .order_by(Notification.id).limit(limit)
        .with_for_update(skip_locked=True, of=Notification)))


def digest_cutoff(now: dt.datetime, hour: int, time_zone: str) -> dt.datetime:
    """The latest moment at ``hour`` o'clock local time not after ``now`` (UTC)."""
    local = now.astimezone(ZoneInfo(time_zone))
    cut = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if cut > local:
        cut -= dt.timedelta(days=1)
    return cut.astimezone(dt.UTC)


def _digested_since(cutoff: dt.datetime):
    sent = aliased(Notification)
    return exists().where(sent.user_id == Notification.user_id, sent.email_state == "DIGESTED",
                          sent.sent_at >= cutoff)


def digest_users(session: Session, now: dt.datetime, cutoff: dt.datetime) -> list[int]:
    """Users who want a daily digest, have due items and had no digest since ``cutoff``."""
    return list(session.scalars(
        select(Notification.user_id).join(User, User.id == Notification.user_id)
        .where(_due(now), User.email_mode == "DIGEST", ~_digested_since(cutoff))
        .group_by(Notification.user_id).order_by(Notification.user_id)))


def claim_digest(session: Session, user_id: int, now: dt.datetime, cutoff: dt.datetime,
                 limit: int = 200) -> list[Notification]:
    """A digest user's pending items, locked (empty if another server holds them or sent the
    day's digest meanwhile)."""
    items = list(session.scalars(
        select(Notification).where(Notification.user_id == user_id, _due(now))
        .order_by(Notification.id).limit(limit).with_for_update(skip_locked=True)))
    if items and session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user_id, Notification.email_state == "DIGESTED",
            Notification.sent_at >= cutoff)):
        return []
    return items


def record_sent(items: list[Notification], now: dt.datetime, state: str = "SENT") -> None:
    """The e-mail of ``items`` went out (one each, or one digest: DIGESTED)."""
    for item in items:
        item.email_state, item.sent_at, item.last_error = state, now, None
        item.attempts += 1
        item.next_attempt_at = None


def record_failure(items: list[Notification], now: dt.datetime, error: str) -> int:
    """The server refused the e-mail of ``items``: retry later, or FAILED after the fifth
    refusal; return how many became FAILED."""
    failed = 0
    for item in items:
        item.attempts += 1
        item.last_error = error[:1000]
        if item.attempts >= MAX_ATTEMPTS:
            item.email_state, item.next_attempt_at = "FAILED", None
            failed += 1
        else:
            item.next_attempt_at = now + dt.timedelta(
                minutes=BACKOFF_MINUTES * 2 ** (item.attempts - 1))
    return failed


def pending_count(session: Session) -> int:
    """E-mails still queued (due now or waiting for a retry)."""
    return session.scalar(select(func.count(Notification.id)).where(
        Notification.email_state == "PENDING")) or 0


def _address(user: User) -> str:
    return formataddr((user.name, user.email))


def _footer(locale: str, base_url: str) -> str:
    return translate("You receive this e-mail because of your choice on your profile page "
                     "(%(link)s): one e-mail per event, a daily digest, or none.", locale,
                     link=f"{base_url}/profile")


def _attach_report(session: Session, message: EmailMessage, report_id: int) -> None:
    report = session.get(IssuedReport, report_id)
    content = session.get(IssuedReportContent, report_id)
    if report is None or content is None:
        return
    name = f"{report.kind}-{report.subject_code}-{report.quarter}-v{report.version}.pdf"
    message.add_attachment(content.pdf, maintype="application", subtype="pdf", filename=name)


def compose(session: Session, item: Notification, sender: str, base_url: str) -> EmailMessage:
    """One notification's e-mail, in the recipient's language, with the issued PDF attached."""
    user = item.user
    subject, body = render(item.kind, item.params, user.locale)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"], message["To"] = sender, _address(user)
    message["Message-ID"] = make_msgid(idstring=f"n{item.id}")
    message["Date"] = formatdate(usegmt=True)
    link = translate("Open: %(link)s", user.locale, link=base_url + item.link)
    message.set_content(f"{body}\n\n{link}\n\n-- \n{_footer(user.locale, base_url)}\n")
    if item.report_id is not None:
        _attach_report(session, message, item.report_id)
    return message


def compose_digest(session: Session, user: User, items: list[Notification], sender: str,
                   base_url: str, day: str) -> EmailMessage:
    """The day's digest of a user: one message listing every item (no attachments: each item
    links to its document)."""
    locale = user.locale
    message = EmailMessage()
    message["Subject"] = translate("Daily digest of %(day)s: %(count)s notifications", locale,
                                   day=day, count=str(len(items)))
    message["From"], message["To"] = sender, _address(user)
    message["Message-ID"] = make_msgid(idstring=f"d{user.id}")
    message["Date"] = formatdate(usegmt=True)
    lines = []
    for number, item in enumerate(items, start=1):
        subject, body = render(item.kind, item.params, locale)
        lines.append(f"{number}. {subject}\n   {body}\n   {base_url}{item.link}")
    inbox = translate("Your inbox: %(link)s", locale, link=f"{base_url}/notifications")
    message.set_content("\n\n".join(lines) + f"\n\n{inbox}\n\n-- \n{_footer(locale, base_url)}\n")
    return message
