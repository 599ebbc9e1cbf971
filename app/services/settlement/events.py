"""What settlement tells people (notifications.md), raised in the caller's transaction through
``notifications.outbox.raise_event`` (stored once per event key and recipient):

* **run ready to confirm** (``settlement_run_ready``): a run, or a new version of it, was
  computed: the bureaus of every party are told (not the person who computed it);
* **notice recorded** (``settlement_notice_recorded``): the bureaus of the parties the recorder
  does not act for (every party's when an administrator or the command line records it) and the
  auditors of the parties;
* **difference open more than 30 days** (``settlement_difference_open``): a reminder source of
  ``notify send`` (``app/cli/notify.py``): an open difference aged 31 days or more (calendar days
  from the UTC date it was opened to the local date of the run) goes to the bureaus of its payer
  and payee and to their auditors (who resolve it). The event key names the difference and the
  week of its age (``week0`` from day 31, ``week1`` from day 38, …), so the first reminder is
  sent once, on the first run from day 31, and the next ones at most once a week until an
  auditor resolves it or a notice squares it.

Amounts in the params are 元 with thousands separators, exact to the fen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Agreement, SettlementDifference, SettlementNotice, SettlementRun
from app.services.access.scopes import Actor
from app.services.notifications import recipients as who
from app.services.notifications.outbox import Event, raise_event

OPEN_AFTER_DAYS = 30
"""A difference older than this (calendar days) is reminded of, then weekly."""


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _base(session: Session, agreement: Agreement, year: int, actor: Actor | None) -> dict:
    params = {"agreement": agreement.code, "title": agreement.title, "year": str(year)}
    if actor is not None:
        params["actor"] = who.name_of(session, actor.user_id, actor.label)
    return params


def _party_codes(agreement: Agreement) -> list[str]:
    return [p.region.code for p in agreement.parties]


def run_computed(session: Session, actor: Actor, agreement: Agreement,
                 run: SettlementRun) -> int:
    """A run (version ``run.number``) was computed: every party's bureau is told to check and
    confirm it. Returns how many notifications were stored."""
    params = _base(session, agreement, run.fiscal_year, actor)
    params.update(version=str(run.number), fingerprint=run.fingerprint[:12])
    event = Event("settlement_run_ready", f"settlement_run_ready:{run.id}", params,
                  f"/agreements/{agreement.id}/settlement/runs/{run.id}", "settlement_run",
                  run.id)
    return raise_event(session, event, who.bureaus_of(session, _party_codes(agreement)),
                       actor.user_id)


def notice_recorded(session: Session, actor: Actor, agreement: Agreement,
                    notice: SettlementNotice, acting_for: list[str]) -> int:
    """A notice was recorded: the bureaus of the parties other than ``acting_for`` (the region
    codes of the parties the recorder acts for; every party when empty) and the auditors of the
    parties are told."""
    codes = _party_codes(agreement)
    others = [c for c in codes if c not in acting_for] or codes
    params = _base(session, agreement, notice.fiscal_year, actor)
    params.update(number=notice.number, level=notice.level.value,
                  date=notice.issued_on.isoformat(), payer=notice.payer.name,
                  payee=notice.payee.name, amount=_money(notice.amount))
    params["payer@en"] = notice.payer.name_en or notice.payer.name
    params["payee@en"] = notice.payee.name_en or notice.payee.name
    event = Event("settlement_notice_recorded", f"settlement_notice_recorded:{notice.id}",
                  params, f"/agreements/{agreement.id}/settlement/years/{notice.fiscal_year}/"
                  "audit", "settlement_notice", notice.id)
    users = who.bureaus_of(session, others) | who.auditors_of(session, codes)
    return raise_event(session, event, users, actor.user_id)


def reminder_key(difference_id: int, age_days: int) -> str:
    """The event key of a difference's reminder at ``age_days``: one per week of age from day
    31 (``…:week0`` for days 31–37, ``…:week1`` for 38–44, …)."""
    return (f"settlement_difference_open:{difference_id}:"
            f"week{(age_days - OPEN_AFTER_DAYS - 1) // 7}")


def raise_difference_reminders(session: Session, on_date: dt.date) -> int:
    """Store a reminder of every difference open more than 30 days on ``on_date`` (local), once
    per difference and week of age; return how many notifications were new."""
    rows = session.scalars(
        select(SettlementDifference).where(SettlementDifference.resolved_at.is_(None))
        .options(selectinload(SettlementDifference.payer),
                 selectinload(SettlementDifference.payee))
        .order_by(SettlementDifference.id)).all()
    stored = 0
    for difference in rows:
        age = (on_date - difference.opened_at.date()).days
        if age <= OPEN_AFTER_DAYS:
            continue
        agreement = session.get(Agreement, difference.agreement_id)
        params = _base(session, agreement, difference.fiscal_year, None)
        params.update(payer=difference.payer.name, payee=difference.payee.name,
                      due=_money(difference.due), booked=_money(difference.booked),
                      difference=_money(difference.amount), reason=difference.reason.value,
                      days=str(age))
        params["payer@en"] = difference.payer.name_en or difference.payer.name
        params["payee@en"] = difference.payee.name_en or difference.payee.name
        codes = [difference.payer.code, difference.payee.code]
        event = Event("settlement_difference_open", reminder_key(difference.id, age), params,
                      f"/agreements/{agreement.id}/settlement/years/{difference.fiscal_year}/"
                      "audit", "settlement_difference", difference.id)
        stored += raise_event(session, event,
                              who.bureaus_of(session, codes) | who.auditors_of(session, codes))
    return stored
