"""The quarterly cycle's date-based notifications, raised by ``notify send`` (app/cli/notify.py).

For a local date: each reminder of :func:`reminders.reminders_due` goes to the destination
bureaus of its agreement (entry opens; on-time date in three days; overdue, then once a week),
and a sharing tier that ends within 90 days goes to every party's bureau. Event keys name the
date or the week, so running this every few minutes stores each reminder once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import AgreementStatus
from app.models import Agreement, RuleTier, SharingRule
from app.services.notifications import recipients as who
from app.services.notifications.events import quarter_link
from app.services.notifications.outbox import Event, raise_event
from app.services.sharing.reminders import DUE_SOON, OPENS, OVERDUE, Reminder, reminders_due

TIER_NOTICE_DAYS = 90
"""A tier's end is announced once, when it is this many days away or fewer (calendar days)."""

_KINDS = {OPENS: "entry_opens", DUE_SOON: "entry_due_soon", OVERDUE: "entry_overdue"}


def _key(reminder: Reminder) -> str:
    head = f"{_KINDS[reminder.kind]}:{reminder.agreement_id}:{reminder.quarter}"
    if reminder.kind == OVERDUE:  # the first reminder the day after the on-time date, then weekly
        return f"{head}:week{reminder.weeks_overdue}"
    return head


def _params(reminder: Reminder) -> dict[str, str]:
    return {"agreement": reminder.agreement_code, "title": reminder.agreement_title,
            "quarter": str(reminder.quarter), "opens": reminder.opens.isoformat(),
            "timely": reminder.timely.isoformat(), "lock": reminder.lock.isoformat(),
            "days": str(reminder.days_overdue), "later": str(reminder.later_overdue)}


def raise_quarter_reminders(session: Session, on_date: dt.date) -> int:
    """Store the entry reminders of ``on_date`` (local); return how many rows were new."""
    stored = 0
    for reminder in reminders_due(session, on_date):
        kind = _KINDS[reminder.kind]
        if reminder.kind == OVERDUE and reminder.locked:
            kind = "entry_locked"
        event = Event(kind, _key(reminder), _params(reminder),
                      quarter_link(reminder.agreement_id, reminder.quarter) + "observations",
                      "agreement", reminder.agreement_id)
        stored += raise_event(session, event, who.bureaus_of(session, reminder.destination_codes))
    return stored


def raise_tier_endings(session: Session, on_date: dt.date) -> int:
    """Store a notice for each tier of an active agreement that ends within 90 days of
    ``on_date`` (its last quarter's last day, inclusive), once per tier and end."""
    rows = session.execute(
        select(RuleTier, SharingRule.indicator_code, Agreement)
        .join(SharingRule, SharingRule.id == RuleTier.rule_id)
        .join(Agreement, Agreement.id == SharingRule.agreement_id)
        .where(Agreement.status == AgreementStatus.ACTIVE, RuleTier.last_quarter.is_not(None))
        .order_by(Agreement.code, RuleTier.id)).all()
    stored = 0
    for tier, indicator, agreement in rows:
        ends = tier.last_quarter.last_day
        if not 0 <= (ends - on_date).days <= TIER_NOTICE_DAYS:
            continue
        params = {"agreement": agreement.code, "title": agreement.title,
                  "indicator": indicator, "quarter": str(tier.last_quarter),
                  "ends": ends.isoformat()}
        event = Event("tier_ending", f"tier_ending:{tier.id}:{tier.last_quarter}", params,
                      f"/agreements/{agreement.id}", "agreement", agreement.id)
        stored += raise_event(session, event, who.bureaus_of(
            session, [p.region.code for p in agreement.parties]))
    return stored
