"""What the quarterly cycle asks of destination bureaus on a given local date: quarters whose
entry window opens that day, quarters whose timely date is exactly three days away, and overdue
quarters not yet submitted (with whole weeks overdue, so that a weekly reminder has a key).

For the notifications (which decide recipients and delivery); nothing here writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain import deadlines as domain
from app.domain.codes import QuarterState
from app.domain.quarter import Quarter, quarters_between
from app.services.sharing.cycle import agreement_cycles
from app.services.sharing.deadlines import cycle_settings, extensions, window_of

OPENS, DUE_SOON, OVERDUE = "OPENS", "DUE_SOON", "OVERDUE"
DAYS_BEFORE = 3


@dataclass(frozen=True)
class Reminder:
    """One quarter of one agreement to remind its destination bureau(s) of.

    ``kind``: OPENS (entry opens on the date, the day after the quarter ends), DUE_SOON (timely
    date in exactly three days, for the agreement's oldest unsubmitted quarter) or
    OVERDUE (past the timely date and not submitted: only the agreement's oldest such quarter,
    since quarters are submitted in order; ``later_overdue`` counts the others). ``weeks_overdue``
    is 0 for the first six days overdue, then 1, 2 …; ``locked``: entry is locked on the date
    (no exception in force)."""

    kind: str
    agreement_id: int
    agreement_code: str
    agreement_title: str
    quarter: Quarter
    destination_codes: tuple[str, ...]
    destination_names: tuple[str, ...]
    opens: dt.date
    timely: dt.date
    lock: dt.date
    days_overdue: int = 0
    weeks_overdue: int = 0
    locked: bool = False
    later_overdue: int = 0


def reminders_due(session: Session, on_date: dt.date) -> list[Reminder]:
    """The reminders of ``on_date`` (a local date), by agreement code, then kind and quarter."""
    settings = cycle_settings(session)
    found: list[Reminder] = []
    for cycle in agreement_cycles(session):
        agreement = cycle.agreement
        head = (agreement.id, agreement.code, agreement.title)
        places = (tuple(p.region.code for p in cycle.destinations),
                  tuple(p.region.name for p in cycle.destinations))
        last = Quarter.containing(on_date) - 1
        overdue = []
        oldest_open = True
        for quarter in quarters_between(cycle.first, last):
            win = window_of(settings, agreement, quarter)
            aq = cycle.states.get(quarter)
            submitted = aq is not None and aq.state is not QuarterState.OPEN
            dates = (win.opens, win.timely, win.lock)
            # Opening is announced on the day after the quarter ends; quarters that ended
            # before the agreement was activated open with it, and are not announced one by one.
            if win.opens == on_date == quarter.last_day + dt.timedelta(days=1):
                found.append(Reminder(OPENS, *head, quarter, *places, *dates))
            if submitted:
                continue
            # Quarters are submitted in order: only the oldest unsubmitted one is "due soon".
            if oldest_open and win.timely == on_date + dt.timedelta(days=DAYS_BEFORE):
                found.append(Reminder(DUE_SOON, *head, quarter, *places, *dates))
            oldest_open = False
            if on_date > win.timely:
                overdue.append((quarter, win))
        if overdue:
            quarter, win = overdue[0]
            spans = extensions(session, cycle.exceptions.get(quarter, []))
            standing = domain.standing(win, on_date, exceptions=spans)
            found.append(Reminder(
                OVERDUE, *head, quarter, *places, win.opens, win.timely, win.lock,
                days_overdue=standing.days_overdue or 0,
                weeks_overdue=standing.weeks_overdue or 0,
                locked=standing.status is domain.EntryStatus.LOCKED,
                later_overdue=len(overdue) - 1))
    order = {OPENS: 0, DUE_SOON: 1, OVERDUE: 2}
    return sorted(found, key=lambda r: (r.agreement_code, order[r.kind], r.quarter))
