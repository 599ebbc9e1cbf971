"""API: a quarter's deadlines (app.domain.deadlines): its dates and where it stands today."""

from __future__ import annotations

from app.domain.deadlines import EntryStatus, Standing
from app.models import Agreement
from app.services.sharing import deadlines
from app.web.api.routing import schema
from app.web.api.values import DATE, INTEGER, day, enum_of, nullable, obj

DEADLINES = schema("Deadlines", {
    **obj({"opens": DATE, "timely": DATE, "lock": DATE, "status": enum_of(EntryStatus),
           "days_left": nullable(INTEGER), "days_overdue": nullable(INTEGER),
           "exception_until": nullable(DATE)}),
    "description": "opens: the first day of entry; timely: the last day a submission is on "
                   "time; lock: the last day of entry (all local dates, inclusive). status on "
                   "today's local date: NOT_OPEN, OPEN (days_left to the timely date, 0 on the "
                   "day itself), LATE (days_overdue; entry still open until the lock day or "
                   "exception_until), LOCKED, or SUBMITTED (submitted or closed)."})


def deadlines_json(standing: Standing) -> dict:
    """The ``deadlines`` object of a quarter."""
    win = standing.window
    return {"opens": day(win.opens), "timely": day(win.timely), "lock": day(win.lock),
            "status": standing.status.value, "days_left": standing.days_left,
            "days_overdue": standing.days_overdue,
            "exception_until": day(standing.exception_until)}


def quarter_deadlines(session, agreement_id: int, quarter, aq) -> dict:
    """The deadlines of one quarter of an agreement the caller has checked the scope of."""
    agreement = session.get(Agreement, agreement_id)
    return deadlines_json(deadlines.standing(session, agreement, quarter, aq))
