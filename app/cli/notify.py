"""``flask --app wsgi notify send``: deliver what is due, then exit (cron or a systemd timer).

First each reminder source raises the date-based notifications due now (unique event keys make
a rerun harmless); then pending e-mails go out one per event, and the daily digests of users who
chose one (at or after ``MAIL_DIGEST_HOUR`` local time). Safe on several servers at once: each
e-mail is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL). Prints one summary line;
exits 1 when the mail server is down (nothing is lost: the e-mails stay queued)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from app.db import get_session
from app.models import User, set_actor
from app.models.base import utcnow
from app.services.notifications import delivery
from app.services.notifications.mailer import MailDown, Mailer, MessageRefused
from app.services.settlement import events as settlement_events
from app.services.sharing import reminder_events


def _local_date(now: dt.datetime) -> dt.date:
    """``now`` (UTC) as a date where the bureaus are (``TIME_ZONE``)."""
    return now.astimezone(ZoneInfo(current_app.config["TIME_ZONE"])).date()


REMINDER_SOURCES: list[Callable[[Session, dt.datetime], object]] = [
    lambda session, now: reminder_events.raise_quarter_reminders(session, _local_date(now)),
    lambda session, now: reminder_events.raise_tier_endings(session, _local_date(now)),
    lambda session, now: settlement_events.raise_difference_reminders(session,
                                                                      _local_date(now)),
]
"""Callables ``source(session, now)`` that raise the reminders due at ``now`` (UTC) through
``app.services.notifications.outbox.raise_event``, with event keys that name the date, so running
them every few minutes stores each reminder once. ``notify send`` commits after each source."""

group = AppGroup("notify", help="Notifications: deliver the e-mails that are due.")


class _Run:
    """What one run did."""

    def __init__(self):
        self.sent = self.refused = self.failed = 0
        self.down: MailDown | None = None


def _send_each(session: Session, mailer: Mailer, run: _Run, now: dt.datetime) -> None:
    config = current_app.config
    while run.down is None:
        items = delivery.claim_each(session, now)
        if not items:
            return
        for item in items:
            try:
                mailer.send(delivery.compose(session, item, config["MAIL_FROM"],
                                             config["BASE_URL"]))
            except MessageRefused as exc:
                run.refused += 1
                run.failed += delivery.record_failure([item], now, str(exc))
            except MailDown as exc:
                run.down = exc
                break
            else:
                delivery.record_sent([item], now)
                run.sent += 1
        session.commit()


def _send_digests(session: Session, mailer: Mailer, run: _Run, now: dt.datetime) -> None:
    config = current_app.config
    cutoff = delivery.digest_cutoff(now, config["MAIL_DIGEST_HOUR"], config["TIME_ZONE"])
    day = cutoff.astimezone(ZoneInfo(config["TIME_ZONE"])).date().isoformat()
    for user_id in delivery.digest_users(session, now, cutoff):
        if run.down is not None:
            return
        items = delivery.claim_digest(session, user_id, now, cutoff)
        if items:
            message = delivery.compose_digest(session, session.get(User, user_id), items,
                                              config["MAIL_FROM"], config["BASE_URL"], day)
            try:
                mailer.send(message)
            except MessageRefused as exc:
                run.refused += 1
                run.failed += delivery.record_failure(items, now, str(exc))
            except MailDown as exc:
                run.down = exc
            else:
                delivery.record_sent(items, now, "DIGESTED")
                run.sent += 1
        session.commit()


@group.command("send")
def send() -> None:
    """Raise the reminders due, send the e-mails due and the daily digests, print a summary."""
    session = get_session()
    set_actor(session, None, "cli:notify")
    now = utcnow()
    for source in REMINDER_SOURCES:
        source(session, now)
        session.commit()
    server = current_app.config["MAIL_SERVER"]
    if server is None:
        skipped = delivery.skip_unmailed(session, mail_on=False)
        session.commit()
        click.echo(f"e-mail off (no MAIL_URL): {skipped} notifications in the inbox only; "
                   "sent 0, failed 0, pending 0")
        return
    delivery.skip_unmailed(session, mail_on=True)
    session.commit()
    run = _Run()
    with Mailer(server) as mailer:
        _send_each(session, mailer, run, now)
        _send_digests(session, mailer, run, now)
    pending = delivery.pending_count(session)
    session.commit()
    click.echo(f"sent {run.sent}, failed {run.refused}, pending {pending}"
               + (f" ({run.failed} given up after {delivery.MAX_ATTEMPTS} attempts: see "
                  "the failed deliveries page)" if run.failed else ""))
    if run.down is not None:
        click.echo(f"Error: the mail server is down ({run.down}); {pending} e-mails not "
                   "delivered, kept queued for the next run", err=True)
        sys.exit(1)


commands = (group,)
